import Foundation
import GRDB
import Shared
import TestSupport
import XCTest
import ZeroMQTransport

/// A deployment on the record, run with the real processes on 127.0.0.1: the command-line tools
/// the intelligence team, the authorising officer, the operator and the auditor use, against a
/// running coordinator and edge node.
final class DeploymentRecordTests: XCTestCase {
    /// The expected rates come from an evaluation report made like the bundle (fused, the list as
    /// its own cohort): the committed lfw_dev one the demo uses, so that they are real ones.
    static let evaluationReport = Fixtures.committedEvaluation

    private func cli(_ d: DeploymentFixture, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String)
    {
        let r = try ChildProcess.run(d.coordinatorExe, args + ["--config", "\(d.dir)/coordinator.json"])
        return (r.status, r.stdout, r.stderr)
    }

    private func create(
        _ d: DeploymentFixture, bundle: String, evaluation: String, nodes: String = "node1",
        to windowEnd: String = "2099-01-01T00:00:00Z"
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        try cli(
            d,
            [
                "deployment", "create", "--id", "dep-7", "--place", "Stratford Broadway", "--latitude", "51.5416",
                "--longitude=-0.0022",
                "--from", "2020-01-01T00:00:00Z", "--to", windowEnd, "--purpose", "wanted on warrant",
                "--legal-basis", "common law", "--nodes", nodes, "--bundle", bundle, "--manifest", "\(d.dir)/m.csv",
                "--evaluation", evaluation, "--as", "DS Intel",
            ])
    }

