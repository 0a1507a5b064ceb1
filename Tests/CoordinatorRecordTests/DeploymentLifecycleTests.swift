import CoordinatorRecord
import Foundation
import XCTest

/// The lifecycle, transition by transition, with the clock given to each step.
final class DeploymentLifecycleTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    private var planned: DeploymentLifecycle { DeploymentLifecycle(windowStart: t0, windowEnd: t0 + 3600) }

    private func refusal(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return "\(error)" }
    }

    func testFullLife_plannedToWatchlistDestroyed_recordsEachTime() throws {
        var l = planned
        try l.authorise(officer: "Supt Ames", minorsWithoutOverride: [], now: t0 - 600)
        XCTAssertEqual(l.state, .authorised)
        try l.start(now: t0 + 10)
        XCTAssertEqual(l.state, .live)
        try l.end(now: t0 + 100)
        XCTAssertEqual(l.state, .ended)
        XCTAssertFalse(l.isWatchlistDestructionDue(now: t0 + 100 + 86_399, delay: 86_400))
        XCTAssertTrue(l.isWatchlistDestructionDue(now: t0 + 100 + 86_400, delay: 86_400))
        try l.destroyWatchlist(now: t0 + 100 + 86_400)
        XCTAssertEqual(l.state, .watchlistDestroyed)
        XCTAssertEqual([l.authorisedAt, l.startedAt, l.endedAt, l.destroyedAt], [t0 - 600, t0 + 10, t0 + 100, t0 + 100 + 86_400])
    }

    func testAuthorise_needsAnOfficer_noUnallowedMinor_andAWindowNotYetOver() {
        var l = planned
        XCTAssertTrue(refusal { try l.authorise(officer: " ", minorsWithoutOverride: [], now: t0) }.contains("officer"))
        XCTAssertTrue(refusal { try l.authorise(officer: "A", minorsWithoutOverride: ["s-9"], now: t0) }.contains("s-9 are marked under 18"))
        XCTAssertTrue(refusal { try l.authorise(officer: "A", minorsWithoutOverride: [], now: t0 + 3600) }.contains("window ended"))
        XCTAssertEqual(l.state, .planned, "a refused step changes nothing")
    }

    func testOutOfOrderTransitions_areRefusedWithTheReason() throws {
        var l = planned
        XCTAssertTrue(refusal { try l.start(now: t0) }.contains("only planned: it must be authorised first"))
        XCTAssertTrue(refusal { try l.end(now: t0) }.contains("only planned"))
        try l.authorise(officer: "A", minorsWithoutOverride: [], now: t0)
        XCTAssertTrue(refusal { try l.authorise(officer: "A", minorsWithoutOverride: [], now: t0) }.contains("authorised but not live"))
        XCTAssertTrue(refusal { try l.start(now: t0 - 1) }.contains("cannot go live before"))
        try l.start(now: t0)
        XCTAssertTrue(refusal { try l.start(now: t0 + 1) }.contains("already live"), "a second start is refused")
        XCTAssertTrue(refusal { try l.destroyWatchlist(now: t0) }.contains("already live"))
        try l.end(now: t0 + 5)
        XCTAssertTrue(refusal { try l.start(now: t0 + 6) }.contains("never restarted"))
        XCTAssertFalse(planned.isWatchlistDestructionDue(now: t0 + 1e9, delay: 0), "only an ended deployment's list is destroyed")
    }

    func testCloseWindow_endsALiveDeploymentOnlyOnceItsWindowHasClosed() throws {
        var l = planned
        XCTAssertTrue(refusal { try l.closeWindow(now: t0 + 3600) }.contains("only planned"))
        try l.authorise(officer: "A", minorsWithoutOverride: [], now: t0)
        try l.start(now: t0 + 10)
        XCTAssertTrue(refusal { try l.closeWindow(now: t0 + 3599) }.contains("closes at"))
        XCTAssertEqual(l.state, .live)
        try l.closeWindow(now: t0 + 3600)
        XCTAssertEqual(l.state, .ended)
        XCTAssertEqual(l.endedAt, t0 + 3600)
        XCTAssertTrue(refusal { try l.closeWindow(now: t0 + 3700) }.contains("has ended"), "an ended deployment is not ended twice")
    }

    func testStart_afterTheWindow_isRefused() throws {
        var l = planned
        try l.authorise(officer: "A", minorsWithoutOverride: [], now: t0)
        XCTAssertTrue(refusal { try l.start(now: t0 + 3600) }.contains("window ended"))
        XCTAssertEqual(l.state, .authorised)
    }
}
