import Foundation

/// New alerts as they are stored, and matches as they are sent to field officers, for whoever
/// watches in the same process (the control room's live pages): each subscriber gets the id and
/// deployment of every alert stored, or sent, after it subscribed.
public final class AlertFeed: @unchecked Sendable {
    public struct Item: Sendable, Equatable {
        public var alertID: UUID
        public var deploymentID: String

        public init(alertID: UUID, deploymentID: String) {
            self.alertID = alertID
            self.deploymentID = deploymentID
        }
    }

    /// What a subscriber receives: an alert stored, a match sent to these field officers, or a
    /// tick at which it checks that its watcher may still watch.
    public enum Event: Sendable, Equatable {
        case alert(Item)
        case sent(Item, officers: [String])
        case tick
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<Event>.Continuation] = [:]

    public init() {}

    public func publish(_ item: Item) { publish(.alert(item)) }

    /// Tells the field officers' pages that a match was sent to `officers`.
    public func publishSent(_ item: Item, to officers: [String]) {
        guard !officers.isEmpty else { return }
        publish(.sent(item, officers: officers))
    }

    private func publish(_ event: Event) {
        for continuation in lock.withLock({ Array(subscribers.values) }) { continuation.yield(event) }
    }

    /// A stream of alerts stored from now on, with a tick every `tick` between them, so that a
    /// live page can end as soon as its session does even when no alert comes; it ends when the
    /// caller stops iterating.
    public func subscribe(tick: Duration) -> AsyncStream<Event> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                continuation.yield(.tick)
            }
        }
        continuation.onTermination = { [weak self] _ in
            ticks.cancel()
            self?.lock.withLock { _ = self?.subscribers.removeValue(forKey: id) }
        }
        lock.withLock { subscribers[id] = continuation }
        return stream
    }

    public var subscriberCount: Int { lock.withLock { subscribers.count } }

    /// Ends every subscriber's stream (at shutdown: open event streams end, so the web server can stop).
    public func finish() {
        let ending = lock.withLock { () -> [AsyncStream<Event>.Continuation] in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in ending { continuation.finish() }
    }
}
