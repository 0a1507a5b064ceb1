import Foundation
import Shared
import TestSupport
import XCTest

/// The coordinator and edge nodes as real processes on 127.0.0.1, over CURVE.
final class FabricTests: XCTestCase {
    func testFullRound_twoNodes_signedWatchlist_alertsStoredOnce() throws {
        let d = try DeploymentFixture(self, nodes: ["node1", "node2"])
        let bundle = try d.buildObamaBundle()
        let server = try d.startCoordinator(bundle: bundle, enrolled: ["node1", "node2"])
        let node1 = try d.startNode("node1", source: try d.clip(of: "obama2.jpg", to: "obama.mp4"))
        let node2 = try d.startNode("node2", source: try d.clip(of: "biden.jpg", to: "biden.mp4"))
        for node in [node1, node2] {
            XCTAssertTrue(node.waitForStderr("watchlist accepted", timeout: .seconds(30)), node.stderr)
            XCTAssertTrue(node.waitForStderr("source ended", timeout: .seconds(60)), node.stderr)
        }
        XCTAssertTrue(server.waitForStderr("alert stored", timeout: .seconds(30)), server.stderr)
        // The nodes stop once every queued alert is stored (acknowledged), not after a guessed pause.
        let deadline = ContinuousClock.now + .seconds(30)
        while !Set(DeploymentFixture.alertIDs(node1.stderr, marker: "alert queued")).isSubset(
            of: Set(DeploymentFixture.alertIDs(server.stderr, marker: "alert stored"))),
            ContinuousClock.now < deadline
        { usleep(50_000) }

        for p in [node1, node2, server] {
            p.signal(SIGTERM)
            XCTAssertEqual(p.wait(timeout: .seconds(30)), 0, p.stderr)
        }
        let queued = DeploymentFixture.alertIDs(node1.stderr, marker: "alert queued")
        XCTAssertFalse(queued.isEmpty, "node1 saw the enrolled person: \(node1.stderr)")
        XCTAssertEqual(
            DeploymentFixture.alertIDs(node2.stderr, marker: "alert queued"), [], "nobody enrolled is in node2's clip")
        XCTAssertEqual(
            Set(DeploymentFixture.alertIDs(server.stderr, marker: "alert stored")), Set(queued),
            "every alert stored, once")
        XCTAssertEqual(server.stderr.components(separatedBy: "watchlist accepted by node").count - 1, 2)
        XCTAssert(node1.stderr.contains("watchlist and tracks wiped"))

        // The acknowledged alerts left the outbox: a restarted node has nothing pending.
        let again = try d.startNode("node1", source: "\(d.dir)/obama.mp4")
        XCTAssertTrue(again.waitForStderr("node started", timeout: .seconds(30)), again.stderr)
        again.signal(SIGTERM)
        _ = again.wait(timeout: .seconds(30))
        XCTAssert(again.stderr.contains("pending_alerts=0"), again.stderr)
    }

