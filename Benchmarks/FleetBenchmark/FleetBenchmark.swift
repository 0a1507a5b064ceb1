import BenchmarkSupport
import Foundation
import Shared
import ZeroMQTransport

/// A fleet of simulated edge nodes against one real `coordinator serve` on this machine: real
/// CURVE sockets, real wire messages, no vision. Every node heartbeats every 5 s; alerts come at a
/// realistic rate, then in a burst; then every node asks for the watchlist at once. Prints the
/// coordinator's CPU and RSS per phase, alert round trips, the push time against what a single
/// CURVE connection moves on loopback in the same run, and the nodes lost.
///
///     swift build -c release && .build/release/FleetBenchmark [--nodes 1000] [--subjects 1000] [--steady-seconds 60]
@main
enum FleetBenchmark {
    static func main() throws {
        let args = CommandLine.arguments
        func option(_ name: String, _ fallback: Int) -> Int {
            args.firstIndex(of: name).flatMap { Int(args[$0 + 1]) } ?? fallback
        }
        let nodeCount = option("--nodes", 1000), subjects = option("--subjects", 1000),
            steady = option("--steady-seconds", 60)
        let bin = URL(fileURLWithPath: args[0]).deletingLastPathComponent().path
        let work = NSTemporaryDirectory() + "watchpost-fleet-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        let fleet = try Fleet(bin: bin, work: work, nodes: nodeCount, subjects: subjects)
        defer { fleet.stop() }
        print(
            "fleet benchmark: \(nodeCount) simulated nodes (CURVE, heartbeat every 5 s), one coordinator serve, 2 cores, loopback"
        )
        let connect = try fleet.connectAll()
        print(String(format: "connect and hello: all %d nodes answered in %.1f s", nodeCount, connect))

        let realistic = try fleet.run(seconds: Double(steady), alertsPerSecond: 2)
        print(realistic.line("steady, 2 alerts/s"))
        let burst = try fleet.burst()
        print(burst.line("burst, one alert from every node at once"))
        let push = try fleet.pushToAll()
        let baseline = try Fleet.loopbackBaseline(bytes: push.bundleBytes, copies: nodeCount)
        print(
            String(
                format:
                    "push of a %d-subject bundle (%.2f MB) to all %d nodes: %.1f s; one CURVE connection moves the same %.0f MB in %.2f s (ratio %.1f); coordinator CPU %.0f%%, RSS %.0f MiB",
                subjects, Double(push.bundleBytes) / 1e6, nodeCount, push.seconds,
                Double(push.bundleBytes * nodeCount) / 1e6,
                baseline, push.seconds / baseline, push.cpuPercent, push.rssMiB))
        let lost = fleet.nodesLost(within: 15)
        print("nodes lost (no heartbeat answer in the last 15 s): \(lost)")
    }
}

/// The simulated nodes, spread over a few threads that each own their sockets (libzmq's rule)
/// and wait on them with zmq_poll, and the coordinator process.
final class Fleet: @unchecked Sendable {
    struct PhaseFigures {
        var alerts = 0, acked = 0
        var p50Ms = 0.0, p95Ms = 0.0, maxMs = 0.0
        var cpuPercent = 0.0, rssMiB = 0.0, seconds = 0.0

        func line(_ name: String) -> String {
            String(
                format:
                    "%@: %d alerts, %d acked; round trip p50 %.1f ms, p95 %.1f ms, max %.1f ms; coordinator CPU %.0f%% of one core, RSS %.0f MiB over %.1f s",
                name, alerts, acked, p50Ms, p95Ms, maxMs, cpuPercent, rssMiB, seconds)
        }
    }

    private let server: CoordinatorProcess
    private let context = ZMQContext(maxSockets: 4096)
    private let threads = 4
    var bundleBytes: Int { server.bundleFrameBytes }
    private var keys: [CurveKeyPair] { server.nodes }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var lastAnswer: [Int: Date] = [:]
    private var sentAt: [UUID: ContinuousClock.Instant] = [:]
    private var roundTrips: [Double] = []
    private var bundlesReceived = 0
    private var outgoing: [[(node: Int, frame: [UInt8])]]
    private var running = true
    private var finished = DispatchGroup()

    init(bin: String, work: String, nodes: Int, subjects: Int) throws {
        server = try CoordinatorProcess(bin: bin, work: work, subjects: subjects, nodes: nodes, seed: 11)
        outgoing = Array(repeating: [], count: threads)
    }

    func stop() {
        lock.withLock { running = false }
        finished.wait()
        server.stop()
    }

