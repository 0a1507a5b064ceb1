import Dispatch

/// Runs the record's blocking work (GRDB reads and writes, enrolment bookkeeping, report
/// rendering) on a queue of its own, never on a server's event loops or Swift's cooperative
/// pool, so that a slow query or a large upload holds up only its own request.
public enum RecordWork {
    private static let queue = DispatchQueue(label: "watchpost.record", qos: .userInitiated, attributes: .concurrent)

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
