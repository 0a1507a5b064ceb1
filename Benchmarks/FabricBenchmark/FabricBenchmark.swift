import BenchmarkSupport
import Foundation
import Shared
import ZeroMQTransport

/// The fabric's figures on loopback: alert round trip over CURVE (and over plain TCP as the
/// baseline, in the same process), alerts stored durably per second by a real `coordinator serve`,
/// and the time to push a 10,000-subject bundle to 50 connected nodes.
///
///     swift build -c release && .build/release/FabricBenchmark
@main
enum FabricBenchmark {
    static func main() throws {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let work = NSTemporaryDirectory() + "watchpost-fabric-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let crop = [UInt8](repeating: 0xAB, count: 10_000)

        // Alternated and repeated, so that warm-up and frequency changes do not favour either.
        var curveRuns: [(p50: Double, p95: Double)] = [], plainRuns: [(p50: Double, p95: Double)] = []
        for _ in 0..<3 {
            plainRuns.append(try roundTrips(curve: false, crop: crop))
            curveRuns.append(try roundTrips(curve: true, crop: crop))
        }
        func median(_ runs: [(p50: Double, p95: Double)]) -> (p50: Double, p95: Double) {
            (runs.map(\.p50).sorted()[runs.count / 2], runs.map(\.p95).sorted()[runs.count / 2])
        }
        let curve = median(curveRuns), plain = median(plainRuns)
        print("fabric benchmark (loopback, 2 cores; round trips: median of 3 runs of 2,000)")
        print(
            String(format: "alert round trip (10 KB crop), CURVE:     p50 %.3f ms, p95 %.3f ms", curve.p50, curve.p95))
        print(
            String(
                format:
                    "alert round trip (10 KB crop), plain TCP: p50 %.3f ms, p95 %.3f ms (CURVE/plain p50 ratio %.2f)",
                plain.p50, plain.p95, curve.p50 / plain.p50))

        let server = try Coordinator(bin: bin, work: work, subjects: 10_000, nodes: 50)
        defer { server.stop() }
        let stored = try server.storeAlerts(count: 5_000, crop: crop)
        print(
            String(
                format: "alerts stored durably by coordinator serve: %.0f alerts/s (5,000 alerts, 10 KB crops, acked)",
                stored))
        let push = try server.pushToNodes()
        print(
            String(
                format: "push of a 10,000-subject bundle (%.1f MB) to 50 connected nodes: %.2f s", push.megabytes,
                push.seconds))
    }

    static func roundTrips(curve: Bool, crop: [UInt8]) throws -> (p50: Double, p95: Double) {
        let context = ZMQContext()
        let serverKeys = try CurveKeyPair.generate(), clientKeys = try CurveKeyPair.generate()
        let zap = try ZAPAuthenticator(context: context, enrolled: [clientKeys.publicKey]) { _, _ in }
        Task { await zap.run() }
        defer { zap.stop() }
        let router = try ZMQSocket(context, .router), dealer = try ZMQSocket(context, .dealer)
        if curve {
            try router.makeCurveServer(serverKeys, domain: "bench")
            try dealer.makeCurveClient(clientKeys, serverKey: serverKeys.publicKey)
        }
        try router.bind("tcp://127.0.0.1:*")
        try dealer.connect(router.lastEndpoint)
        for s in [router, dealer] { try s.setReceiveTimeout(.seconds(5)) }
        var times: [Double] = []
        for i in 0..<2_100 {
            let alert = WireMessage.alert(
                .init(
                    alertID: UUID(), nodeID: "n", cameraID: "c", deploymentID: "d", watchlistVersion: 1,
                    subject: "s", score: 0.1, distance: 0.4, capturedAt: Date(), track: UInt64(i),
                    quality: [1, 2, 3, 4, 5, 6, 7], cropJPEG: crop))
            let start = ContinuousClock.now
            try dealer.send([alert.encode()])
            let received = try router.receive()
            guard case .alert(let a) = try WireMessage.decode(received[1]) else { fatalError("not an alert") }
            try router.send([received[0], WireMessage.ack(alertID: a.alertID).encode()])
            _ = try dealer.receive()
            if i >= 100 { times.append(((ContinuousClock.now - start) / .seconds(1)) * 1000) }  // after warm-up
        }
        times.sort()
        return (times[times.count / 2], times[Int(Double(times.count) * 0.95)])
    }
}

/// The benchmark's runs against a real `coordinator serve`.
final class Coordinator {
    private let server: CoordinatorProcess

    init(bin: String, work: String, subjects: Int, nodes count: Int) throws {
        server = try CoordinatorProcess(bin: bin, work: work, subjects: subjects, nodes: count, seed: 7)
    }

    func stop() { server.stop() }

    private func connect(_ context: ZMQContext, _ node: Int) throws -> ZMQSocket {
        try server.connect(context, node: node, receiveTimeout: .seconds(30))
    }

    /// Alerts per second from first send to last ack (each ack follows a committed insert).
    func storeAlerts(count: Int, crop: [UInt8]) throws -> Double {
        let context = ZMQContext()
        let dealer = try connect(context, 0)
        // Announce as holding the bundle's version, so no push is mixed into the measurement.
        try dealer.send([
            WireMessage.hello(.init(nodeID: "node-0", software: "bench", heldWatchlistVersion: 1)).encode()
        ])
        let start = ContinuousClock.now
        for i in 0..<count {
            try dealer.send([
                WireMessage.alert(
                    .init(
                        alertID: UUID(), nodeID: "node-0", cameraID: "cam-0", deploymentID: "bench",
                        watchlistVersion: 1, subject: "s-\(i)", score: 0.1, distance: 0.4,
                        capturedAt: Date(), track: UInt64(i), quality: [1, 2, 3, 4, 5, 6, 7],
                        cropJPEG: crop)
                ).encode()
            ])
        }
        var acks = 0
        while acks < count { if case .ack = try WireMessage.decode(dealer.receive()[0]) { acks += 1 } }
        return Double(count) / ((ContinuousClock.now - start) / .seconds(1))
    }

    /// From 50 hellos (nodes holding no watchlist) to the bundle received by all of them.
    func pushToNodes() throws -> (seconds: Double, megabytes: Double) {
        let context = ZMQContext()
        let sockets = try server.nodes.indices.map { try connect(context, $0) }
        Thread.sleep(forTimeInterval: 1)  // all connected and through the CURVE handshake
        let start = ContinuousClock.now
        for (i, s) in sockets.enumerated() {
            try s.send([
                WireMessage.hello(.init(nodeID: "node-\(i)", software: "bench", heldWatchlistVersion: 0)).encode()
            ])
        }
        for s in sockets {
            guard case .watchlistBundle(let b) = try WireMessage.decode(s.receive()[0]),
                b.count == server.bundleFileBytes
            else { fatalError("no bundle") }
        }
        return (((ContinuousClock.now - start) / .seconds(1)), Double(server.bundleFileBytes) / 1e6)
    }
}
