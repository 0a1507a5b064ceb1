import BenchmarkSupport
import Foundation
import GRDB
import Shared
import ZeroMQTransport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// The control room under load, against a real `coordinator serve` (release build) on 127.0.0.1:
//   1. the alert feed page with 100,000 stored alerts, loaded by `wrk` (Debian) for 15 s; its
//      server-side p95 from the coordinator's own request histogram (baseline: /health, same load);
//   2. an alert's delivery to a connected browser (the page's event stream), from its capture at a
//      node to its arrival, over 20 alerts (baseline: the same alerts' ack round trip); an alert's
//      page and the reports index under the same load; an operator's Match reaching a connected
//      field officer's page (baseline: the Match's own round trip);
//   3. a flood of wrong sign-ins from 8 addresses for 10 s: /health and alert feed p95 during it
//      (baseline: the same probes just before), what the flood was answered, a real sign-in meanwhile.
// Usage: swift build -c release && $(swift build -c release --show-bin-path)/WebBenchmark

let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let work = NSTemporaryDirectory() + "web-benchmark-\(getpid())"
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }
guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
    FileHandle.standardError.write(
        Data("WebBenchmark needs wrk: apt-get install wrk (scripts/setup.sh --with-test-data installs it)\n".utf8))
    exit(2)
}
let port = 36_000 + Int.random(in: 0..<4000)
// bcrypt at the service's cost, 12, so that the sign-in flood costs what it would in service.
let server = try CoordinatorProcess(
    bin: bin, work: work, subjects: 10, nodes: 1, seed: 1, webPort: port, bcryptCost: 12)
defer { server.stop() }

func http(_ method: String, _ path: String, body: String? = nil, cookie: String? = nil) throws -> (
    status: Int, headers: [String: String], body: String
) {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    request.httpMethod = method
    if let body {
        request.httpBody = Data(body.utf8)
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
    }
    if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: (Int, [String: String], String) = (0, [:], "")
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpShouldSetCookies = false
    final class NoRedirects: NSObject, URLSessionTaskDelegate {
        func urlSession(
            _ s: URLSession, task: URLSessionTask, willPerformHTTPRedirection r: HTTPURLResponse,
            newRequest: URLRequest,
            completionHandler: @escaping (URLRequest?) -> Void
        ) { completionHandler(nil) }
    }
    URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil).dataTask(with: request) {
        data, response, _ in
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http?.allHeaderFields ?? [:] {
            headers[String(describing: k).lowercased()] = String(describing: v)
        }
        result = (http?.statusCode ?? 0, headers, String(decoding: data ?? Data(), as: UTF8.self))
        done.signal()
    }.resume()
    done.wait()
    return result
}

// Wait for the web server, then sign in.
for _ in 0..<100 where (try? http("GET", "/health"))?.status != 200 { Thread.sleep(forTimeInterval: 0.1) }
let supervisor = signIn(port: port, source: "127.0.0.1", name: "bench-supervisor", password: "benchmark password")
guard let cookie = supervisor.cookie else { fatalError("sign-in failed: \(supervisor.status)") }

// A live deployment on the record with a field officer on its team, and 100,000 alerts on it,
// seeded straight into the database (the benchmark is of the pages, not of storing alerts).
_ = try LiveDeployment(stateDirectory: work + "/state", signerKey: work + "/signer.key", bcryptCost: 12)
let pool = try DatabasePool(path: work + "/state/coordinator.sqlite")
let crop = Data(repeating: 0xAB, count: 8000)
var seeded: [String] = []
try pool.write { db in
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    for i in 0..<100_000 {
        let id = UUID().uuidString
        if i < 21 { seeded.append(id) }
        try db.execute(
            sql: """
                INSERT INTO alert (id, node_id, node_key, camera_id, deployment_id, watchlist_version, subject, score,
                distance, captured_at_ms,
                    track, quality, crop, received_at_ms) VALUES (?, 'node-0', 'k', 'cam-0', ?, 1, ?, 0.7, 0.4, ?, 1, x'', ?, ?)
                """,
            arguments: [
                id, LiveDeployment.id, LiveDeployment.subjects[i % 10], now - Int64(i) * 1000, crop,
                now - Int64(i) * 1000,
            ])
    }
}

