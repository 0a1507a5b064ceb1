import Refusals

/// Why the record refused a change to the control room's users: a code, the value at fault (a
/// name; for passwords only their length), and what to do. Nothing was written.
public struct UserRefusal: Refusal, Equatable {
    public enum Code: String, Sendable { case exists, notFound, invalidName, passwordTooShort, passwordTooLong }

    public static let area = "user"
    public let code: Code
    public let value: String
    public let description: String

    public init(_ code: Code, _ value: String, _ description: String) {
        self.code = code
        self.value = value
        self.description = description
    }

    public var kind: RefusalKind {
        switch code {
        case .exists: .conflict
        case .notFound: .notFound
        case .invalidName, .passwordTooShort, .passwordTooLong: .invalid
        }
    }
}
