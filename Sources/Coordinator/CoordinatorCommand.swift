import ArgumentParser
import Logging

/// The `coordinator` executable: runs in the control room.
@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Watchpost coordinator: watchlists, evaluation and the control room.",
        subcommands: [EvaluateCommand.self, KeysCommand.self, WatchlistCommand.self, ServeCommand.self]
    )
}
