import Refusals

/// A control-room form that cannot be used as sent: a field or file missing, a value that is not
/// a number or a time, too few signatures to plan; the value is the field's name or what was
/// typed. The page shows it beside the form.
typealias FormRefusal = Refused<FormRefusalCode>

enum FormRefusalCode: String, RefusalCode {
    case missingField, missingFile, repeatedPhotoName, notANumber, notATime, notAChoice, tooFewSignatures

    static let area = "form"
    var kind: RefusalKind { self == .tooFewSignatures ? .conflict : .invalid }
}
