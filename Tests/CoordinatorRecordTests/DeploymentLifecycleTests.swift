import CoordinatorRecord
import Foundation
import XCTest

/// The lifecycle, transition by transition, with the clock given to each step.
final class DeploymentLifecycleTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    private var planned: DeploymentLifecycle { DeploymentLifecycle(windowStart: t0, windowEnd: t0 + 3600) }

    /// The code of the refusal `body` throws; nil when it is not refused.
    private func refusal(_ body: () throws -> Void) -> DeploymentTransitionError.Code? {
        do {
            try body()
            return nil
        } catch { return (error as? DeploymentTransitionError)?.code }
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
        XCTAssertEqual(
            [l.authorisedAt, l.startedAt, l.endedAt, l.destroyedAt], [t0 - 600, t0 + 10, t0 + 100, t0 + 100 + 86_400])
    }

    func testAuthorise_needsAnOfficer_noUnallowedMinor_andAWindowNotYetOver() {
        var l = planned
        XCTAssertEqual(refusal { try l.authorise(officer: " ", minorsWithoutOverride: [], now: t0) }, .noOfficer)
        XCTAssertEqual(
            refusal { try l.authorise(officer: "A", minorsWithoutOverride: ["s-9"], now: t0) }, .minorsWithoutOverride)
        XCTAssertEqual(
            refusal { try l.authorise(officer: "A", minorsWithoutOverride: [], now: t0 + 3600) }, .windowEnded)
        XCTAssertEqual(l.state, .planned, "a refused step changes nothing")
    }

    func testOutOfOrderTransitions_areRefusedWithTheReason() throws {
        var l = planned
        XCTAssertEqual(refusal { try l.start(now: t0) }, .stillPlanned)
        XCTAssertEqual(refusal { try l.end(now: t0) }, .stillPlanned)
        try l.authorise(officer: "A", minorsWithoutOverride: [], now: t0)
        XCTAssertEqual(refusal { try l.authorise(officer: "A", minorsWithoutOverride: [], now: t0) }, .onlyAuthorised)
        XCTAssertEqual(refusal { try l.start(now: t0 - 1) }, .windowNotStarted)
        try l.start(now: t0)
        XCTAssertEqual(refusal { try l.start(now: t0 + 1) }, .alreadyLive, "a second start is refused")
        XCTAssertEqual(refusal { try l.destroyWatchlist(now: t0) }, .alreadyLive)
        try l.end(now: t0 + 5)
        XCTAssertEqual(refusal { try l.start(now: t0 + 6) }, .alreadyEnded)
        XCTAssertFalse(
            planned.isWatchlistDestructionDue(now: t0 + 1e9, delay: 0), "only an ended deployment's list is destroyed")
    }

    func testCloseWindow_endsALiveDeploymentOnlyOnceItsWindowHasClosed() throws {
        var l = planned
        XCTAssertEqual(refusal { try l.closeWindow(now: t0 + 3600) }, .stillPlanned)
        try l.authorise(officer: "A", minorsWithoutOverride: [], now: t0)
        try l.start(now: t0 + 10)
        XCTAssertEqual(refusal { try l.closeWindow(now: t0 + 3599) }, .windowStillOpen)
        XCTAssertEqual(l.state, .live)
        try l.closeWindow(now: t0 + 3600)
        XCTAssertEqual(l.state, .ended)
        XCTAssertEqual(l.endedAt, t0 + 3600)
        XCTAssertEqual(
            refusal { try l.closeWindow(now: t0 + 3700) }, .alreadyEnded, "an ended deployment is not ended twice")
    }

    func testStart_afterTheWindow_isRefused() throws {
        var l = planned
        try l.authorise(officer: "A", minorsWithoutOverride: [], now: t0)
        XCTAssertEqual(refusal { try l.start(now: t0 + 3600) }, .windowEnded)
        XCTAssertEqual(l.state, .authorised)
    }
}
