import Refusals

/// Why the record refused a change to the control room's users, with the value at fault: a name;
/// for a password only its length. Nothing was written.
public typealias UserRefusal = Refused<UserRefusalCode>

public enum UserRefusalCode: String, RefusalCode {
    case exists, notFound, invalidName, passwordTooShort, passwordTooLong

    public static let area = "user"

    public var kind: RefusalKind {
        switch self {
        case .exists: .conflict
        case .notFound: .notFound
        case .invalidName, .passwordTooShort, .passwordTooLong: .invalid
        }
    }
}