    /// Promise 1: with a watchlist that matches nobody in view, the node sends only heartbeats and
    /// protocol replies (every frame it sends is recorded after decryption), and writes no face to disk.
    /// `node.metrics_port`: the node's counters in the Prometheus format on loopback, counts only;
    /// without the key nothing listens.
    func testEdgeMetrics_countTheRunOnLoopback_andAreOffByDefault() throws {
        let d = try DeploymentFixture(self, nodes: ["node1", "node2"])
        let server = try d.startCoordinator(bundle: try d.buildObamaBundle(), enrolled: ["node1", "node2"])
        defer { server.signal(SIGTERM) }
        let port = Fixtures.freePort()
        let node1 = try d.startNode("node1", source: try d.clip(of: "obama2.jpg", to: "obama.mp4"), metricsPort: port)
        let node2 = try d.startNode("node2", source: try d.clip(of: "biden.jpg", to: "biden.mp4"))
        defer {
            node1.signal(SIGTERM)
            node2.signal(SIGTERM)
        }
        XCTAssertTrue(node1.waitForStderr("metrics listening", timeout: .seconds(30)), node1.stderr)
        XCTAssertTrue(node1.waitForStderr("source ended", timeout: .seconds(60)), node1.stderr)
        XCTAssertTrue(server.waitForStderr("alert stored", timeout: .seconds(30)), server.stderr)
        XCTAssertTrue(node2.waitForStderr("source ended", timeout: .seconds(60)), node2.stderr)
        XCTAssertFalse(node2.stderr.contains("metrics listening"), "off unless node.metrics_port is set")

        func scrape() throws -> [String: Double] {
            let r = try ChildProcess.run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(port)/metrics"])
            XCTAssertFalse(r.stdout.contains("s-101"), "counts only: no subject leaves the node this way")
            return Dictionary(
                r.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                    line.split(separator: " ").count == 2
                        ? (String(line.split(separator: " ")[0]), Double(line.split(separator: " ")[1]) ?? -1) : nil
                }, uniquingKeysWith: { $1 })
        }
        var metrics = try scrape()
        let deadline = Date() + 10
        while metrics["watchpost_edge_outbox_pending_alerts"] != 0 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            metrics = try scrape()
        }
        XCTAssertEqual(metrics["watchpost_edge_outbox_pending_alerts"], 0, "every alert acknowledged")
        // What the node decides, not what the host manages: every frame read is processed or dropped.
        let (captured, processed, dropped) = (
            metrics["watchpost_edge_frames_captured_total"] ?? -1,
            metrics["watchpost_edge_frames_processed_total"] ?? -1,
            metrics["watchpost_edge_frames_dropped_total"] ?? -1
        )
        XCTAssertEqual(
            processed + dropped, captured, "captured \(captured), processed \(processed), dropped \(dropped)")
        XCTAssertGreaterThanOrEqual(processed, 1)
        XCTAssertGreaterThanOrEqual(metrics["watchpost_edge_faces_tracked_total"] ?? 0, 1)
        XCTAssertEqual(
            metrics["watchpost_edge_alerts_total"].map(Int.init),
            DeploymentFixture.alertIDs(node1.stderr, marker: "alert queued").count)
        XCTAssertEqual(metrics["watchpost_edge_watchlist_version"], 1)
        XCTAssertNotNil(
            metrics[#"watchpost_edge_quality_rejections_total{reason="too_small"}"#],
            metrics.keys.sorted().joined(separator: "\n"))
        XCTAssertEqual(
            try scrape()["watchpost_edge_frames_processed_total"], metrics["watchpost_edge_frames_processed_total"],
            "a second scrape does not count the run twice")
    }

    func testPromise1_noNonMatchingBiometricLeavesTheEdge() throws {
        let d = try DeploymentFixture(self, nodes: ["node1"])
        let record = "\(d.dir)/frames.bin"
        let server = try d.startCoordinator(bundle: try d.buildObamaBundle(), enrolled: ["node1"], record: record)
        let node = try d.startNode("node1", source: try d.clip(of: "biden.jpg", to: "biden.mp4", seconds: 3))
        XCTAssertTrue(node.waitForStderr("source ended", timeout: .seconds(60)), node.stderr)

        /// Every frame the node sent, by kind; frames are written whole, so a read mid-run ends at a frame's end.
        func recordedKinds(whole: Bool = false) throws -> [String] {
            let bytes = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: record))) ?? Data())
            var offset = 0, kinds: [String] = []
            while offset + 4 <= bytes.count {
                let length =
                    Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(
                        bytes[offset + 3]) << 24
                guard offset + 4 + length <= bytes.count else { break }
                let frame = Array(bytes[(offset + 4)..<(offset + 4 + length)])
                offset += 4 + length
                switch try WireMessage.decode(frame) {
                case .hello: kinds.append("hello")
                case .heartbeat: kinds.append("heartbeat")
                case .watchlistStatus: kinds.append("status")
                // A protocol reply: the node keeps the coordinator's audit checkpoint (counts and a hash).
                case .witnessReceipt: kinds.append("receipt")
                case let other: XCTFail("the node sent \(other)")
                }
                XCTAssertLessThan(frame.count, 512, "no frame is large enough to hold a face crop or an embedding")
            }
            if whole { XCTAssertEqual(offset, bytes.count, "the recording ends at a frame's end") }
            return kinds
        }
        // A few more heartbeats after the clip, waited for as they arrive.
        let heartbeatsAtEnd = try recordedKinds().filter { $0 == "heartbeat" }.count
        let deadline = ContinuousClock.now + .seconds(30)
        while try recordedKinds().filter({ $0 == "heartbeat" }).count < heartbeatsAtEnd + 2,
            ContinuousClock.now < deadline
        { usleep(100_000) }
        for p in [node, server] {
            p.signal(SIGTERM)
            XCTAssertEqual(p.wait(timeout: .seconds(30)), 0, p.stderr)
        }
        let kinds = try recordedKinds(whole: true)
        XCTAssertEqual(kinds.first, "hello")
        XCTAssertTrue(kinds.contains("status") && kinds.filter { $0 == "heartbeat" }.count >= 2, "\(kinds)")

        // On disk: the outbox, holding no alert and no image bytes, the watchlist version floor
        // (numbers only: a deployment id and a version), and as a witness of the audit log its key
        // and the coordinator's checkpoints (counts and hashes).
        let state = try FileManager.default.subpathsOfDirectory(atPath: "\(d.dir)/node1").sorted().filter {
            $0 != "audit-witness"
        }
        XCTAssertTrue(
            state.allSatisfy {
                $0.hasPrefix("outbox.sqlite") || $0 == "watchlist-floor.json" || $0.hasPrefix("witness-signing.key")
                    || ($0.hasPrefix("audit-witness/checkpoint-") && $0.hasSuffix(".json"))
            }, "\(state)")
        let floor = try String(contentsOfFile: "\(d.dir)/node1/watchlist-floor.json", encoding: .utf8)
        XCTAssertEqual(floor, #"{"dep-7":1}"#)
        for file in state {
            let content = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(d.dir)/node1/\(file)")))
            let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF]
            XCTAssertFalse(
                content.indices.dropLast(2).contains {
                    content[$0] == jpeg[0] && content[$0 + 1] == jpeg[1] && content[$0 + 2] == jpeg[2]
                },
                "\(file) holds JPEG bytes")
        }
    }

    /// Each refusal reason, as the coordinator receives it from the node.
    func testRefusals_reachTheCoordinatorWithTheirReason() throws {
        let d = try DeploymentFixture(self, nodes: ["node1"])
        let source = try d.clip(of: "biden.jpg", to: "biden.mp4")
        let cases: [(String, String)] = [
            ("unsigned", try d.customBundle("unsigned", signers: [])),
            ("too_few_signers", try d.customBundle("one", signers: ["officer"])),
            ("bad_signature", try d.customBundle("tampered", signers: ["officer", "authoriser"], tamper: true)),
            ("expired", try d.customBundle("expired", expires: -60, signers: ["officer", "authoriser"])),
            ("not_yet_valid", try d.customBundle("future", notBefore: 3600, signers: ["officer", "authoriser"])),
            (
                "wrong_deployment",
                try d.customBundle("other-dep", deployment: "dep-8", signers: ["officer", "authoriser"])
            ),
            (
                "wrong_model",
                try d.customBundle("other-model", model: "facenet-20180408", signers: ["officer", "authoriser"])
            ),
        ]
        for (reason, bundle) in cases {
            let server = try d.startCoordinator(bundle: bundle, enrolled: ["node1"])
            let node = try d.startNode("node1", source: source)
            XCTAssertTrue(
                server.waitForStderr("reason=\(reason)", timeout: .seconds(30)), "\(reason): \(server.stderr)")
            XCTAssertFalse(node.stderr.contains("watchlist accepted"), reason)
            for p in [node, server] {
                p.signal(SIGTERM)
                _ = p.wait(timeout: .seconds(30))
            }
        }
    }

    /// Rollback: a node that accepted version 5 refuses version 3, even from its own coordinator.
    func testRollback_isRefused() throws {
        let d = try DeploymentFixture(self, nodes: ["node1"])
        let node = try d.startNode("node1", source: try d.clip(of: "biden.jpg", to: "biden.mp4", seconds: 20))
        var server = try d.startCoordinator(
            bundle: try d.customBundle("v5", version: 5, signers: ["officer", "authoriser"]), enrolled: ["node1"])
        XCTAssertTrue(node.waitForStderr("watchlist accepted", timeout: .seconds(30)), node.stderr)
        server.signal(SIGTERM)
        _ = server.wait()
        server = try d.startCoordinator(
            bundle: try d.customBundle("v3", version: 3, signers: ["officer", "authoriser"]), enrolled: ["node1"])
        XCTAssertTrue(server.waitForStderr("reason=rollback", timeout: .seconds(30)), server.stderr)
        for p in [node, server] {
            p.signal(SIGTERM)
            _ = p.wait(timeout: .seconds(30))
        }
    }

    /// Rollback after a reboot: a node killed (-9) after accepting version 5 restarts holding no list,
    /// and still refuses version 3; version 6 is accepted.
    func testRollback_isRefused_afterTheNodeIsKilledAndRestarted() throws {
        let d = try DeploymentFixture(self, nodes: ["node1"])
        let clip = try d.clip(of: "biden.jpg", to: "biden.mp4", seconds: 20)
        var node = try d.startNode("node1", source: clip)
        var server = try d.startCoordinator(
            bundle: try d.customBundle("v5", version: 5, signers: ["officer", "authoriser"]), enrolled: ["node1"])
        XCTAssertTrue(node.waitForStderr("version=5 [EdgeNode] watchlist accepted", timeout: .seconds(30)), node.stderr)
        node.signal(SIGKILL)
        node.wait()
        server.signal(SIGTERM)
        _ = server.wait()

        server = try d.startCoordinator(
            bundle: try d.customBundle("v3", version: 3, signers: ["officer", "authoriser"]), enrolled: ["node1"])
        node = try d.startNode("node1", source: clip)
        XCTAssertTrue(server.waitForStderr("reason=rollback", timeout: .seconds(30)), server.stderr)
        XCTAssertFalse(node.stderr.contains("watchlist accepted"), node.stderr)

        try d.writeCoordinatorConfig(
            bundle: try d.customBundle("v6", version: 6, signers: ["officer", "authoriser"]), enrolled: ["node1"])
        server.signal(SIGHUP)
        XCTAssertTrue(node.waitForStderr("version=6 [EdgeNode] watchlist accepted", timeout: .seconds(30)), node.stderr)
        for p in [node, server] {
            p.signal(SIGTERM)
            _ = p.wait(timeout: .seconds(30))
        }
    }

    /// SIGHUP reloads the coordinator's config: a new bundle is pushed to connected nodes at once,
    /// and a node removed from the enrolled list is cut off (its messages dropped, no acks, no pushes).
    func testReload_pushesANewBundle_andCutsOffARevokedNode() throws {
        let d = try DeploymentFixture(self, nodes: ["node1"])
        let server = try d.startCoordinator(bundle: try d.buildObamaBundle(version: 1), enrolled: ["node1"])
        let node = try d.startNode("node1", source: try d.clip(of: "biden.jpg", to: "biden.mp4", seconds: 60))
        XCTAssertTrue(node.waitForStderr("version=1 [EdgeNode] watchlist accepted", timeout: .seconds(30)), node.stderr)

        try d.writeCoordinatorConfig(bundle: try d.buildObamaBundle(version: 2, out: "wl2.bundle"), enrolled: ["node1"])
        server.signal(SIGHUP)
        XCTAssertTrue(node.waitForStderr("version=2 [EdgeNode] watchlist accepted", timeout: .seconds(30)), node.stderr)

        // Withdrawing the watchlist (none in the config): the node is told to wipe it.
        try d.writeCoordinatorConfig(bundle: nil, enrolled: ["node1"])
        server.signal(SIGHUP)
        XCTAssertTrue(node.waitForStderr("watchlist wiped on command", timeout: .seconds(30)), node.stderr)
        try d.writeCoordinatorConfig(bundle: try d.buildObamaBundle(version: 3, out: "wl3.bundle"), enrolled: ["node1"])
        server.signal(SIGHUP)
        XCTAssertTrue(node.waitForStderr("version=3 [EdgeNode] watchlist accepted", timeout: .seconds(30)), node.stderr)

        // Ending the deployment: the node is told to wipe its watchlist.
        try d.writeCoordinatorConfig(bundle: nil, enrolled: ["node1"], ended: "dep-7")
        server.signal(SIGHUP)
        XCTAssertTrue(
            node.waitForStderr("deployment ended on command: watchlist wiped", timeout: .seconds(30)), node.stderr)

        try d.writeCoordinatorConfig(bundle: "\(d.dir)/wl2.bundle", enrolled: [])
        server.signal(SIGHUP)
        XCTAssertTrue(server.waitForStderr("message from a revoked node dropped", timeout: .seconds(30)), server.stderr)

        try "{".write(toFile: "\(d.dir)/coordinator.json", atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        XCTAssertTrue(server.waitForStderr("configuration reload refused", timeout: .seconds(30)), server.stderr)
        XCTAssertTrue(server.process.isRunning, "a bad reload keeps the running configuration")
        for p in [node, server] {
            let stopping = ContinuousClock.now
            p.signal(SIGTERM)
            XCTAssertEqual(p.wait(timeout: .seconds(30)), 0, p.stderr)
            XCTAssertLessThan(
                ContinuousClock.now - stopping, .seconds(10), "graceful stop is prompt: \(p.stderr.suffix(600))")
        }
    }

    func testNodeNotEnrolled_cannotConnect_andIsAudited() throws {
        let d = try DeploymentFixture(self, nodes: ["node1", "intruder"])
        let server = try d.startCoordinator(bundle: try d.buildObamaBundle(), enrolled: ["node1"])
        let intruder = try d.startNode("intruder", source: try d.clip(of: "obama2.jpg", to: "obama.mp4"))
        XCTAssertTrue(server.waitForStderr("node refused: key not enrolled", timeout: .seconds(30)), server.stderr)
        // The intruder's own link gives up on the coordinator: by then an admitted node would have had its list.
        XCTAssertTrue(intruder.waitForStderr("coordinator unreachable", timeout: .seconds(30)), intruder.stderr)
        XCTAssertFalse(intruder.stderr.contains("watchlist accepted"), "no watchlist reaches an unenrolled node")
        XCTAssertFalse(server.stderr.contains("node connected"))
        for p in [intruder, server] {
            p.signal(SIGTERM)
            _ = p.wait(timeout: .seconds(30))
        }
    }
}
