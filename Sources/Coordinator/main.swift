print("coordinator: see evaluate")
