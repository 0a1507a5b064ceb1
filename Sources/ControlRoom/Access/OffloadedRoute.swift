import CoordinatorRecord
import Hummingbird

/// A route's synchronous body, run on the record's queue, with its refusals mapped to responses
/// as `guarded` maps them.
func offloaded(_ body: @escaping @Sendable () throws -> Response) async throws -> Response {
    try await RecordWork.run { try guarded(body) }
}
