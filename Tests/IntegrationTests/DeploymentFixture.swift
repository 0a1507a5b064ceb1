import FaceEngine
import FaceTemplates
import Foundation
import Shared
import TestSupport
import XCTest

/// A deployment on 127.0.0.1 for fabric tests: CURVE keys for the coordinator and nodes, three
/// signers, a signed bundle, configs, and helpers to start the real processes.
final class DeploymentFixture {
    let dir: String
    let port = Fixtures.freePort()
    let coordinatorExe = Fixtures.executable("coordinator")
    let edgeExe = Fixtures.executable("edge-node")
    let signerNames = ["officer", "authoriser", "third"]

    init(_ test: XCTestCase, nodes: [String]) throws {
        dir = try Fixtures.temporaryFolder(test)
        try ok(coordinatorExe, ["keys", "new-curve", "--out", "\(dir)/coordinator.curve"])
        for n in nodes { try ok(edgeExe, ["keys", "new", "--out", "\(dir)/\(n).curve"]) }
        for s in signerNames { try ok(coordinatorExe, ["keys", "new-signer", "--out", "\(dir)/\(s).key"]) }
        for p in ["obama.jpg", "obama2.jpg", "biden.jpg"] {
            try FileManager.default.copyItem(atPath: try Fixtures.photo(p), toPath: "\(dir)/\(p)")
        }
    }

    func ok(_ exe: String, _ args: [String]) throws {
        let r = try ChildProcess.run(exe, args)
        XCTAssertEqual(r.status, 0, "\(args.prefix(3)): \(r.stderr)")
    }

    /// Obama enrolled as s-101 from obama.jpg, signed by the officer and the authoriser.
    func buildObamaBundle(version: Int = 1, out: String = "wl.bundle") throws -> String {
        try
            "subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18\ns-101,B,wanted,warrant,custody photo,obama.jpg,warrant 123,no\n"
            .write(toFile: "\(dir)/m.csv", atomically: true, encoding: .utf8)
        try ok(
            coordinatorExe,
            [
                "watchlist", "build", "--manifest", "\(dir)/m.csv", "--deployment", "dep-7", "--watchlist-id", "wl-1",
                "--version", String(version), "--expires", "2099-01-01T00:00:00Z", "--threshold", "0.6",
                "--out", "\(dir)/\(out)",
            ])
        for s in signerNames.prefix(2) {
            try ok(coordinatorExe, ["watchlist", "sign", "--bundle", "\(dir)/\(out)", "--key", "\(dir)/\(s).key"])
        }
        return "\(dir)/\(out)"
    }