    private var isRunning: Bool { lock.withLock { running } }
    private func thread(of node: Int) -> Int { node % threads }

    private func queue(_ node: Int, _ message: WireMessage) {
        let frame = message.encode()
        lock.withLock { outgoing[thread(of: node)].append((node, frame)) }
    }

    private func heartbeat(_ node: Int, held: UInt64) -> WireMessage {
        .heartbeat(
            .init(
                uptimeSeconds: 60, framesPerSecond: 15, facesSeen: 1200, framesDropped: 0, watchlistVersion: held,
                qualityRejections: ["too_small": 40, "blurred": 3]))
    }

    /// Connects every node (CURVE handshake), starts the threads and waits for every hello's answer.
    func connectAll() throws -> Double {
        let start = ContinuousClock.now
        for t in 0..<threads {
            let mine = keys.indices.filter { thread(of: $0) == t }
            var sockets: [ZMQSocket] = []
            for n in mine { sockets.append(try server.connect(context, node: n, receiveTimeout: .zero)) }
            nonisolated(unsafe) let owned = sockets
            finished.enter()
            Thread { [self] in serve(nodes: mine, sockets: owned) }.start()
        }
        // Holding the current version: a heartbeat is answered, no bundle is pushed yet.
        for n in keys.indices { queue(n, heartbeat(n, held: 1)) }
        while lock.withLock({ lastAnswer.count }) < keys.count {
            guard ContinuousClock.now - start < .seconds(120) else {
                throw CommandFailure("only \(lastAnswer.count) nodes answered in 120 s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return (ContinuousClock.now - start) / .seconds(1)
    }

    /// One thread's nodes: send what is queued for them, receive and note answers, acks and bundles.
    private func serve(nodes: [Int], sockets: [ZMQSocket]) {
        defer { finished.leave() }
        let t = thread(of: nodes[0])
        let slot = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1, $0) })
        while isRunning {
            let due: [(node: Int, frame: [UInt8])] = lock.withLock {
                let queued = outgoing[t]
                outgoing[t].removeAll()
                return queued
            }
            for item in due { try? sockets[slot[item.node]!].send([item.frame]) }
            guard let ready = try? ZMQSocket.readable(sockets, timeout: .milliseconds(5)) else { continue }
            for i in ready {
                while let frames = try? sockets[i].receive() {
                    guard frames.count == 1, let message = try? WireMessage.decode(frames[0]) else { continue }
                    let now = Date(), instant = ContinuousClock.now
                    lock.withLock {
                        switch message {
                        case .heartbeat: lastAnswer[nodes[i]] = now
                        case .ack(let id):
                            if let sent = sentAt.removeValue(forKey: id) {
                                roundTrips.append((instant - sent) / .milliseconds(1))
                            }
                        case .watchlistBundle: bundlesReceived += 1
                        default: break
                        }
                    }
                }
            }
        }
    }

    private func sendAlert(from node: Int) {
        let id = UUID()
        // "bench": the coordinator's standing list's deployment; an alert for any other is refused (acked, not stored).
        let alert = WireMessage.alert(
            .init(
                alertID: id, nodeID: "node-\(node)", cameraID: "cam-\(node)", deploymentID: "bench",
                watchlistVersion: 1, subject: "s-\(node % 1000)", score: 0.2, distance: 0.7,
                capturedAt: Date(), track: UInt64(node), quality: [40, 300, 120, 50, 0.1, 0.2, 3],
                cropJPEG: [UInt8](repeating: 0xAB, count: 12_000)))
        lock.withLock { sentAt[id] = ContinuousClock.now }
        queue(node, alert)
    }

