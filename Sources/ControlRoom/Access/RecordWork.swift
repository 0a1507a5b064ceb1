import Dispatch
import Hummingbird

/// Runs the record's blocking work (GRDB reads and writes, enrolment bookkeeping, report
/// rendering) on a queue of its own, never on the server's event loops or Swift's cooperative
/// pool, so that a slow query or a large upload holds up only its own request.
enum RecordWork {
    private static let queue = DispatchQueue(label: "watchpost.record", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// A route's synchronous body, run on the record's queue, with its refusals mapped to responses
/// as `guarded` maps them.
func offloaded(_ body: @escaping @Sendable () throws -> Response) async throws -> Response {
    try await RecordWork.run { try guarded(body) }
}
