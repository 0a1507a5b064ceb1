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

    /// A 40-px face crossing at 16 px a frame, detected on every second frame: its boxes overlap
    /// by IoU 0.11, below `minIoU`, and its first sighting gives no velocity to predict with.
    func testSmallFaceMovingMoreThanItsOverlapAllows_keepsOneTrack_fromItsSecondSighting() {
        var tracker = Tracker()
        XCTAssertLessThan(box(0, size: 40).iou(box(32, size: 40)), TrackerSettings().minIoU)
        let id = tracker.update(with: [box(0, size: 40)]).assignments[0]
        for step in 1...10 {
            let update = tracker.update(with: [box(Float(32 * step), size: 40)], frames: 2)
            XCTAssertEqual(update.assignments, [id], "sighting \(step)")
            XCTAssertEqual(update.started, [])
        }
    }

    /// Frames dropped behind a slow frame (a live camera): seen once, then again 5 frames and 80 px on.
    func testFaceSeenOnceThenAgainAfterDroppedFrames_keepsItsTrack() {
        var tracker = Tracker()
        let id = tracker.update(with: [box(0, size: 50)]).assignments[0]
        XCTAssertEqual(box(0, size: 50).iou(box(80, size: 50)), 0)
        XCTAssertEqual(tracker.update(with: [box(80, size: 50)], frames: 5).assignments, [id])
    }

    /// Reach grows with the frames since the face was seen, and is measured in its widths: the same
    /// 80 px is out of reach one frame on, and a face of another size is someone else.
    func testDetectionOutOfReachOrOfAnotherSize_startsItsOwnTrack() {
        var tracker = Tracker()
        let id = tracker.update(with: [box(0, size: 50)]).assignments[0]
        let far = tracker.update(with: [box(80, size: 50)], frames: 1)
        XCTAssertNotEqual(far.assignments, [id])
        XCTAssertEqual(far.started, far.assignments)

        var sized = Tracker()
        let small = sized.update(with: [box(0, size: 40)]).assignments[0]
        let big = sized.update(with: [box(40, size: 80)], frames: 4)
        XCTAssertNotEqual(big.assignments, [small])
        XCTAssertEqual(big.started, big.assignments)
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
        XCTAssertThrowsError(try TrackerSettings(maxShiftPerFrame: -0.5).validate())
    }
}
