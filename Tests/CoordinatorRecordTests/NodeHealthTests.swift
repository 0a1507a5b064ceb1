import CoordinatorRecord
import Foundation
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
}
