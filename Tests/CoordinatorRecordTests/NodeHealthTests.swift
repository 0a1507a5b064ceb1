import CoordinatorRecord
import Foundation
import RecordTestSupport
import Shared
import XCTest

/// The supervisor's plain flag for a camera, from the counts its node reports.
final class NodeHealthTests: XCTestCase {
    private func status(faces: UInt64, fps: Double = 10, rejections: [String: UInt64]) -> NodeStatus {
        NodeStatus(
            node: EnrolledNode(nodeID: "n", cameraID: "c", publicKey: "k"), revoked: false, lastHeartbeat: Date(),
            framesPerSecond: fps,
            watchlistVersion: 1, facesTotal: faces, framesDropped: 0, qualityRejections: rejections, lastRefusal: nil)
    }

    func testFlags_nameWhatTurnsMostFacesAway_andSlowCameras() {
        XCTAssertEqual(
            status(faces: 100, rejections: ["underexposed": 20, "blurred": 5]).health, "ok",
            "fewer rejections than faces tracked")
        XCTAssertEqual(
            status(faces: 20, rejections: ["underexposed": 300, "blurred": 40]).health, "degraded: too dark")
        XCTAssertEqual(
            status(faces: 20, rejections: ["too_small": 200, "blurred": 150]).health,
            "degraded: faces too small, too blurred")
        XCTAssertEqual(status(faces: 0, rejections: ["too_small": 5]).health, "ok", "too few to judge")
        XCTAssertEqual(status(faces: 50, fps: 2, rejections: [:]).health, "degraded: dropping frames")
    }

    /// Counts that are not what Watchpost stores are a damaged row: read as none, the node's
    /// status would show no rejections and the deployment's totals would quietly start again.
    func testStoredCountsNobodyWrote_areADamagedRow_notZero() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        let beat = WireMessage.Heartbeat(
            uptimeSeconds: 1, framesPerSecond: 10, facesSeen: 10, framesDropped: 0, watchlistVersion: 1,
            qualityRejections: ["too_small": 4])
        try NodeRegistry.recordHeartbeat(beat, from: "node1", deploymentID: "dep-1", in: f.database, at: Date())
        XCTAssertEqual(try NodeRegistry.statuses(in: f.database).first?.qualityRejections, ["too_small": 4])
        for (table, column, word) in [
            ("node", "rejections_total", #"{"too_small":"many"}"#),
            ("node_deployment_counts", "quality_rejections", "x"),
        ] {
            try f.tamper("UPDATE \(table) SET \(column) = '\(word)'")
            XCTAssertThrowsError(
                try NodeRegistry.recordHeartbeat(beat, from: "node1", deploymentID: "dep-1", in: f.database, at: Date())
            ) {
                XCTAssertEqual(
                    ($0 as? DamagedRow).map { [$0.table, $0.column, $0.key, $0.value] }, [table, column, "node1", word])
            }
            if table == "node" {
                XCTAssertThrowsError(try NodeRegistry.statuses(in: f.database)) {
                    XCTAssertEqual(($0 as? DamagedRow)?.column, column)
                }
            }
            try f.tamper("UPDATE \(table) SET \(column) = '{}'")
        }
        XCTAssertEqual(try NodeRegistry.statuses(in: f.database).first?.qualityRejections, [:], "repaired, it reads")
    }
}
