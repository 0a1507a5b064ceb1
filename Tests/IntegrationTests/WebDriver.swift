import Foundation
import TestSupport
import XCTest

/// A headless Chromium driven through W3C WebDriver (Debian's `chromium-driver`), spoken as
/// plain JSON over HTTP: enough to sign in, click, read pages and take screenshots.
final class Browser {
    static let chromium = "/usr/bin/chromium"
    static let driver = "/usr/bin/chromedriver"
    private static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    private let process: ChildProcess
    private let base: String
    private let session: String

    /// A phone's viewport, as the field officer's pages are tested at.
    static let phone = (width: 390, height: 844)

    /// Starts chromedriver and a headless browser session, on a desktop window or, with `phone`,
    /// with Chromium's emulation of a phone's screen and touch; skips the test when they are not installed.
    init(phone: Bool = false) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.chromium),
            FileManager.default.isExecutableFile(atPath: Self.driver)
        else {
            throw XCTSkip(
                "headless browser tests need Debian's chromium and chromium-driver: scripts/setup.sh --with-test-data installs them"
            )
        }
        (process, base) = try Self.startDriver()
        var options: [String: Any] = [
            "binary": Self.chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
            ],
        ]
        if phone {
            options["mobileEmulation"] = [
                "deviceMetrics": [
                    "width": Self.phone.width, "height": Self.phone.height, "pixelRatio": 1, "touch": true,
                ]
            ]
        }
        let created = try Self.request(
            "POST", base + "/session",
            ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]]])
        guard let value = created["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw CommandFailureForTests("no browser session: \(created)")
        }
        session = id
    }

    /// Starts chromedriver on a random port and waits until it answers. A port another process
    /// holds makes chromedriver exit at once: that try is abandoned for another port. On a loaded
    /// 2-core machine it can take many seconds to answer, hence the long wait.
    private static func startDriver() throws -> (ChildProcess, String) {
        var lastError = ""
        for _ in 0..<5 {
            let port = Fixtures.freePort()
            let base = "http://127.0.0.1:\(port)"
            let process = try ChildProcess(driver, ["--port=\(port)"])
            let deadline = ContinuousClock.now + .seconds(90)
            while process.process.isRunning, ContinuousClock.now < deadline {
                do {
                    _ = try request("GET", base + "/status", nil)
                    return (process, base)
                } catch { lastError = "\(base): \(error)" }
                usleep(100_000)
            }
            lastError += process.process.isRunning ? " (no answer in 90 s)" : " (exited: \(process.stderr.suffix(300)))"
            process.signal(SIGTERM)
        }
        throw CommandFailureForTests("chromedriver did not answer on five ports; last \(lastError)")
    }

    deinit {
        _ = try? Self.request("DELETE", base + "/session/\(session)", nil)
        process.signal(SIGTERM)
    }

    func open(_ url: String) throws { _ = try command("POST", "url", ["url": url]) }

    var source: String { get throws { try command("GET", "source", nil) as? String ?? "" } }
    var url: String { get throws { try command("GET", "url", nil) as? String ?? "" } }

    func type(_ text: String, into css: String) throws {
        _ = try command("POST", "element/\(element(css))/value", ["text": text])
    }
    func click(_ css: String) throws { _ = try command("POST", "element/\(element(css))/click", [:]) }

    /// A form field's current value.
    func value(of css: String) throws -> String {
        try command("GET", "element/\(element(css))/property/value", nil) as? String ?? ""
    }

    /// Presses and releases one key on whatever has the focus, as a person at the keyboard would.
    func press(_ key: String) throws {
        _ = try command(
            "POST", "actions",
            [
                "actions": [
                    [
                        "type": "key", "id": "keyboard",
                        "actions": [["type": "keyDown", "value": key], ["type": "keyUp", "value": key]],
                    ]
                ]
            ])
    }

    /// Runs a script in the page and returns what it returns (`return` it), awaiting a promise.
    func run(_ script: String) throws -> Any? {
        try command(
            "POST", "execute/async",
            [
                "script":
                    "const done = arguments[arguments.length - 1]; Promise.resolve((async () => { \(script) })()).then(done, e => done({error: String(e)}));",
                "args": [],
            ])
    }

    /// axe-core's WCAG 2.0 A and AA violations on the page as it is, one line each: the rule and
    /// the elements that break it (axe.min.js from axe-selenium-python 2.1.6, installed by setup).
    func accessibilityViolations() throws -> [String] {
        let axe = try String(contentsOfFile: try Fixtures.testData("axe.min.js"), encoding: .utf8)
        _ = try command("POST", "execute/sync", ["script": axe + "\n;return true;", "args": []])
        let found = try run(
            """
            const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
            return r.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "));
            """)
        guard let lines = found as? [String] else {
            throw CommandFailureForTests("axe did not run: \(String(describing: found))")
        }
        return lines
    }

    /// Polls the page (no reload) until its source contains `text`.
    func waitFor(_ text: String, timeout: Duration) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try source.contains(text) { return true }
            usleep(250_000)
        }
        return false
    }

    /// Saves a PNG of the viewport.
    func screenshot(to path: String) throws {
        guard let base64 = try command("GET", "screenshot", nil) as? String, let data = Data(base64Encoded: base64)
        else { return }
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }

    func signIn(_ web: String, _ name: String, _ password: String) throws {
        try open(web + "/login")
        try type(name, into: "input[name=name]")
        try type(password, into: "input[name=password]")
        try click("form[action='/login'] button")
        let deadline = ContinuousClock.now + .seconds(10)
        while try url.hasSuffix("/login"), ContinuousClock.now < deadline { usleep(100_000) }
    }

    private func element(_ css: String) throws -> String {
        let found = try command("POST", "element", ["using": "css selector", "value": css])
        guard let element = (found as? [String: Any])?[Self.elementKey] as? String else {
            throw CommandFailureForTests(
                "no element \(css): \(String(describing: found)) on \((try? source)?.prefix(300) ?? "")")
        }
        return element
    }

    private func command(_ method: String, _ path: String, _ body: [String: Any]?) throws -> Any? {
        let reply = try Self.request(method, "\(base)/session/\(session)/\(path)", body)
        if let value = reply["value"] as? [String: Any], let error = value["error"] as? String {
            throw CommandFailureForTests("WebDriver \(path): \(error): \(value["message"] ?? "")")
        }
        return reply["value"]
    }

    /// One request over a fresh socket (`Connection: close`): FoundationNetworking's client refuses
    /// chromedriver's response headers ("Failed writing header"), so this speaks HTTP/1.1 itself.
    private static func request(_ method: String, _ url: String, _ body: [String: Any]?) throws -> [String: Any] {
        let parsed = URL(string: url)!
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        var head = "\(method) \(parsed.path) HTTP/1.1\r\nHost: 127.0.0.1:\(parsed.port!)\r\nConnection: close\r\n"
        if body != nil { head += "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n" }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(parsed.port!).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw URLError(.cannotConnectToHost) }
        let bytes = Array((head + "\r\n").utf8) + Array(payload)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw URLError(.networkConnectionLost) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        // Read to the end of the body: its Content-Length, the last chunk, or the connection's close.
        while !Self.isComplete(response) {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            response += chunk[..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw URLError(.badServerResponse) }
        var content = String(text[split.upperBound...])
        if text[..<split.lowerBound].lowercased().contains("transfer-encoding: chunked") { content = dechunk(content) }
        return (try? JSONSerialization.jsonObject(with: Data(content.utf8))) as? [String: Any] ?? [:]
    }

    private static func isComplete(_ response: [UInt8]) -> Bool {
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return false }
        let headers = text[..<split.lowerBound].lowercased()
        if let length = headers.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let count = Int(length.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        {
            return text[split.upperBound...].utf8.count >= count
        }
        return headers.contains("transfer-encoding: chunked") && text.hasSuffix("0\r\n\r\n")
    }

    private static func dechunk(_ body: String) -> String {
        var rest = Substring(body), out = ""
        while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
            let start = line.upperBound
            let utf8 = rest.utf8
            let end = utf8.index(start, offsetBy: size)
            out += String(rest[start..<end])
            rest = rest[end...].dropFirst(2)
        }
        return out
    }
}

struct CommandFailureForTests: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
