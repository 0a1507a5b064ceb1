import Foundation

/// Gives one socket a thread of its own (libzmq sockets are not thread-safe) while `run()` runs.
/// The thread sleeps in `zmq_poll` until the socket has messages or another thread queues one
/// with `send` (which wakes it through a pipe): no timeouts, no polling loop, and a reply leaves
/// as soon as it is queued. Messages go to `onMessage` on the loop's thread.
public final class SocketLoop: @unchecked Sendable {
    /// Messages taken from the socket before queued sends go out, so that a flood of incoming
    /// messages cannot hold back the replies (acknowledgements) waiting behind it.
    static let receiveBatch = 64

    // Guarded by `lock`.
    private let lock = NSLock()
    private var outgoing: [[[UInt8]]] = []
    private var running = true
    /// The socket until the loop's thread takes it.
    private var socket: ZMQSocket?
    /// A pipe whose read end the loop polls beside the socket; `send` and `stop` write a byte.
    private let wakeRead: Int32, wakeWrite: Int32
    private let name: String
    private let onMessage: @Sendable ([[UInt8]], String?) -> Void

    /// Takes ownership of `socket`; `onMessage` runs on the loop's thread with the message and its
    /// authenticated sender (see `ZMQSocket.receiveWithSender`). Nothing runs until `run()`;
    /// messages sent before then are queued.
    public init(socket: ZMQSocket, name: String, onMessage: @escaping @Sendable ([[UInt8]], String?) -> Void) throws {
        // Messages are received only once zmq_poll says one is there: a receive never waits.
        try socket.setReceiveTimeout(.zero)
        try socket.setSendTimeout(.milliseconds(100))
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw TransportError(call: "pipe", code: errno) }
        for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        (wakeRead, wakeWrite) = (ends[0], ends[1])
        self.socket = socket
        self.name = name
        self.onMessage = onMessage
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Serves the socket on a thread of its own until `stop()` or the task is cancelled, and
    /// returns when that thread has finished. Runs once: the thread owns the socket from then on.
    public func run() async {
        guard
            let owned = lock.withLock({ () -> ZMQSocket? in
                defer { self.socket = nil }
                return self.socket
            })
        else { return }
        nonisolated(unsafe) let taken = owned
        await withTaskCancellationHandler {
            await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    serve(taken)
                    finished.resume()
                }
                thread.name = name
                thread.start()
            }
        } onCancel: {
            stop()
        }
    }

    private func serve(_ socket: ZMQSocket) {
        while isRunning {
            guard let ready = try? socket.waitReadable(orDescriptor: wakeRead) else { continue }
            if ready.descriptor { drainWakeUps() }
            if ready.socket {
                for _ in 0..<Self.receiveBatch {
                    guard let message = try? socket.receiveWithSender() else { break }
                    onMessage(message.frames, message.sender)
                }
            }
            for frames in takeOutgoing() { try? socket.send(frames) }
        }
    }

    /// Queues a message and wakes the loop, which sends it at once (or drops it if the peer is
    /// unreachable: whatever must arrive is resent by its owner, as the alert outbox does).
    public func send(_ frames: [[UInt8]]) {
        lock.withLock { outgoing.append(frames) }
        wake()
    }

    /// Asks the loop to finish; `run()` returns once its thread has.
    public func stop() {
        lock.withLock { running = false }
        wake()
    }

    private var isRunning: Bool { lock.withLock { running } }
    private func takeOutgoing() -> [[[UInt8]]] {
        lock.withLock {
            defer { outgoing.removeAll() }
            return outgoing
        }
    }

    /// A full pipe already holds a wake-up, so a write that would block is dropped.
    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func drainWakeUps() {
        var bytes = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &bytes, bytes.count) > 0 {}
    }
}
