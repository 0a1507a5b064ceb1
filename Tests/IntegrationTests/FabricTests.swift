import Foundation
import TestSupport
import XCTest

/// The coordinator and two edge nodes as real processes on 127.0.0.1, over CURVE: a 2-of-3 signed
/// watchlist is pushed, the nodes accept it, alerts for the enrolled person arrive once, none for others.
final class FabricTests: XCTestCase {
    private let coordinator = Fixtures.executable("coordinator")
    private let edgeNode = Fixtures.executable("edge-node")

    private func ok(_ exe: String, _ args: [String]) throws {
        let r = try ChildProcess.run(exe, args)
        XCTAssertEqual(r.status, 0, "\(args.prefix(3)): \(r.stderr)")
    }

    private func clip(of photo: String, to out: String) throws {
        let ffmpeg = try ChildProcess("/usr/bin/ffmpeg", ["-loglevel", "error", "-y", "-loop", "1", "-t", "2", "-i", photo,
                                                          "-vf", "scale=640:-2", "-r", "10", "-pix_fmt", "yuv420p", out])
        XCTAssertEqual(ffmpeg.wait(), 0, ffmpeg.stderr)
    }

    private func ids(_ log: String, after marker: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains(marker) }.compactMap { line in
            line.range(of: "alert_id=").map { String(line[$0.upperBound...].prefix(36)) }
        }
    }

    func testFullRound_twoNodes_signedWatchlist_alertsStoredOnce() throws {
        let dir = try Fixtures.temporaryFolder(self)
        try ok(coordinator, ["keys", "new-curve", "--out", "\(dir)/coordinator.curve"])
        for n in ["node1", "node2"] { try ok(edgeNode, ["keys", "new", "--out", "\(dir)/\(n).curve"]) }
        for s in ["officer", "authoriser", "third"] { try ok(coordinator, ["keys", "new-signer", "--out", "\(dir)/\(s).key"]) }
        for p in ["obama.jpg", "obama2.jpg", "biden.jpg"] { try FileManager.default.copyItem(atPath: try Fixtures.photo(p), toPath: "\(dir)/\(p)") }
        try "subject_id,display_name,category,reason,image_source,image_paths\ns-101,B,wanted,warrant,custody photo,obama.jpg\n"
            .write(toFile: "\(dir)/m.csv", atomically: true, encoding: .utf8)
        try ok(coordinator, ["watchlist", "build", "--manifest", "\(dir)/m.csv", "--deployment", "dep-7", "--watchlist-id", "wl-1",
                             "--version", "1", "--expires", "2099-01-01T00:00:00Z", "--out", "\(dir)/wl.bundle"])
        for s in ["officer", "authoriser"] { try ok(coordinator, ["watchlist", "sign", "--bundle", "\(dir)/wl.bundle", "--key", "\(dir)/\(s).key"]) }
        try clip(of: "\(dir)/obama2.jpg", to: "\(dir)/obama.mp4")
        try clip(of: "\(dir)/biden.jpg", to: "\(dir)/biden.mp4")

        let port = 21_000 + Int.random(in: 0..<5000)
        try """
        {"server": {"bind": "tcp://127.0.0.1:\(port)", "curve_key": "\(dir)/coordinator.curve", "state_dir": "\(dir)/coordinator"},
         "nodes": {"enrolled": ["\(dir)/node1.curve.pub", "\(dir)/node2.curve.pub"]},
         "watchlist": {"bundle": "\(dir)/wl.bundle"}}
        """.write(toFile: "\(dir)/coordinator.json", atomically: true, encoding: .utf8)
        let signers = ["officer", "authoriser", "third"].map { "\"\(dir)/\($0).key.pub\"" }.joined(separator: ",")
        for (n, video) in [("node1", "obama.mp4"), ("node2", "biden.mp4")] {
            try """
            {"node": {"id": "\(n)", "camera_id": "cam-\(n)", "source": "\(dir)/\(video)", "coordinator": "tcp://127.0.0.1:\(port)",
                      "coordinator_key": "\(dir)/coordinator.curve.pub", "curve_key": "\(dir)/\(n).curve", "state_dir": "\(dir)/\(n)",
                      "heartbeat_seconds": 0.5},
             "watchlist": {"deployment_id": "dep-7", "required_signatures": 2, "trusted_signers": [\(signers)]}}
            """.write(toFile: "\(dir)/\(n).json", atomically: true, encoding: .utf8)
        }

        let server = try ChildProcess(coordinator, ["serve", "--config", "\(dir)/coordinator.json"])
        XCTAssertTrue(server.waitForStderr("coordinator listening", timeout: .seconds(30)), server.stderr)
        let node1 = try ChildProcess(edgeNode, ["serve", "--config", "\(dir)/node1.json"])
        let node2 = try ChildProcess(edgeNode, ["serve", "--config", "\(dir)/node2.json"])
        XCTAssertTrue(node1.waitForStderr("watchlist accepted", timeout: .seconds(30)), node1.stderr)
        XCTAssertTrue(node2.waitForStderr("watchlist accepted", timeout: .seconds(30)), node2.stderr)
        XCTAssertTrue(node1.waitForStderr("source ended", timeout: .seconds(60)), node1.stderr)
        XCTAssertTrue(node2.waitForStderr("source ended", timeout: .seconds(60)), node2.stderr)
        XCTAssertTrue(server.waitForStderr("alert stored", timeout: .seconds(30)), server.stderr)
        Thread.sleep(forTimeInterval: 1)  // let the last acks arrive before the nodes stop

        for p in [node1, node2, server] { p.signal(SIGTERM); XCTAssertEqual(p.wait(timeout: .seconds(30)), 0, p.stderr) }
        let queued = ids(node1.stderr, after: "alert queued")
        XCTAssertFalse(queued.isEmpty, "node1 saw the enrolled person: \(node1.stderr)")
        XCTAssertEqual(ids(node2.stderr, after: "alert queued"), [], "nobody enrolled is in node2's clip")
        XCTAssertEqual(Set(ids(server.stderr, after: "alert stored")), Set(queued), "every alert stored, once")
        XCTAssertEqual(server.stderr.components(separatedBy: "watchlist accepted by node").count - 1, 2)
        XCTAssert(node1.stderr.contains("watchlist and tracks wiped"))

        // The acknowledged alerts left the outbox: a restarted node has nothing pending.
        let again = try ChildProcess(edgeNode, ["serve", "--config", "\(dir)/node1.json"])
        XCTAssertTrue(again.waitForStderr("node started", timeout: .seconds(30)), again.stderr)
        again.signal(SIGTERM)
        _ = again.wait(timeout: .seconds(30))
        XCTAssert(again.stderr.contains("pending_alerts=0"), again.stderr)
    }
}
