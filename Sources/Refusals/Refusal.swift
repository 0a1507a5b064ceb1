/// What kind of refusal an error is. The control room answers each kind with its HTTP status and
/// the command line exits with `exitCode` (sysexits.h), so that neither has to read messages.
public enum RefusalKind: String, Sendable, CaseIterable {
    /// What was sent is wrong: a form field, a file, a flag's value.
    case invalid
    /// What was asked for is not on the record.
    case notFound
    /// The record is in a state that does not allow it now (a deployment not live, a name taken).
    case conflict
    /// The record holds a value Watchpost never writes: changed outside it, or damaged.
    case damaged
    /// Something this process needs is not there to be used (a key, a file it must read).
    case unavailable

    public var exitCode: Int32 {
        switch self {
        case .invalid: 65  // EX_DATAERR
        case .notFound: 66  // EX_NOINPUT
        case .conflict: 75  // EX_TEMPFAIL: try again when the record allows it
        case .damaged: 70  // EX_SOFTWARE
        case .unavailable: 69  // EX_UNAVAILABLE
        }
    }
}

/// An error a person can act on: a stable `code` (what tests, logs and scripts match), its
/// `kind`, and a description that names the offending value and says what to do.
public protocol Refusal: Error, CustomStringConvertible, Sendable {
    associatedtype Code: RawRepresentable<String>, Sendable, Hashable
    /// The area's name in qualified codes: "csv", "deployment", "user".
    static var area: String { get }
    var code: Code { get }
    var kind: RefusalKind { get }
}

extension Refusal {
    /// "area.code" (e.g. "deployment.nodeNotEnrolled"), as logs, pages and the command line show it.
    public var qualifiedCode: String { "\(Self.area).\(code.rawValue)" }
}

/// The codes of one area's refusals, each knowing its kind.
public protocol RefusalCode: RawRepresentable<String>, Sendable, Hashable {
    /// The area's name in qualified codes.
    static var area: String { get }
    var kind: RefusalKind { get }
}

/// A refusal in the area whose codes are `Code`: the code, the value at fault as it was given (an
/// id, a field's name; never a secret), and a description that names it and says what to do.
public struct Refused<Code: RefusalCode>: Refusal, Equatable {
    public static var area: String { Code.area }
    public let code: Code
    public let value: String
    public let description: String
    public var kind: RefusalKind { code.kind }

    public init(_ code: Code, _ value: String, _ description: String) {
        self.code = code
        self.value = value
        self.description = description
    }
}
