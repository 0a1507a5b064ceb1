import FaceEngine
import XCTest

/// The tracker as a state machine, without images.
final class TrackerTests: XCTestCase {
    private func box(_ x: Float, _ y: Float = 0, size: Float = 50) -> Box { Box(x: x, y: y, width: size, height: size) }

    func testNewFaces_startTracks_andKeepThemWhileTheyMoveALittle() {
        var tracker = Tracker()
        let first = tracker.update(with: [box(0), box(200)])
        XCTAssertEqual(first.started.count, 2)
        let second = tracker.update(with: [box(205), box(4)])  // same faces, other order, moved a little
        XCTAssertEqual(second.started, [])
        XCTAssertEqual(second.assignments, [first.assignments[1], first.assignments[0]])
    }

    func testTrack_endsOnlyAfterMoreThanMaxMissedFrames() {
        var tracker = Tracker(settings: TrackerSettings(maxMissedFrames: 2))
        let id = tracker.update(with: [box(0)]).assignments[0]
        XCTAssertEqual(tracker.update(with: []).ended, [])
        XCTAssertEqual(tracker.update(with: []).ended, [])
        XCTAssertEqual(tracker.update(with: []).ended, [id])
        XCTAssertEqual(tracker.liveTracks, [])
    }

    func testFaceThatJumpsAway_isANewTrack() {
        var tracker = Tracker()
        let a = tracker.update(with: [box(0)]).assignments[0]
        let update = tracker.update(with: [box(300)])
        XCTAssertNotEqual(update.assignments[0], a)
        XCTAssertEqual(update.started, update.assignments)
    }

    func testOneDetection_isNeverGivenToTwoTracks() {
        var tracker = Tracker()
        _ = tracker.update(with: [box(0), box(20)])
        let update = tracker.update(with: [box(10)])
        XCTAssertEqual(update.assignments.count, 1)
        XCTAssertEqual(Set(tracker.liveTracks).count, 2)
    }

    func testFaceFollowedAcrossFramesWithoutDetection_keepsItsTrackWhereItsLastBoxNoLongerOverlaps() {
        var tracker = Tracker()
        let id = tracker.update(with: [box(0)]).assignments[0]
        XCTAssertEqual(tracker.update(with: [box(20)]).assignments, [id])
        XCTAssertEqual(tracker.update(with: [box(40)]).assignments, [id])
        // Three frames later at 20 px a frame it is at 100: no overlap with the box at 40, on its predicted path.
        XCTAssertEqual(box(40).iou(box(100)), 0)
        let update = tracker.update(with: [box(100)], frames: 3)
        XCTAssertEqual(update.assignments, [id])
        XCTAssertEqual(update.started, [])
    }

    func testFaceThatStops_keepsItsTrackDespiteItsOldVelocity() {
        var tracker = Tracker()
        let id = tracker.update(with: [box(0)]).assignments[0]
        XCTAssertEqual(tracker.update(with: [box(20)]).assignments, [id])
        XCTAssertEqual(tracker.update(with: [box(22)], frames: 4).assignments, [id])
    }

    func testMissedFrames_countFramesBetweenDetectionsToo() {
        var tracker = Tracker(settings: TrackerSettings(maxMissedFrames: 4))
        let id = tracker.update(with: [box(0)]).assignments[0]
        XCTAssertEqual(tracker.update(with: [], frames: 3).ended, [])
        XCTAssertEqual(tracker.update(with: [], frames: 2).ended, [id])
    }

    func testEndAll_endsEveryLiveTrack() {
        var tracker = Tracker()
        let ids = tracker.update(with: [box(0), box(200)]).assignments
        XCTAssertEqual(Set(tracker.endAll()), Set(ids))
        XCTAssertEqual(tracker.liveTracks, [])
    }

    func testSettingsOutOfRange_areRefused() {
        XCTAssertThrowsError(try TrackerSettings(minIoU: 0).validate())
        XCTAssertThrowsError(try TrackerSettings(maxMissedFrames: -1).validate())
    }
}
