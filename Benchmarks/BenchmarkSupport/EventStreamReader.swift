import Foundation

/// A server-sent event stream read over a plain socket, as a browser's EventSource reads it: the
/// control room's live alert feed, for the web tests and the web benchmark.
public final class EventStreamReader {
    private let fd: Int32
    private var buffer = ""

    /// Connects; sends a GET of `path` with the cookie, or nothing when `path` is nil (an idle connection).
    public init(port: Int, path: String?, cookie: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw URLError(.cannotConnectToHost) }
        guard let path else { return }
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nCookie: \(cookie)\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
    }

    deinit { close(fd) }

    /// The data line of the next event of this name, or nil after `timeout` or when the stream ends.
    public func next(event name: String, timeout: Duration) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let range = buffer.range(of: "event: \(name)\ndata: "),
                let end = buffer[range.upperBound...].firstIndex(of: "\n")
            {
                let data = String(buffer[range.upperBound..<end])
                buffer = String(buffer[end...])
                return data
            }
            guard readChunk() else { return nil }
        }
        return nil
    }

    /// Whether the server ends the response (the chunked body's last chunk) or closes the
    /// connection within `timeout` (what it sends meanwhile is kept for `next`).
    public func hasEnded(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if buffer.contains("\r\n0\r\n\r\n") { return true }
            guard readChunk() else { return true }
        }
        return false
    }

    /// Waits up to 100 ms for bytes and adds them to the buffer; false when the connection is closed.
    private func readChunk() -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 100) > 0 else { return true }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        buffer += String(decoding: chunk[..<n], as: UTF8.self)
        return true
    }
}
