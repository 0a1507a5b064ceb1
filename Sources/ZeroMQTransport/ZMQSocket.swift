import CZeroMQ
import Foundation

/// A libzmq failure: the call and libzmq's own text. Timeouts are `timedOut`, so callers can poll.
public struct TransportError: Error, CustomStringConvertible, Equatable {
    public let call: String
    public let code: Int32
    public var description: String { "\(call): \(String(cString: zmq_strerror(code)))" }
    public var timedOut: Bool { code == EAGAIN }
}

/// The one funnel from a libzmq status to a Swift error.
@discardableResult
func zmqCheck(_ status: Int32, _ call: String) throws -> Int32 {
    if status < 0 { throw TransportError(call: call, code: zmq_errno()) }
    return status
}

/// A libzmq context: one per process; sockets and the ZAP handler share it.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// - Parameters:
    ///   - maxSockets: libzmq's default is 1,023; a simulated fleet needs more.
    ///   - ioThreads: threads that move (and CURVE-encrypt) messages; libzmq's default is one.
    public init(maxSockets: Int32? = nil, ioThreads: Int32? = nil) {
        handle = zmq_ctx_new()
        if let maxSockets { zmq_ctx_set(handle, ZMQ_MAX_SOCKETS, maxSockets) }
        if let ioThreads { zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) }
    }

    deinit { zmq_ctx_term(handle) }

    /// Whether this libzmq was built with CURVE (Debian's is).
    public static var hasCurve: Bool { zmq_has("curve") == 1 }
}

/// One libzmq socket. Not thread-safe (libzmq's rule): one owner at a time.
public final class ZMQSocket {
    public enum Kind {
        case router, dealer, rep, req
        var raw: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            case .rep: ZMQ_REP
            case .req: ZMQ_REQ
            }
        }
    }

    private let handle: UnsafeMutableRawPointer
    private let context: ZMQContext

    public init(_ context: ZMQContext, _ kind: Kind) throws {
        guard let h = zmq_socket(context.handle, kind.raw) else {
            throw TransportError(call: "zmq_socket", code: zmq_errno())
        }
        handle = h
        self.context = context
        try set(ZMQ_LINGER, Int32(0))  // never block shutdown on unsent messages; the outbox keeps what matters
    }

    deinit { zmq_close(handle) }

    public func set(_ option: Int32, _ value: Int32) throws {
        var v = value
        try zmqCheck(zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size), "zmq_setsockopt(\(option))")
    }

    public func set(_ option: Int32, _ value: Int64) throws {
        var v = value
        try zmqCheck(zmq_setsockopt(handle, option, &v, MemoryLayout<Int64>.size), "zmq_setsockopt(\(option))")
    }

    public func set(_ option: Int32, _ bytes: [UInt8]) throws {
        try zmqCheck(
            bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, bytes.count) },
            "zmq_setsockopt(\(option))")
    }

    public func set(_ option: Int32, _ text: String) throws { try set(option, Array(text.utf8)) }

    private func milliseconds(_ d: Duration) -> Int32 { Int32(clamping: Int(d / .milliseconds(1))) }

    /// Receive timeout: `receive` throws a `timedOut` error after it.
    public func setReceiveTimeout(_ d: Duration) throws { try set(ZMQ_RCVTIMEO, milliseconds(d)) }
    public func setSendTimeout(_ d: Duration) throws { try set(ZMQ_SNDTIMEO, milliseconds(d)) }
    /// Frames larger than this make libzmq drop the connection before reading them into memory.
    public func setMaxMessageSize(_ bytes: Int64) throws { try set(ZMQ_MAXMSGSIZE, bytes) }

    /// libzmq reconnects by itself, waiting 100 ms and doubling up to this maximum.
    public func setReconnectBackoffMaximum(_ d: Duration) throws { try set(ZMQ_RECONNECT_IVL_MAX, milliseconds(d)) }

    public func bind(_ endpoint: String) throws { try zmqCheck(zmq_bind(handle, endpoint), "zmq_bind(\(endpoint))") }
    public func connect(_ endpoint: String) throws {
        try zmqCheck(zmq_connect(handle, endpoint), "zmq_connect(\(endpoint))")
    }

    /// The endpoint actually bound (e.g. the port chosen for tcp://127.0.0.1:*).
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        _ = zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size)
        return String(cString: buffer)
    }

    /// Sends one multipart message.
    public func send(_ frames: [[UInt8]]) throws {
        for (i, frame) in frames.enumerated() {
            let flags = i < frames.count - 1 ? ZMQ_SNDMORE : 0
            try frame.withUnsafeBytes { raw in
                _ = try zmqCheck(zmq_send(handle, raw.baseAddress, raw.count, flags), "zmq_send")
            }
        }
    }

    /// Waits up to `timeout` for messages on several sockets; the indices of those that have one.
    public static func readable(_ sockets: [ZMQSocket], timeout: Duration) throws -> [Int] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        try zmqCheck(zmq_poll(&items, Int32(items.count), Int(timeout / .milliseconds(1))), "zmq_poll")
        return items.indices.filter { items[$0].revents & Int16(ZMQ_POLLIN) != 0 }
    }

    /// Blocks until this socket has a message or `fd` is readable (no timeout, no polling loop);
    /// a signal interrupting the wait returns with neither.
    public func waitReadable(orDescriptor fd: Int32) throws -> (socket: Bool, descriptor: Bool) {
        var items = [
            zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
            zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0),
        ]
        guard zmq_poll(&items, 2, -1) >= 0 else {
            if zmq_errno() == EINTR { return (false, false) }
            throw TransportError(call: "zmq_poll", code: zmq_errno())
        }
        return (items[0].revents & Int16(ZMQ_POLLIN) != 0, items[1].revents & Int16(ZMQ_POLLIN) != 0)
    }

    /// Receives one multipart message (all its frames), or throws `timedOut` after the receive timeout.
    public func receive() throws -> [[UInt8]] { try receiveWithSender().frames }

    /// Receives one message and the authenticated sender: the user id the ZAP handler gave the
    /// connection (the node's CURVE public key), nil without ZAP.
    public func receiveWithSender() throws -> (frames: [[UInt8]], sender: String?) {
        var frames: [[UInt8]] = []
        var sender: String?
        repeat {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            try zmqCheck(zmq_msg_recv(&message, handle, 0), "zmq_msg_recv")
            let size = zmq_msg_size(&message)
            let data = zmq_msg_data(&message)
            frames.append(size == 0 ? [] : Array(UnsafeRawBufferPointer(start: data, count: size)))
            if sender == nil, let id = zmq_msg_gets(&message, "User-Id") { sender = String(cString: id) }
        } while hasMore
        return (frames, sender)
    }

    private var hasMore: Bool {
        var more: Int32 = 0
        var size = MemoryLayout<Int32>.size
        return zmq_getsockopt(handle, ZMQ_RCVMORE, &more, &size) == 0 && more != 0
    }
}
