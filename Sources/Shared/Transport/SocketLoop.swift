import Foundation

/// Gives one socket a thread of its own (libzmq sockets are not thread-safe): the thread receives
/// with a short timeout and hands each message to `onMessage`, and sends whatever other threads
/// queued with `send`. Stops on `stop()`.
public final class SocketLoop: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var outgoing: [[[UInt8]]] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    /// Takes ownership of `socket`; `onMessage` runs on the loop's thread with the message and its
    /// authenticated sender (see `ZMQSocket.receiveWithSender`).
    public init(socket: ZMQSocket, name: String, onMessage: @escaping @Sendable ([[UInt8]], String?) -> Void) throws {
        try socket.setReceiveTimeout(.milliseconds(20))
        try socket.setSendTimeout(.milliseconds(100))
        nonisolated(unsafe) let owned = socket
        let thread = Thread { [self] in
            defer { finished.signal() }
            while isRunning {
                if let message = try? owned.receiveWithSender() { onMessage(message.frames, message.sender) }
                for frames in takeOutgoing() { try? owned.send(frames) }
            }
        }
        thread.name = name
        thread.start()
    }

    /// Queues a message; the loop sends it within a few milliseconds (or drops it if the peer is
    /// unreachable: whatever must arrive is resent by its owner, as the alert outbox does).
    public func send(_ frames: [[UInt8]]) { lock.withLock { outgoing.append(frames) } }

    public func stop() {
        lock.withLock { running = false }
        finished.wait()
    }

    private var isRunning: Bool { lock.withLock { running } }
    private func takeOutgoing() -> [[[UInt8]]] { lock.withLock { defer { outgoing.removeAll() }; return outgoing } }
}
