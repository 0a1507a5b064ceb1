import CZeroMQ
import Foundation

/// The ZAP handler (ZeroMQ RFC 27) of a context: admits a CURVE client only if its public key is
/// enrolled. Enrolment and revocation take effect for the next handshake without a restart; each
/// refusal is reported (for the audit log) with the key, never with any secret.
public final class ZAPAuthenticator: @unchecked Sendable {
    public static let endpoint = "inproc://zeromq.zap.01"

    // Guarded by `lock`.
    private let lock = NSLock()
    private var enrolled: Set<String> = []

    private let onRefusal: @Sendable (_ publicKey: String, _ address: String) -> Void
    private var loop: SocketLoop!

    /// Binds the handler in `context` at once, so that no handshake is ever let through unasked;
    /// requests wait until `run()` answers them.
    public init(
        context: ZMQContext, enrolled: Set<String>,
        onRefusal: @escaping @Sendable (_ publicKey: String, _ address: String) -> Void
    ) throws {
        self.enrolled = enrolled
        self.onRefusal = onRefusal
        // A ROUTER rather than the RFC's REP, so that the socket loop (asleep in zmq_poll) can serve
        // it: each request carries its envelope (routing id, empty frame), which the reply returns.
        let socket = try ZMQSocket(context, .router)
        try socket.bind(Self.endpoint)
        loop = try SocketLoop(socket: socket, name: "zap") { [weak self] frames, _ in
            guard let self, frames.count >= 2 else { return }
            loop.send(Array(frames.prefix(2)) + reply(to: Array(frames.dropFirst(2))))
        }
    }

    public func enrol(_ publicKey: String) { lock.withLock { _ = enrolled.insert(publicKey) } }
    public func revoke(_ publicKey: String) { lock.withLock { _ = enrolled.remove(publicKey) } }
    private func isEnrolled(_ publicKey: String) -> Bool { lock.withLock { enrolled.contains(publicKey) } }

    /// Answers handshakes on a thread of its own until `stop()` or cancellation.
    public func run() async { await loop.run() }

    /// Asks the handler to finish; `run()` returns once it has.
    public func stop() { loop.stop() }

    /// Request frames: version, request id, domain, address, routing id, mechanism, credentials...
    func reply(to request: [[UInt8]]) -> [[UInt8]] {
        let requestID = request.count > 1 ? request[1] : []
        func answer(_ code: String, _ text: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(code.utf8), Array(text.utf8), Array(user.utf8), []]
        }
        guard request.count >= 7, request[0] == Array("1.0".utf8) else { return answer("500", "malformed ZAP request") }
        let address = String(decoding: request[3], as: UTF8.self)
        guard request[5] == Array("CURVE".utf8), let key = CurveKeyPair.z85(request[6]) else {
            onRefusal("", address)
            return answer("400", "CURVE required")
        }
        guard isEnrolled(key) else {
            onRefusal(key, address)
            return answer("400", "node key not enrolled")
        }
        return answer("200", "OK", user: key)
    }
}
