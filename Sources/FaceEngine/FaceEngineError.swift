import CFaceEngine

/// An error from the vision engine. The message names the file or input at fault and what to do;
/// it never contains pixels or embeddings.
public struct FaceEngineError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of failure; new cases may be added.
    public enum Code: Sendable, Equatable {
        case fileUnreadable, modelCorrupt, decodeFailed, invalidArgument, checksumMismatch, `internal`
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The one funnel from a C status to a Swift error.
    static func from(_ error: wp_error) -> FaceEngineError {
        let text = withUnsafeBytes(of: error.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let code: Code =
            switch Int(error.code) {
            case Int(WP_ERR_FILE): .fileUnreadable
            case Int(WP_ERR_MODEL): .modelCorrupt
            case Int(WP_ERR_DECODE): .decodeFailed
            case Int(WP_ERR_ARGUMENT): .invalidArgument
            default: .internal
            }
        return FaceEngineError(code, text)
    }
}

/// Calls a C function that reports through `wp_error`, returning its result or throwing.
func callEngine<T>(_ body: (UnsafeMutablePointer<wp_error>) -> T?) throws -> T {
    var error = wp_error()
    if let value = body(&error), error.code == WP_OK { return value }
    throw FaceEngineError.from(error)
}
