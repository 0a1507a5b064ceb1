import CoordinatorRecord
import Foundation
import GRDB
import Shared
import TestSupport
import XCTest

/// Promise 6 end to end, and the audit log's witnesses, with the real processes on 127.0.0.1.
final class RetentionScanTests: XCTestCase {
    private func cli(_ d: DeploymentFixture, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String)
    {
        let r = try ChildProcess.run(d.coordinatorExe, args + ["--config", "\(d.dir)/coordinator.json"])
        return (r.status, r.stdout, r.stderr)
    }

    /// Runs dep-7 (Obama listed as s-101, node1 on a looping clip) to its first stored alert; returns it with the processes.
    private func liveDeploymentWithAnAlert(_ d: DeploymentFixture) throws -> (
        server: ChildProcess, node: ChildProcess, alertID: String
    ) {
        let bundle = try d.buildObamaBundle()
        let evaluation = DeploymentRecordTests.evaluationReport
        let server = try d.startCoordinator(
            bundle: nil, enrolled: ["node1"], retention: #"{"bundle_destroy_after_s": 2, "check_interval_s": 1}"#)
        let node = try d.startNode(
            "node1", source: try d.clip(of: "obama.jpg", to: "obama.mp4", seconds: 3), loop: true)
        XCTAssertTrue(server.waitForStderr("node connected", timeout: .seconds(60)), server.stderr)
        XCTAssertEqual(
            try cli(
                d,
                [
                    "deployment", "create", "--id", "dep-7", "--place", "Stratford", "--latitude", "51.5",
                    "--longitude", "0",
                    "--from", "2020-01-01T00:00:00Z", "--to", "2099-01-01T00:00:00Z", "--purpose", "wanted on warrant",
                    "--legal-basis", "common law", "--nodes", "node1", "--bundle", bundle, "--manifest",
                    "\(d.dir)/m.csv",
                    "--evaluation", evaluation, "--as", "DS Intel",
                ]
            ).status, 0)
        XCTAssertEqual(try cli(d, ["deployment", "authorise", "--id", "dep-7", "--as", "Supt Ames"]).status, 0)
        XCTAssertEqual(try cli(d, ["deployment", "start", "--id", "dep-7", "--as", "Insp Cole"]).status, 0)
        XCTAssertTrue(server.waitForStderr("alert stored", timeout: .seconds(120)), server.stderr)
        return (server, node, try XCTUnwrap(DeploymentFixture.alertIDs(server.stderr, marker: "alert stored").first))
    }

    func testAPurgedDeployment_leavesNoSubjectScoreNoteCropOrPhoto_inAnyFileTheCoordinatorOwns() throws {
        let d = try DeploymentFixture(self, nodes: ["node1"])
        let (server, node, alertID) = try liveDeploymentWithAnAlert(d)
        defer {
            server.signal(SIGTERM)
            node.signal(SIGTERM)
        }
        let note = "seen near the north exit wearing a red scarf"
        XCTAssertEqual(
            try cli(d, ["alerts", "adjudicate", alertID, "--review", "match", "--note", note, "--as", "PC 101"]).status,
            0)
        XCTAssertEqual(try cli(d, ["deployment", "end", "--id", "dep-7", "--as", "Insp Cole"]).status, 0)
        XCTAssertTrue(server.waitForStderr("bundles_destroyed=dep-7", timeout: .seconds(60)), server.stderr)
        node.signal(SIGTERM)
        XCTAssertEqual(node.wait(), 0)
        server.signal(SIGTERM)
        XCTAssertEqual(server.wait(), 0)

        // What the record held of the person, read before the purge.
        let state = d.dir + "/coordinator"
        let db = try DatabaseQueue(path: state + "/coordinator.sqlite")
        let stored = try XCTUnwrap(
            try db.read {
                try Row.fetchAll($0, sql: "SELECT subject, score, crop FROM alert WHERE deployment_id = 'dep-7'")
            })
        try db.close()
        XCTAssertFalse(stored.isEmpty)
        let subject = "s-101",
            photo = Array(try Data(contentsOf: URL(fileURLWithPath: try Fixtures.photo("obama.jpg"))))
        XCTAssertTrue(stored.allSatisfy { $0["subject"] == subject })

        // 32 days on, retention runs; then the auditor exports the report.
        let purged = try Retention.purge(
            RetentionPolicy(), in: try CoordinatorDatabase(stateDirectory: state), at: Date() + 32 * 86_400,
            actor: "retention")
        XCTAssertEqual(purged.alertsPurged, stored.count)
        XCTAssertEqual(purged.listsPseudonymised, ["dep-7"])
        XCTAssertEqual(
            try cli(d, ["report", "--deployment", "dep-7", "--out", "\(state)/report.json", "--as", "auditor"]).status,
            0)
        XCTAssertEqual(
            try cli(
                d,
                [
                    "report", "--deployment", "dep-7", "--format", "csv", "--out", "\(state)/report.csv", "--as",
                    "auditor",
                ]
            ).status, 0)
        let log = state + "/serve.log"
        try server.stderr.write(toFile: log, atomically: true, encoding: .utf8)

        let files = try FileManager.default.subpathsOfDirectory(atPath: state).map { state + "/" + $0 }.filter { path in
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && !folder.boolValue
        }
        XCTAssertTrue(
            files.contains { $0.hasSuffix("coordinator.sqlite") }
                && files.contains { $0.contains("audit-checkpoints/") }, "\(files)")
        var needles: [(String, [UInt8])] = [("subject id", Array(subject.utf8)), ("note", Array(note.utf8))]
        for (i, row) in stored.enumerated() {
            needles.append(("score \(i)", Array(String(format: "%.4f", row["score"] as Double).utf8)))
            let crop = [UInt8](row["crop"] as Data)
            needles += [0, crop.count / 2, crop.count - 32].map { ("crop \(i) at \($0)", Array(crop[$0..<$0 + 32])) }
        }
        needles += [0, photo.count / 2, photo.count - 32].map {
            ("reference photo at \($0)", Array(photo[$0..<$0 + 32]))
        }
        for file in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            for (what, needle) in needles {
                XCTAssertFalse(CropScan.contains(bytes, needle), "\(what) found in \(file)")
            }
        }
        let verified = try cli(d, ["audit", "verify", "--witness", state + "/audit-checkpoints"])
        XCTAssertEqual(verified.status, 0, "the chain still verifies: \(verified.stdout)")
    }

