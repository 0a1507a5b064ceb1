import Foundation

/// One HTTP/1.1 request on a new connection from a chosen loopback address (127.0.0.x), so that a
/// flood can come from several client addresses as it would from several machines. URLSession
/// cannot choose its source address; this is the least that can.
struct LoopbackHTTP {
    struct Reply {
        var status: Int
        var head: String
        var body: String

        /// `name=value` of a cookie the reply sets.
        func cookie(_ name: String) -> String? {
            head.split(separator: "\r\n").filter { $0.lowercased().hasPrefix("set-cookie: \(name)=") }
                .compactMap { $0.dropFirst("set-cookie: ".count).split(separator: ";").first.map(String.init) }.first
        }
    }

    let source: String
    let port: Int

    func get(_ path: String, cookie: String? = nil) -> Reply? {
        send(
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\(cookie.map { "Cookie: \($0)\r\n" } ?? "")\r\n"
        )
    }

    func post(_ path: String, form: String, cookie: String? = nil) -> Reply? {
        send(
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(form.utf8.count)\r\n\(cookie.map { "Cookie: \($0)\r\n" } ?? "")\r\n\(form)")
    }

    private func send(_ request: String) -> Reply? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var local = sockaddr_in(), remote = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, connected == 0 else { return nil }
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { return nil }
        var received: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"),
            let status = Int(text.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return Reply(status: status, head: String(text[..<split.lowerBound]), body: String(text[split.upperBound...]))
    }
}