/// Runs wrk on a path with `connections` clients; returns its summary line of latency percentiles and requests/s.
func load(_ path: String, connections: Int = 16, seconds: Int = 15) throws -> String {
    let wrk = Process()
    wrk.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
    wrk.arguments = [
        "-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-H", "Cookie: \(cookie)",
        "http://127.0.0.1:\(port)\(path)",
    ]
    let out = Pipe()
    wrk.standardOutput = out
    try wrk.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    wrk.waitUntilExit()
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    let pick = { (p: String) in
        lines.first { $0.hasPrefix(p) }?.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init)
            ?? "?"
    }
    return "client p50 \(pick("50%")), p90 \(pick("90%")), p99 \(pick("99%")); \(pick("Requests/sec:")) requests/s"
}

/// A route's request-time histogram as the coordinator exports it: requests answered 200 within
/// each bound (cumulative), and their count.
struct Histogram {
    var buckets: [(bound: Double, count: Double)] = []
    var count = 0.0

    init(route: String, cookie: String) throws {
        let metrics = try http("GET", "/metrics", cookie: cookie)
        guard metrics.status == 200 else { fatalError("metrics refused \(metrics.status): sign in as supervisor") }
        for line in metrics.body.split(separator: "\n")
        where line.contains("route=\"\(route)\"") && line.contains("status=\"200\"") {
            let value = Double(line.split(separator: " ").last ?? "") ?? 0
            if line.hasPrefix("watchpost_http_request_duration_seconds_count") { count = value }
            if line.hasPrefix("watchpost_http_request_duration_seconds_bucket"), let le = line.range(of: "le=\"") {
                let bound = line[le.upperBound...].prefix { $0 != "\"" }
                buckets.append((Double(bound) ?? .infinity, value))
            }
        }
        buckets.sort { $0.bound < $1.bound }
    }

    /// The requests since `earlier`.
    func since(_ earlier: Histogram?) -> Histogram {
        guard let earlier, !earlier.buckets.isEmpty else { return self }
        var d = self
        d.count -= earlier.count
        d.buckets = zip(buckets, earlier.buckets).map { ($0.bound, $0.count - $1.count) }
        return d
    }

    var within100ms: Double { buckets.first { $0.bound >= 0.1 }.map { $0.count / max(count, 1) } ?? 0 }
    /// The smallest bound within which 95% of the requests were answered.
    var p95Bound: String {
        buckets.first { $0.count / max(count, 1) >= 0.95 }.map {
            $0.bound == .infinity ? "> 5 s" : "<= \(Int($0.bound * 1000)) ms"
        } ?? "?"
    }
}

print("web benchmark: coordinator serve (release) with the control room, 100,000 alerts stored, 2 cores, loopback")
print("alert feed /alerts under wrk -t2 -c16 for 15 s: \(try load("/alerts"))")
print("/health under the same load (baseline): \(try load("/health"))")
let feed = try Histogram(route: "/alerts", cookie: cookie), health = try Histogram(route: "/health", cookie: cookie)
print(
    String(
        format:
            "server side, /alerts: %.0f requests, %.1f%% within 100 ms, p95 %@ (target p95 <= 100 ms); /health: %.1f%% within 100 ms, p95 %@",
        feed.count, feed.within100ms * 100, feed.p95Bound, health.within100ms * 100, health.p95Bound))
// An alert's page and the reports index: saturated like the feed, then with two clients at a time
// (a supervisor and an auditor reading at once), each load's own requests taken from the histogram.
for (name, path, route) in [
    ("an alert's page", "/alerts/\(seeded[20])", "/alerts/{id}"), ("the reports index", "/reports", "/reports"),
] {
    for connections in [16, 2] {
        let before = try? Histogram(route: route, cookie: cookie)
        let client = try load(path, connections: connections, seconds: connections == 16 ? 15 : 10)
        let server = try Histogram(route: route, cookie: cookie).since(before)
        print(
            "\(name) (\(route)), \(connections) clients: server side \(Int(server.count)) requests, p95 \(server.p95Bound) "
                + "(target p95 <= 20 ms); \(client)")
    }
}

