import Foundation

/// Signs in through the sign-in form from `source`, as a browser does; the session cookie, or nil.
func signIn(port: Int, source: String, name: String, password: String) -> (status: Int, cookie: String?) {
    let client = LoopbackHTTP(source: source, port: port)
    guard let page = client.get("/login"), let formCookie = page.cookie("wp_login"), let token = hiddenCSRF(page.body)
    else { return (0, nil) }
    let encoded = { (s: String) in s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
    guard
        let reply = client.post(
            "/login", form: "name=\(encoded(name))&password=\(encoded(password))&csrf=\(token)", cookie: formCookie)
    else {
        return (0, nil)
    }
    return (reply.status, reply.cookie("wp_session"))
}

func hiddenCSRF(_ page: String) -> String? {
    guard let range = page.range(of: #"name="csrf" value=""#) else { return nil }
    return String(page[range.upperBound...].prefix { $0 != "\"" })
}

/// Latencies in milliseconds of `probe` run every `every` until `until`.
func probe(every: TimeInterval, until: Date, _ request: () -> Int?) -> (ms: [Double], failures: Int) {
    var ms: [Double] = [], failures = 0
    while Date() < until {
        let start = ContinuousClock.now
        if request() != 200 { failures += 1 }
        let elapsed = ContinuousClock.now - start
        ms.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        Thread.sleep(forTimeInterval: every)
    }
    return (ms, failures)
}

/// One flood's figures: the probes' p95 before and during it, how it was answered, and the real
/// supervisor's sign-ins meanwhile.
struct FloodRound {
    var healthBefore: Double, healthDuring: Double, feedBefore: Double, feedDuring: Double
    var probeFailures: Int
    var statuses: [Int: Int]
    var legitimate: [(status: Int, ms: Double)]
}

/// The flood of issue 21: `clients` clients, each from its own loopback address, send wrong
/// sign-ins as fast as they are answered (half for a locked account, half for unknown names) for
/// `seconds`, while /health and the alert feed are probed from another address and the real
/// supervisor signs in from a third. Run `repeats` times, each round from fresh addresses (the
/// per-address limits outlast a round); prints each round and the medians.
func runSignInFlood(port: Int, supervisorCookie: String, clients: Int = 8, seconds: TimeInterval = 10, repeats: Int = 3)
{
    // Lock an account: five wrong passwords from an address of its own.
    for _ in 0..<5 {
        _ = signIn(port: port, source: "127.0.0.250", name: "bench-locked", password: "not the password at all")
    }
    print(
        String(
            format:
                "sign-in flood: %d clients on their own addresses, %.0f s, wrong passwords for a locked account and unknown names; %d rounds",
            clients, seconds, repeats))
    var rounds: [FloodRound] = []
    for round in 0..<repeats {
        let r = floodRound(
            port: port, supervisorCookie: supervisorCookie, clients: clients, seconds: seconds,
            firstAddress: 10 + round * clients)
        rounds.append(r)
        let total = r.statuses.values.reduce(0, +)
        print(
            String(
                format:
                    "  round %d: /health p95 %.1f ms (before %.1f), alert feed p95 %.1f ms (before %.1f), probe failures %d; %.0f sign-ins/s: ",
                round + 1, r.healthDuring, r.healthBefore, r.feedDuring, r.feedBefore, r.probeFailures,
                Double(total) / seconds)
                + r.statuses.sorted { $0.key < $1.key }.map { "\($0.value) x \($0.key)" }.joined(separator: ", ")
                + "; the supervisor: "
                + r.legitimate.map { String(format: "%d in %.0f ms", $0.status, $0.ms) }.joined(separator: ", "))
    }
    func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
    let health = rounds.map(\.healthDuring), healthBefore = rounds.map(\.healthBefore), feed = rounds.map(\.feedDuring),
        feedBefore = rounds.map(\.feedBefore)
    let legitimate = rounds.flatMap(\.legitimate)
    print(
        String(
            format:
                "  median of %d rounds: /health p95 %.1f ms during the flood (%.1f-%.1f), %.1f ms before (ratio %.1f); alert feed p95 %.1f ms during (%.1f-%.1f), %.1f ms before (ratio %.1f); target both <= 100 ms",
            repeats, median(health), health.min()!, health.max()!, median(healthBefore),
            median(health) / max(median(healthBefore), 0.001),
            median(feed), feed.min()!, feed.max()!, median(feedBefore), median(feed) / max(median(feedBefore), 0.001)))
    print(
        String(
            format: "  the supervisor's %d sign-ins during floods: %d refused, median %.0f ms, longest %.0f ms",
            legitimate.count, legitimate.filter { $0.status != 302 }.count, median(legitimate.map(\.ms)),
            legitimate.map(\.ms).max() ?? 0))
}

func floodRound(port: Int, supervisorCookie: String, clients: Int, seconds: TimeInterval, firstAddress: Int)
    -> FloodRound
{
    let health = LoopbackHTTP(source: "127.0.0.2", port: port)
    func probes(for duration: TimeInterval) -> (health: [Double], feed: [Double], failures: Int) {
        let until = Date() + duration
        nonisolated(unsafe) var feed: (ms: [Double], failures: Int) = ([], 0)
        let feedThread = Thread {
            feed = probe(every: 0.25, until: until) { health.get("/alerts", cookie: supervisorCookie)?.status }
        }
        feedThread.start()
        let h = probe(every: 0.05, until: until) { health.get("/health")?.status }
        while feedThread.isExecuting || !feedThread.isFinished { Thread.sleep(forTimeInterval: 0.05) }
        return (h.ms, feed.ms, h.failures + feed.failures)
    }
    let baseline = probes(for: 5)

    let answers = NSLock()
    nonisolated(unsafe) var statuses: [Int: Int] = [:]
    let until = Date() + seconds
    let flooders = (0..<clients).map { i in
        Thread {
            var n = 0
            while Date() < until {
                n += 1
                let name = i % 2 == 0 ? "bench-locked" : "nobody-\(firstAddress + i)-\(n)"
                let status = signIn(
                    port: port, source: "127.0.0.\(firstAddress + i)", name: name, password: "wrong password \(n)"
                ).status
                answers.withLock { statuses[status, default: 0] += 1 }
            }
        }
    }
    flooders.forEach { $0.start() }
    nonisolated(unsafe) var legitimate: [(status: Int, ms: Double)] = []
    let legitimateThread = Thread {
        Thread.sleep(forTimeInterval: 2)
        for _ in 0..<3 {
            let start = ContinuousClock.now
            let status = signIn(
                port: port, source: "127.0.0.3", name: "bench-supervisor", password: "benchmark password"
            ).status
            let elapsed = ContinuousClock.now - start
            legitimate.append(
                (status, Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15))
            Thread.sleep(forTimeInterval: 1)
        }
    }
    legitimateThread.start()
    let flood = probes(for: seconds)
    while flooders.contains(where: { !$0.isFinished }) || !legitimateThread.isFinished {
        Thread.sleep(forTimeInterval: 0.05)
    }
    func p95(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.isEmpty ? .nan : s[min(s.count - 1, Int(Double(s.count) * 0.95))]
    }
    return FloodRound(
        healthBefore: p95(baseline.health), healthDuring: p95(flood.health), feedBefore: p95(baseline.feed),
        feedDuring: p95(flood.feed),
        probeFailures: flood.failures + baseline.failures, statuses: statuses, legitimate: legitimate)
}
