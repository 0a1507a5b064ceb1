import XCTest

@testable import EdgeNode

/// One alert per pass: repeats of a subject while the pass goes on are held back; a later pass,
/// another subject, or a new watchlist alerts again.
final class RepeatAlertGateTests: XCTestCase {
    func testABrokenTrack_doesNotAlertAgainWithinTheWindow_butALaterPassDoes() {
        var gate = RepeatAlertGate(window: 5)
        XCTAssertTrue(gate.admit("s-1", at: 10))
        XCTAssertFalse(gate.admit("s-1", at: 12), "a second track of the same pass")
        XCTAssertTrue(gate.admit("s-2", at: 12), "another subject is another alert")
        XCTAssertFalse(gate.admit("s-1", at: 16.9), "still the pass: 4.9 s after the last match")
        XCTAssertTrue(gate.admit("s-1", at: 22), "more than 5 s after the last sighting: a new pass")
        XCTAssertEqual(gate.suppressed, 2)
    }

    func testAPassThatStaysInView_extendsTheWindow() {
        var gate = RepeatAlertGate(window: 5)
        XCTAssertTrue(gate.admit("s-1", at: 0))
        for t in stride(from: 0.04, through: 8, by: 0.04) { gate.stillInView(["s-1"], at: t) }
        XCTAssertFalse(
            gate.admit("s-1", at: 11), "the alerted track was followed until 8 s: its break at 11 s is the same pass")
    }

    func testALoopedFileStartingAgain_andANewWatchlist_areNewPasses() {
        var gate = RepeatAlertGate(window: 5)
        XCTAssertTrue(gate.admit("s-1", at: 30))
        XCTAssertTrue(gate.admit("s-1", at: 1), "the source's time went back: a new pass")
        gate.reset()
        XCTAssertTrue(gate.admit("s-1", at: 2))
    }

    func testAZeroWindow_turnsTheGateOff() {
        var gate = RepeatAlertGate(window: 0)
        XCTAssertTrue(gate.admit("s-1", at: 1))
        XCTAssertTrue(gate.admit("s-1", at: 1.04))
    }
}