    /// Heartbeats from every node every 5 s (staggered) and alerts at `alertsPerSecond` for `seconds`.
    func run(seconds: Double, alertsPerSecond: Double) throws -> PhaseFigures {
        lock.withLock { roundTrips.removeAll() }
        let cpu = CPUSampler(pid: server.pid)
        let start = ContinuousClock.now
        var nextBeat = keys.indices.map { start + .milliseconds(5000 * $0 / keys.count) }
        var alerts = 0
        while ContinuousClock.now - start < .seconds(seconds) {
            let now = ContinuousClock.now
            for n in keys.indices where nextBeat[n] <= now {
                queue(n, heartbeat(n, held: 1))
                nextBeat[n] = now + .seconds(5)
            }
            let due = Int(((now - start) / .seconds(1)) * alertsPerSecond)
            while alerts < due {
                sendAlert(from: Int.random(in: keys.indices))
                alerts += 1
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Thread.sleep(forTimeInterval: 1)  // the last acks
        return figures(alerts: alerts, cpu: cpu, seconds: seconds)
    }

    /// Every node sends one alert at the same moment.
    func burst() throws -> PhaseFigures {
        lock.withLock { roundTrips.removeAll() }
        let cpu = CPUSampler(pid: server.pid)
        let start = ContinuousClock.now
        for n in keys.indices { sendAlert(from: n) }
        while lock.withLock({ roundTrips.count }) < keys.count, ContinuousClock.now - start < .seconds(60) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        return figures(alerts: keys.count, cpu: cpu, seconds: (ContinuousClock.now - start) / .seconds(1))
    }

    private func figures(alerts: Int, cpu: CPUSampler, seconds: Double) -> PhaseFigures {
        let times = lock.withLock { roundTrips.sorted() }
        func at(_ q: Double) -> Double {
            times.isEmpty ? .nan : times[min(times.count - 1, Int(Double(times.count) * q))]
        }
        return PhaseFigures(
            alerts: alerts, acked: times.count, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: times.last ?? .nan,
            cpuPercent: cpu.percentSinceStart(), rssMiB: cpu.rssMiB(), seconds: seconds)
    }

    /// Every node says it holds no watchlist; the time until every one has received the bundle.
    func pushToAll() throws -> (seconds: Double, bundleBytes: Int, cpuPercent: Double, rssMiB: Double) {
        let cpu = CPUSampler(pid: server.pid)
        let start = ContinuousClock.now
        for n in keys.indices { queue(n, heartbeat(n, held: 0)) }
        while lock.withLock({ bundlesReceived }) < keys.count {
            guard ContinuousClock.now - start < .seconds(600) else {
                throw CommandFailure("only \(bundlesReceived) bundles arrived in 600 s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return ((ContinuousClock.now - start) / .seconds(1), bundleBytes, cpu.percentSinceStart(), cpu.rssMiB())
    }

    /// Nodes whose last heartbeat answer is older than `seconds`, after one more round of heartbeats.
    func nodesLost(within seconds: Double) -> Int {
        for n in keys.indices { queue(n, heartbeat(n, held: 1)) }
        Thread.sleep(forTimeInterval: 5)
        let now = Date()
        return lock.withLock {
            keys.indices.filter { now.timeIntervalSince(lastAnswer[$0] ?? .distantPast) > seconds }.count
        }
    }

    /// Seconds for one CURVE connection on loopback to carry `copies` frames of `bytes` each: what
    /// the push could take at best on this machine, measured in the same run.
    static func loopbackBaseline(bytes: Int, copies: Int) throws -> Double {
        let context = ZMQContext()
        let server = try CurveKeyPair.generate(), client = try CurveKeyPair.generate()
        let router = try ZMQSocket(context, .router), dealer = try ZMQSocket(context, .dealer)
        try router.makeCurveServer(server, domain: "baseline")
        try dealer.makeCurveClient(client, serverKey: server.publicKey)
        try router.setMaxMessageSize(Int64(WireMessage.maxFrameBytes))
        try dealer.setMaxMessageSize(Int64(WireMessage.maxFrameBytes))
        try router.bind("tcp://127.0.0.1:*")
        try dealer.connect(router.lastEndpoint)
        for s in [router, dealer] { try s.setReceiveTimeout(.seconds(30)) }
        try dealer.send([[1]])
        let peer = try router.receive()[0]
        let frame = [UInt8](repeating: 0x5A, count: bytes)
        let start = ContinuousClock.now
        nonisolated(unsafe) let owned = router
        let sender = Thread { for _ in 0..<copies { try? owned.send([peer, frame]) } }
        sender.start()
        for _ in 0..<copies { _ = try dealer.receive() }
        return (ContinuousClock.now - start) / .seconds(1)
    }
}

/// The coordinator's CPU time (utime + stime from /proc/PID/stat) and resident memory.
struct CPUSampler {
    let pid: Int32
    private let startTicks: Double
    private let start = ContinuousClock.now

    init(pid: Int32) {
        self.pid = pid
        startTicks = Self.ticks(pid)
    }

    static func ticks(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)  // utime, stime (fields 14 and 15)
    }

    func percentSinceStart() -> Double {
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        return seconds > 0 ? (Self.ticks(pid) - startTicks) / Double(sysconf(Int32(_SC_CLK_TCK))) / seconds * 100 : 0
    }

    func rssMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) / 1024
    }
}
