/// A command that could not do its job for a reason the user can fix; printed as
/// "Error: <message>" without the usage text that argument errors get.
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
