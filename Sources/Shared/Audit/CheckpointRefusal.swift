import Refusals

/// Why an audit checkpoint file or message was not taken.
public typealias CheckpointRefusal = Refused<CheckpointRefusalCode>

public enum CheckpointRefusalCode: String, RefusalCode {
    case unreadable, notACheckpoint, badSignature

    public static let area = "checkpoint"

    public var kind: RefusalKind { self == .unreadable ? .notFound : .invalid }
}