// Delivery: a node sends alerts captured now; the browser's event stream receives them.
let context = ZMQContext()
let node = try server.connect(context, node: 0, receiveTimeout: .seconds(5))
try node.send([WireMessage.hello(.init(nodeID: "node-0", software: "bench", heldWatchlistVersion: 1)).encode()])
let stream = try EventStreamReader(port: port, path: "/alerts/stream", cookie: cookie)
var delivery: [Double] = [], acks: [Double] = []
for i in 0..<20 {
    let captured = Date()
    try node.send([
        WireMessage.alert(
            .init(
                alertID: UUID(), nodeID: "node-0", cameraID: "cam-0", deploymentID: "bench", watchlistVersion: 1,
                subject: "s-\(i)", score: 0.5, distance: 0.4, capturedAt: captured, track: UInt64(i),
                quality: [1, 2, 3, 4, 5, 6, 7], cropJPEG: [UInt8](repeating: 0xAB, count: 10_000))
        ).encode()
    ])
    while true { if case .ack = try WireMessage.decode(node.receive()[0]) { break } }
    acks.append(Date().timeIntervalSince(captured) * 1000)
    guard stream.next(event: "alert", timeout: .seconds(5)) != nil else {
        fatalError("alert \(i) never reached the event stream")
    }
    delivery.append(Date().timeIntervalSince(captured) * 1000)
    Thread.sleep(forTimeInterval: 0.2)
}
func percentile(_ v: [Double], _ p: Double) -> Double {
    let s = v.sorted()
    return s[min(s.count - 1, Int(Double(s.count) * p))]
}
print(
    String(
        format:
            "alert capture to the browser's event stream (20 alerts): p50 %.1f ms, p95 %.1f ms, max %.1f ms (target <= 1 s); ack round trip p50 %.1f ms; ratio %.1f",
        percentile(delivery, 0.5), percentile(delivery, 0.95), delivery.max() ?? 0, percentile(acks, 0.5),
        percentile(delivery, 0.5) / max(percentile(acks, 0.5), 0.001)))

// An operator's Match reaching a connected field officer's page (its event stream), over 20
// alerts (baseline: the Match's own round trip, the POST answered).
let operatorSession = signIn(port: port, source: "127.0.0.1", name: "bench-operator", password: LiveDeployment.password)
let fieldSession = signIn(port: port, source: "127.0.0.1", name: "bench-field", password: LiveDeployment.password)
guard let operatorCookie = operatorSession.cookie, let fieldCookie = fieldSession.cookie,
    let csrf = hiddenCSRF(try http("GET", "/alerts", cookie: operatorCookie).body)
else { fatalError("operator or field officer sign-in failed: \(operatorSession.status) \(fieldSession.status)") }
let fieldStream = try EventStreamReader(port: port, path: "/field/stream", cookie: fieldCookie)
var toField: [Double] = [], matchAnswered: [Double] = []
for id in seeded.prefix(20) {
    let start = Date()
    let review = try http("POST", "/alerts/\(id)/review", body: "csrf=\(csrf)&decision=match", cookie: operatorCookie)
    guard review.status == 302 else { fatalError("Match refused: \(review.status) \(review.body)") }
    matchAnswered.append(Date().timeIntervalSince(start) * 1000)
    guard let data = fieldStream.next(event: "alert", timeout: .seconds(5)), data.contains(id) else {
        fatalError("the match of \(id) never reached the field officer's stream")
    }
    toField.append(Date().timeIntervalSince(start) * 1000)
    Thread.sleep(forTimeInterval: 0.2)
}
print(
    String(
        format:
            "operator's Match to the field officer's page (20 alerts): p50 %.1f ms, p95 %.1f ms, max %.1f ms (target p95 <= 1 s); the Match answered p50 %.1f ms; ratio %.1f",
        percentile(toField, 0.5), percentile(toField, 0.95), toField.max() ?? 0, percentile(matchAnswered, 0.5),
        percentile(toField, 0.5) / max(percentile(matchAnswered, 0.5), 0.001)))

runSignInFlood(port: port, supervisorCookie: cookie)