    func testTheNode_keepsEveryCheckpointAsAWitness_andACutTailIsFoundWithItsCopy() throws {
        let d = try DeploymentFixture(self, nodes: ["node1"])
        let (server, node, _) = try liveDeploymentWithAnAlert(d)
        defer {
            server.signal(SIGTERM)
            node.signal(SIGTERM)
        }
        XCTAssertEqual(try cli(d, ["deployment", "end", "--id", "dep-7", "--as", "Insp Cole"]).status, 0)
        // The checkpoint `deployment end` wrote, and any the server signs after it, reach the node, which keeps them.
        let state = d.dir + "/coordinator", witness = d.dir + "/node1/audit-witness"
        let atEnd = try XCTUnwrap(try AuditWitnessStore(folder: state + "/audit-checkpoints").all().last)
        let deadline = Date() + 30
        var kept: AuditCheckpoint?
        while Date() < deadline {
            let latest = try AuditWitnessStore(folder: state + "/audit-checkpoints").all().last
            kept = try AuditWitnessStore(folder: witness).all().last
            if let kept, kept == latest, kept.entries >= atEnd.entries { break }
            usleep(100_000)
        }
        let held = try XCTUnwrap(kept, node.stderr)
        XCTAssertGreaterThanOrEqual(held.entries, atEnd.entries, "the node holds the end's checkpoint or a later one")
        XCTAssertTrue(server.waitForStderr("audit checkpoint witnessed", timeout: .seconds(30)), server.stderr)
        for file in try FileManager.default.contentsOfDirectory(atPath: witness) {
            XCTAssertEqual(
                try FileManager.default.attributesOfItem(atPath: witness + "/" + file)[.posixPermissions] as? Int, 0o600
            )
        }
        node.signal(SIGTERM)
        XCTAssertEqual(node.wait(), 0)
        server.signal(SIGTERM)
        XCTAssertEqual(server.wait(), 0)
        let intact = try cli(d, ["audit", "verify", "--witness", witness])
        XCTAssertEqual(intact.status, 0, intact.stdout + intact.stderr)
        XCTAssertTrue(intact.stdout.contains("witness node1: keeps the checkpoint of"), intact.stdout)

        // Someone with the coordinator's files cuts the log back to before the checkpoint and removes the checkpoints.
        let db = try DatabaseQueue(path: state + "/coordinator.sqlite")
        try db.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_append_only_delete")
            try db.execute(sql: "DELETE FROM audit WHERE seq >= ?", arguments: [held.entries])
        }
        try db.close()
        try FileManager.default.removeItem(atPath: state + "/audit-checkpoints")
        let plain = try cli(d, ["audit", "verify"])
        XCTAssertEqual(plain.status, 0, "without a witness the cut is invisible: \(plain.stdout)")
        let witnessed = try cli(d, ["audit", "verify", "--witness", witness])
        XCTAssertEqual(witnessed.status, 1)
        XCTAssertTrue(witnessed.stdout.contains("audit log TRUNCATED"), witnessed.stdout)
    }
}
