import Refusals

/// A control-room form that cannot be used as sent: a field or file missing, a value that is not
/// a number or a time, too few signatures to plan. The page shows it beside the form.
struct FormRefusal: Refusal, Equatable {
    enum Code: String, Sendable {
        case missingField, missingFile, repeatedPhotoName, notANumber, notATime, tooFewSignatures
    }

    static let area = "form"
    let code: Code
    /// The field's name or the value typed.
    let value: String
    let description: String
    var kind: RefusalKind { code == .tooFewSignatures ? .conflict : .invalid }

    init(_ code: Code, _ value: String, _ description: String) {
        self.code = code
        self.value = value
        self.description = description
    }
}