    /// A bundle made directly with the library, for the cases the tooling will not produce.
    func customBundle(
        _ name: String, deployment: String = "dep-7", model: String = MatchingRule.recommended.embeddingModel,
        version: UInt64 = 1, notBefore: TimeInterval = -3600, expires: TimeInterval = 86_400,
        signers: [String], tamper: Bool = false
    ) throws -> String {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let bundle = WatchlistBundle(
            deploymentID: deployment, watchlistID: "wl-x", version: version, issuedAt: now,
            notBefore: now.addingTimeInterval(notBefore), expiresAt: now.addingTimeInterval(expires),
            embeddingModel: model, threshold: 0.6, rule: .recommended,
            entries: [
                WatchlistEntry(
                    subject: "s-1", templates: [Embedding([Float](repeating: 0.08, count: 128))],
                    faceNetTemplates: [FaceNetEmbedding([Float](repeating: 0.04, count: 512))])
            ])
        var signed = SignedBundle(payload: bundle.payloadBytes())
        for s in signers { signed = try signed.signed(with: SigningKeyFile.loadPrivate(path: "\(dir)/\(s).key")) }
        var bytes = signed.fileBytes()
        if tamper { bytes[30] ^= 0x01 }
        let path = "\(dir)/\(name).bundle"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func clip(of photo: String, to name: String, seconds: Int = 2) throws -> String {
        let out = "\(dir)/\(name)"
        let ffmpeg = try ChildProcess(
            "/usr/bin/ffmpeg",
            [
                "-loglevel", "error", "-y", "-loop", "1", "-t", String(seconds), "-i", "\(dir)/\(photo)",
                "-vf", "scale=640:-2", "-r", "10", "-pix_fmt", "yuv420p", out,
            ])
        XCTAssertEqual(ffmpeg.wait(), 0, ffmpeg.stderr)
        return out
    }

    func startCoordinator(
        bundle: String?, enrolled: [String], record: String? = nil, retention: String? = nil, web: String? = nil,
        watchlists: String? = nil
    ) throws -> ChildProcess {
        try writeCoordinatorConfig(
            bundle: bundle, enrolled: enrolled, retention: retention, web: web, watchlists: watchlists)
        let server = try ChildProcess(
            coordinatorExe,
            ["serve", "--config", "\(dir)/coordinator.json"] + (record.map { ["--record-frames", $0] } ?? []))
        XCTAssertTrue(server.waitForStderr("coordinator listening", timeout: .seconds(30)), server.stderr)
        return server
    }

    /// Nodes are enrolled as themselves (`node1` with camera `cam-node1` and key `node1.curve.pub`).
    func writeCoordinatorConfig(
        bundle: String?, enrolled: [String], ended: String? = nil, retention: String? = nil, web: String? = nil,
        watchlists: String? = nil
    ) throws {
        let list = enrolled.map { #"{"node_id": "\#($0)", "camera": "cam-\#($0)", "key": "\#(dir)/\#($0).curve.pub"}"# }
            .joined(separator: ",")
        try """
        {"server": {"bind": "tcp://127.0.0.1:\(port)", "curve_key": "\(dir)/coordinator.curve", "state_dir": "\(dir)/coordinator"},
         "nodes": {"enrolled": [\(list)]}\(bundle.map { #", "watchlist": {"bundle": "\#($0)"}"# } ?? "")\
        \(ended.map { #", "deployment": {"ended": "\#($0)"}"# } ?? "")\(retention.map { #", "retention": \#($0)"# } ?? "")\
        \(web.map { #", "web": \#($0)"# } ?? "")\(watchlists.map { #", "watchlists": \#($0)"# } ?? "")}
        """.write(toFile: "\(dir)/coordinator.json", atomically: true, encoding: .utf8)
    }

    /// An edge node; `claiming` makes it say it is another node (its key stays its own).
    func startNode(_ name: String, source: String, claiming: String? = nil, loop: Bool = false, metricsPort: Int? = nil)
        throws -> ChildProcess
    {
        let signers = signerNames.map { "\"\(dir)/\($0).key.pub\"" }.joined(separator: ",")
        try """
        {"node": {"id": "\(claiming ?? name)", "camera_id": "cam-\(claiming ?? name)", "source": "\(source)", "coordinator": "tcp://127.0.0.1:\(port)",
                  "coordinator_key": "\(dir)/coordinator.curve.pub", "curve_key": "\(dir)/\(name).curve", "state_dir": "\(dir)/\(name)",
                  "heartbeat_seconds": 0.5\(loop ? #", "loop_files": true"# : "")\(metricsPort.map { #", "metrics_port": \#($0)"# } ?? "")},
         "watchlist": {"deployment_id": "dep-7", "required_signatures": 2, "trusted_signers": [\(signers)]}}
        """.write(toFile: "\(dir)/\(name).json", atomically: true, encoding: .utf8)
        return try ChildProcess(edgeExe, ["serve", "--config", "\(dir)/\(name).json"])
    }

    /// Alert ids from log lines containing `marker`.
    static func alertIDs(_ log: String, marker: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains(marker) }.compactMap { line in
            line.range(of: "alert_id=").map { String(line[$0.upperBound...].prefix(36)) }
        }
    }
}
