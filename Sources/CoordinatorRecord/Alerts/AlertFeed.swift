import Foundation

/// New alerts as they are stored, for whoever watches in the same process (the control room's
/// live pages): each subscriber gets the id and deployment of every alert stored after it subscribed.
public final class AlertFeed: @unchecked Sendable {
    public struct Item: Sendable, Equatable {
        public var alertID: UUID
        public var deploymentID: String

        public init(alertID: UUID, deploymentID: String) {
            self.alertID = alertID; self.deploymentID = deploymentID
        }
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<Item>.Continuation] = [:]

    public init() {}

    public func publish(_ item: Item) {
        for continuation in lock.withLock({ Array(subscribers.values) }) { continuation.yield(item) }
    }

    /// A stream of alerts stored from now on; it ends when the caller stops iterating.
    public func subscribe() -> AsyncStream<Item> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingNewest(256))
        continuation.onTermination = { [weak self] _ in self?.lock.withLock { _ = self?.subscribers.removeValue(forKey: id) } }
        lock.withLock { subscribers[id] = continuation }
        return stream
    }

    public var subscriberCount: Int { lock.withLock { subscribers.count } }

    /// Ends every subscriber's stream (at shutdown: open event streams end, so the web server can stop).
    public func finish() {
        let ending = lock.withLock { () -> [AsyncStream<Item>.Continuation] in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in ending { continuation.finish() }
    }
}