    func testDeployment_endToEnd_createAuthoriseStartAlertAdjudicateEndWipeDestroyReport() throws {
        let d = try DeploymentFixture(self, nodes: ["node1"])
        let bundle = try d.buildObamaBundle()
        let evaluation = Self.evaluationReport
        let server = try d.startCoordinator(
            bundle: nil, enrolled: ["node1"], retention: #"{"bundle_destroy_after_s": 3, "check_interval_s": 1}"#)
        defer { server.signal(SIGTERM) }
        let node = try d.startNode(
            "node1", source: try d.clip(of: "obama.jpg", to: "obama.mp4", seconds: 3), loop: true)
        defer { node.signal(SIGTERM) }
        XCTAssertTrue(server.waitForStderr("node connected", timeout: .seconds(60)), server.stderr)

        // Intelligence plans; the authorising officer authorises; the operator starts.
        let created = try create(d, bundle: bundle, evaluation: evaluation)
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertTrue(created.stdout.contains("expected at threshold 0.60"), created.stdout)
        XCTAssertEqual(try cli(d, ["deployment", "authorise", "--id", "dep-7", "--as", "Supt Ames"]).status, 0)
        let started = try cli(d, ["deployment", "start", "--id", "dep-7", "--as", "Insp Cole"])
        XCTAssertTrue(started.stdout.contains("told to reload"), started.stdout + started.stderr)
        XCTAssertTrue(node.waitForStderr("watchlist accepted", timeout: .seconds(60)), node.stderr)
        XCTAssertTrue(server.waitForStderr("alert stored", timeout: .seconds(120)), server.stderr)
        let alertID = try XCTUnwrap(DeploymentFixture.alertIDs(server.stderr, marker: "alert stored").first)

        // Attributed to node1's key, not to what the frame says.
        let db = try DatabaseQueue(
            path: "\(d.dir)/coordinator/coordinator.sqlite",
            configuration: {
                var c = Configuration()
                c.readonly = true
                return c
            }())
        let key = try CurveKeyFile.loadPublic(pathOrText: "\(d.dir)/node1.curve.pub")
        let attributed = try db.read {
            try Row.fetchOne(
                $0, sql: "SELECT node_id, node_key, camera_id FROM alert WHERE id = ?", arguments: [alertID])
        }
        XCTAssertEqual(attributed?["node_key"], key)
        XCTAssertEqual(attributed?["camera_id"], "cam-node1")
        let listed = try cli(d, ["alerts", "list", "--deployment", "dep-7"])
        XCTAssertTrue(listed.stdout.contains("\(alertID)") && listed.stdout.contains("node1/cam-node1"), listed.stdout)

        // The operator reviews, the field reports.
        XCTAssertEqual(try cli(d, ["alerts", "adjudicate", alertID, "--review", "match", "--as", "PC 101"]).status, 0)
        let outcome = try cli(
            d,
            ["alerts", "adjudicate", alertID, "--outcome", "identity-verified", "--action", "arrest", "--as", "PC 202"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let shown = try cli(d, ["alerts", "show", alertID]).stdout
        XCTAssertTrue(shown.contains("identity verified, arrest by PC 202"), shown)
        // The node says what the match rests on (a still clip: one or more frames of the track).
        XCTAssertNotNil(
            shown.range(of: #"matched on:  [1-9]\d* frame\(s\) of its track"#, options: .regularExpression), shown)

        // The end: the node wipes; three seconds later the coordinator destroys its copy.
        let ended = try cli(d, ["deployment", "end", "--id", "dep-7", "--as", "Insp Cole"])
        XCTAssertEqual(ended.status, 0, ended.stderr)
        XCTAssertTrue(
            node.waitForStderr("deployment ended on command: watchlist wiped", timeout: .seconds(60)), node.stderr)
        XCTAssertTrue(server.waitForStderr("bundles_destroyed=dep-7", timeout: .seconds(60)), server.stderr)
        XCTAssertTrue(
            try cli(d, ["deployment", "show", "--id", "dep-7"]).stdout.contains("list held:    destroyed at"))
        node.signal(SIGTERM)
        XCTAssertEqual(node.wait(), 0)
        server.signal(SIGTERM)
        XCTAssertEqual(server.wait(), 0)

        // The report is what happened.
        let stored = Set(DeploymentFixture.alertIDs(server.stderr, marker: "alert stored"))
        XCTAssertEqual(
            try cli(d, ["report", "--deployment", "dep-7", "--out", "\(d.dir)/report.json", "--as", "auditor"]).status,
            0)
        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(d.dir)/report.json")))
            as! [String: Any]
        let totals = report["totals"] as! [String: Any]
        XCTAssertEqual(totals["alerts"] as? Int, stored.count)
        XCTAssertEqual(totals["operator_confirmed"] as? Int, 1)
        XCTAssertEqual(totals["verified_by_engagement"] as? Int, 1)
        XCTAssertEqual(totals["false_alerts"] as? Int, 0)
        let faces = try XCTUnwrap(totals["faces_seen"] as? Int)
        let nodeTotal =
            try db.read { try Int.fetchOne($0, sql: "SELECT faces_total FROM node WHERE node_id = 'node1'") } ?? 0
        XCTAssertTrue(faces >= 1 && faces <= nodeTotal, "faces seen \(faces) of the node's \(nodeTotal)")
        XCTAssertEqual(
            try cli(
                d,
                [
                    "report", "--deployment", "dep-7", "--format", "html", "--out", "\(d.dir)/report.html", "--as",
                    "auditor",
                ]
            ).status, 0)

        // The auditor: the chain is intact, the checkpoint written at the end holds, and the story is all there.
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: "\(d.dir)/coordinator/audit-checkpoints")
        let verified = try cli(
            d,
            [
                "audit", "verify", "--checkpoint",
                "\(d.dir)/coordinator/audit-checkpoints/\(try XCTUnwrap(checkpoints.first))",
            ])
        XCTAssertEqual(verified.status, 0, verified.stdout + verified.stderr)
        XCTAssertTrue(
            verified.stdout.contains("audit log intact") && verified.stdout.contains("holds"), verified.stdout)
        let actions = try cli(d, ["audit", "list", "--limit", "1000"]).stdout.split(separator: "\n").map {
            String($0.split(separator: "\t")[3])
        }
        var position = actions.startIndex
        for expected in [
            "node.enrolled", "deployment.created", "bundle.attached", "deployment.authorised", "deployment.started",
            "bundle.pushed",
            "bundle.accepted", "alert.received", "alert.reviewed", "alert.outcome", "deployment.ended",
            "audit.checkpoint",
            "node.wipe_sent", "bundle.destroyed", "report.exported",
        ] {
            guard let found = actions[position...].firstIndex(of: expected) else {
                return XCTFail("\(expected) missing after \(actions[..<position])")
            }
            position = found
        }
    }

    /// Nobody ends the deployment: the coordinator does as its planned window closes (the bundle
    /// is valid for years), its node wipes the list, and the audit log says why and is checkpointed.
    func testLiveDeployment_endsAsItsPlannedWindowCloses_andItsNodeWipes() throws {
        let d = try DeploymentFixture(self, nodes: ["node1"])
        let bundle = try d.buildObamaBundle()
        let evaluation = Self.evaluationReport
        let server = try d.startCoordinator(bundle: nil, enrolled: ["node1"])
        defer { server.signal(SIGTERM) }
        let node = try d.startNode(
            "node1", source: try d.clip(of: "obama.jpg", to: "obama.mp4", seconds: 3), loop: true)
        defer { node.signal(SIGTERM) }
        XCTAssertTrue(server.waitForStderr("node connected", timeout: .seconds(60)), server.stderr)

        let close = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 20).rounded(.down))
        let created = try create(
            d, bundle: bundle, evaluation: evaluation, to: ISO8601DateFormatter().string(from: close))
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(try cli(d, ["deployment", "authorise", "--id", "dep-7", "--as", "Supt Ames"]).status, 0)
        XCTAssertEqual(try cli(d, ["deployment", "start", "--id", "dep-7", "--as", "Insp Cole"]).status, 0)
        XCTAssertTrue(node.waitForStderr("watchlist accepted", timeout: .seconds(60)), node.stderr)
        XCTAssertTrue(
            node.waitForStderr("deployment ended on command: watchlist wiped", timeout: .seconds(60)), node.stderr)
        XCTAssertGreaterThanOrEqual(Date(), close, "not before the window closed")
        XCTAssertTrue(server.stderr.contains("deployment ended: its planned window closed"), server.stderr)

        let shown = try cli(d, ["deployment", "show", "--id", "dep-7"]).stdout
        XCTAssertTrue(
            shown.contains("deployment:   dep-7 (ended)")
                && shown.contains("ended:        coordinator (planned window closed)"), shown)
        XCTAssertTrue(
            shown.contains("enrolled:     one photo per subject")
                && shown.contains("cohort:       none: the list is its own cohort"), shown)
        let actions = try cli(d, ["audit", "list", "--limit", "1000"]).stdout.split(separator: "\n").map {
            String($0.split(separator: "\t")[3])
        }
        let end = try XCTUnwrap(actions.lastIndex(of: "deployment.ended"))
        XCTAssertTrue(
            actions[end...].contains("audit.checkpoint") && actions[end...].contains("node.wipe_sent"), "\(actions)")
    }

    func testANodeClaimingAnotherNodesID_isRefusedAndAudited() throws {
        let d = try DeploymentFixture(self, nodes: ["node1", "node2"])
        let server = try d.startCoordinator(bundle: try d.buildObamaBundle(), enrolled: ["node1", "node2"])
        defer { server.signal(SIGTERM) }
        let impostor = try d.startNode("node2", source: try d.clip(of: "obama.jpg", to: "obama.mp4"), claiming: "node1")
        defer { impostor.signal(SIGTERM) }
        XCTAssertTrue(
            server.waitForStderr(
                "message refused: the node claims an identity its key was not enrolled for", timeout: .seconds(60)),
            server.stderr)
        XCTAssertFalse(impostor.stderr.contains("watchlist accepted"), "no list for a node that lies about who it is")
        let audit = try cli(d, ["audit", "list", "--action", "node.identity_refused"])
        XCTAssertTrue(
            audit.stdout.contains("node:node2") && audit.stdout.contains(#""claimed":"node node1""#), audit.stdout)
        XCTAssertEqual(try cli(d, ["alerts", "list"]).stdout, "", "nothing stored from it")
    }

    func testRecordCommands_refuseBadInput_withClearErrors_andWriteNothing() throws {
        let d = try DeploymentFixture(self, nodes: ["node1"])
        let bundle = try d.buildObamaBundle()
        let evaluation = Self.evaluationReport
        try d.writeCoordinatorConfig(bundle: nil, enrolled: ["node1"])
        /// A refusal with a code exits with its kind's status (sysexits.h) and names the code.
        func refused(
            _ args: [String], _ expected: String, code: String? = nil, status: Int32? = nil, line: UInt = #line
        ) throws {
            let before = try cli(d, ["audit", "list", "--limit", "100000"]).stdout
            let r = try cli(d, args)
            XCTAssertNotEqual(r.status, 0, line: line)
            if let status { XCTAssertEqual(r.status, status, r.stderr, line: line) }
            if let code { XCTAssertTrue(r.stderr.contains("[\(code)]"), r.stderr, line: line) }
            XCTAssertTrue(r.stderr.contains(expected), r.stderr, line: line)
            XCTAssertEqual(
                try cli(d, ["audit", "list", "--limit", "100000"]).stdout, before, "nothing written", line: line)
        }
        try refused(
            ["deployment", "start", "--id", "nope", "--as", "x"], "no deployment nope", code: "deployment.notFound",
            status: 66)
        try
            "subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18\ns-101,B,wanted,warrant,custody photo,obama.jpg,warrant,maybe\n"
            .write(toFile: "\(d.dir)/m.csv", atomically: true, encoding: .utf8)
        try refused(
            Array(try createArguments(d, bundle, evaluation)), "line 2: under_18 is 'maybe'; write yes or no",
            code: "manifest.invalidUnder18", status: 65)
        try
            "subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18\ns-101,B,wanted,warrant,custody photo,obama.jpg,,no\n"
            .write(toFile: "\(d.dir)/m.csv", atomically: true, encoding: .utf8)
        try refused(
            Array(try createArguments(d, bundle, evaluation)), "legal_basis is missing or empty for s-101",
            code: "manifest.missingLegalBasis", status: 65)
        try
            "subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18\ns-101,B,wanted,warrant,custody photo,obama.jpg,warrant,no\n"
            .write(toFile: "\(d.dir)/m.csv", atomically: true, encoding: .utf8)
        try refused(["deployment", "authorise", "--id", "dep-7", "--as", " "], "--as must name who is acting")
        XCTAssertEqual(try create(d, bundle: bundle, evaluation: evaluation).status, 0)
        try refused(
            ["deployment", "start", "--id", "dep-7", "--as", "op"], "must be authorised first",
            code: "deployment.stillPlanned", status: 75)
        XCTAssertEqual(try cli(d, ["deployment", "authorise", "--id", "dep-7", "--as", "Supt Ames"]).status, 0)
        let first = try cli(d, ["deployment", "start", "--id", "dep-7", "--as", "op"])
        XCTAssertTrue(first.stdout.contains("no running coordinator serve found"), first.stdout)
        try refused(
            ["deployment", "start", "--id", "dep-7", "--as", "op"], "already live", code: "deployment.alreadyLive",
            status: 75)
        try refused(
            ["alerts", "adjudicate", UUID().uuidString, "--review", "match", "--as", "op"], "no alert",
            code: "adjudication.alertNotFound", status: 66)
        try refused(
            ["alerts", "adjudicate", UUID().uuidString, "--review", "yes", "--as", "op"],
            "--review yes is not one of match, no-match, unsure")
        try refused(
            ["report", "--deployment", "dep-7", "--format", "pdf", "--as", "a"], "--format must be json, csv or html")
    }

    private func createArguments(_ d: DeploymentFixture, _ bundle: String, _ evaluation: String) throws -> [String] {
        [
            "deployment", "create", "--id", "dep-7", "--place", "Stratford", "--latitude", "51.5", "--longitude", "0",
            "--from", "2020-01-01T00:00:00Z",
            "--to", "2099-01-01T00:00:00Z", "--purpose", "p", "--legal-basis", "l", "--nodes", "node1", "--bundle",
            bundle, "--manifest",
            "\(d.dir)/m.csv", "--evaluation", evaluation, "--as", "DS Intel",
        ]
    }
}
