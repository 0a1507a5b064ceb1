import Foundation
import GRDB
import TestSupport
import XCTest

/// Promise 3 under faults: kill -9 of the coordinator, kill -9 of a node with alerts in its
/// outbox, and the coordinator gone for a while. After recovery every alert the node produced is
/// stored exactly once. Rounds: $WATCHPOST_FAULT_ROUNDS (default 2); outage: $WATCHPOST_OUTAGE_SECONDS (default 5).
final class FaultTests: XCTestCase {
    private let environment = ProcessInfo.processInfo.environment

    /// A clip in which the enrolled person appears `times` times (1 s each, 1.5 s of black between),
    /// so that each appearance is a new track and a new alert.
    private func appearances(_ d: DeploymentFixture, times: Int) throws -> String {
        let face = "\(d.dir)/face.png", black = "\(d.dir)/black.png", list = "\(d.dir)/list.txt",
            out = "\(d.dir)/appearances.mp4"
        for args in [
            [
                "-i", "\(d.dir)/obama2.jpg", "-vf", "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480",
                face,
            ],
            ["-f", "lavfi", "-i", "color=black:s=640x480", "-frames:v", "1", black],
        ] {
            let p = try ChildProcess("/usr/bin/ffmpeg", ["-loglevel", "error", "-y"] + args)
            XCTAssertEqual(p.wait(), 0, p.stderr)
        }
        let entries = (0..<times).map { _ in "file '\(face)'\nduration 1\nfile '\(black)'\nduration 1.5" }.joined(
            separator: "\n")
        try (entries + "\nfile '\(black)'\n").write(toFile: list, atomically: true, encoding: .utf8)
        let p = try ChildProcess(
            "/usr/bin/ffmpeg",
            [
                "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", list,
                "-r", "10", "-pix_fmt", "yuv420p", out,
            ])
        XCTAssertEqual(p.wait(), 0, p.stderr)
        return out
    }

    private func storedIDs(_ d: DeploymentFixture) throws -> [String] {
        let db = try DatabaseQueue(path: "\(d.dir)/coordinator/coordinator.sqlite")
        return try db.read { try String.fetchAll($0, sql: "SELECT id FROM alert") }
    }

    /// Each stored alert's sighting (node, track, capture time) and crop: an alert re-minted under a
    /// new id for a sighting already sent would be a second row with the same sighting.
    private func storedSightings(_ d: DeploymentFixture) throws -> [(sighting: String, crop: [UInt8])] {
        let db = try DatabaseQueue(path: "\(d.dir)/coordinator/coordinator.sqlite")
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT node_id, track, captured_at_ms, crop FROM alert").map { row in
                (
                    "\(row["node_id"] as String)/\(row["track"] as Int64)/\(row["captured_at_ms"] as Int64)",
                    Array(row["crop"] as Data)
                )
            }
        }
    }

    func testAlertsSurviveCrashesAndOutages_storedExactlyOnce() throws {
        let rounds = Int(environment["WATCHPOST_FAULT_ROUNDS"] ?? "") ?? 2
        let outage = Double(environment["WATCHPOST_OUTAGE_SECONDS"] ?? "") ?? 5
        for round in 1...rounds {
            let d = try DeploymentFixture(self, nodes: ["node1"])
            let bundle = try d.buildObamaBundle()
            let clip = try appearances(d, times: 8)
            var server = try d.startCoordinator(bundle: bundle, enrolled: ["node1"])
            var node = try d.startNode("node1", source: clip)
            var nodeLogs: [String] = [], serverLogs: [String] = []
            XCTAssertTrue(node.waitForStderr("alert queued", timeout: .seconds(60)), node.stderr)

            // 1. The coordinator dies mid-stream and comes back.
            server.signal(SIGKILL)
            _ = server.wait()
            serverLogs.append(server.stderr)
            Thread.sleep(forTimeInterval: 2.5)
            server = try d.startCoordinator(bundle: bundle, enrolled: ["node1"])

            // 2. The node dies with whatever its outbox holds, and comes back (nothing of the watchlist survives).
            Thread.sleep(forTimeInterval: 3)
            node.signal(SIGKILL)
            _ = node.wait()
            nodeLogs.append(node.stderr)
            node = try d.startNode("node1", source: clip)
            XCTAssertTrue(node.waitForStderr("watchlist accepted", timeout: .seconds(30)), node.stderr)

            // 3. The coordinator is gone for a while (as if the network dropped); alerts wait in the outbox.
            XCTAssertTrue(node.waitForStderr("alert queued", timeout: .seconds(60)), node.stderr)
            server.signal(SIGTERM)
            _ = server.wait()
            serverLogs.append(server.stderr)
            Thread.sleep(forTimeInterval: outage)
            server = try d.startCoordinator(bundle: bundle, enrolled: ["node1"])

            XCTAssertTrue(
                node.waitForStderr("coordinator reachable again", timeout: .seconds(60)),
                "heartbeats both ways: \(node.stderr)")
            XCTAssert(node.stderr.contains("coordinator unreachable; alerts are kept in the outbox"))
            XCTAssertTrue(node.waitForStderr("source ended", timeout: .seconds(120)), node.stderr)
            let queued = Set(
                (nodeLogs + [node.stderr]).flatMap { DeploymentFixture.alertIDs($0, marker: "alert queued") })
            let deadline = ContinuousClock.now + .seconds(60)
            while try !queued.isSubset(of: Set(storedIDs(d))), ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.5)
            }

            // Acknowledged crops leave the node's disk at the ack, not at a clean shutdown: after
            // the acks arrive, a kill -9 leaves none of them in any file of its state folder.
            let sightings = try storedSightings(d)
            let nodeState = "\(d.dir)/node1"
            while try sightings.contains(where: { try !CropScan.filesHolding($0.crop, in: nodeState).isEmpty }),
                ContinuousClock.now < deadline
            { Thread.sleep(forTimeInterval: 0.5) }
            node.signal(SIGKILL)
            _ = node.wait()
            for (i, s) in sightings.enumerated() {
                XCTAssertEqual(
                    try CropScan.filesHolding(s.crop, in: nodeState), [],
                    "round \(round): acknowledged crop \(i) left on the node")
            }
            server.signal(SIGTERM)
            _ = server.wait(timeout: .seconds(30))
            serverLogs.append(server.stderr)

            let stored = try storedIDs(d)
            XCTAssertTrue(queued.isSubset(of: Set(stored)), "round \(round): lost \(queued.subtracting(stored))")
            // The one kill -9 of the node may land between an alert's outbox write and its log line.
            XCTAssertLessThanOrEqual(
                Set(stored).subtracting(queued).count, 1, "round \(round): stored alerts the node never queued")
            XCTAssertEqual(
                Set(sightings.map(\.sighting)).count, sightings.count,
                "round \(round): one sighting stored under two alert ids")
            XCTAssertGreaterThanOrEqual(queued.count, 2, "round \(round): the clip produced alerts across the faults")
            let stores = serverLogs.flatMap { DeploymentFixture.alertIDs($0, marker: "alert stored") }
            XCTAssertEqual(stores.count, Set(stores).count, "round \(round): no alert was inserted twice")
            print("fault round \(round): \(queued.count) alerts produced, \(stored.count) stored, each once")
        }
    }
}
