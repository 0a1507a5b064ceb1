import CoordinatorRecord
import Foundation
import PropertyBased
import Testing

/// The deployment lifecycle over generated sequences of steps at generated times: whatever is
/// asked, in whatever order, a deployment only moves forward (planned, authorised, live, ended,
/// destroyed), is live only inside its window, is never live again once ended, and a refused
/// step changes nothing.
@Suite struct DeploymentLifecycleProperties {
    enum Step: CaseIterable, Sendable {
        case authorise, authoriseWithoutOfficer, start, end, closeWindow, lapse, destroy
    }

    private static let windowStart = Date(timeIntervalSince1970: 1_800_000_000)
    private static let windowEnd = windowStart.addingTimeInterval(8 * 3600)
    private static let order: [DeploymentState] = [.planned, .authorised, .live, .ended, .watchlistDestroyed]

    /// Steps, each at an offset in minutes from the window's start (from 2 hours before to 2 after).
    private static let runs = zip(Gen<Step>.case, Gen.int(in: -120...(10 * 60))).array(of: 1...12)

    @Test func aDeployment_onlyMovesForward_isLiveOnlyInItsWindow_andARefusedStepChangesNothing() async {
        await propertyCheck(count: 500, input: Self.runs) { steps in
            var lifecycle = DeploymentLifecycle(windowStart: Self.windowStart, windowEnd: Self.windowEnd)
            var clock = Self.windowStart.addingTimeInterval(-3 * 3600)
            for (step, minutes) in steps {
                // Time never runs backwards between steps.
                clock = max(clock, Self.windowStart.addingTimeInterval(TimeInterval(minutes * 60)))
                let before = lifecycle
                do {
                    switch step {
                    case .authorise:
                        try lifecycle.authorise(officer: "Insp. Reid", minorsWithoutOverride: [], now: clock)
                    case .authoriseWithoutOfficer:
                        try lifecycle.authorise(officer: "  ", minorsWithoutOverride: [], now: clock)
                    case .start: try lifecycle.start(now: clock)
                    case .end: try lifecycle.end(now: clock)
                    case .closeWindow: try lifecycle.closeWindow(now: clock)
                    case .lapse: try lifecycle.lapse(now: clock)
                    case .destroy: try lifecycle.destroyWatchlist(now: clock)
                    }
                } catch {
                    #expect(lifecycle == before, "refused \(step) changed the deployment")
                    #expect(error is DeploymentTransitionError)
                    continue
                }
                let from = Self.order.firstIndex(of: before.state)!, to = Self.order.firstIndex(of: lifecycle.state)!
                // Only a lapse skips a state: an authorised deployment never started is ended after its window.
                let lapsed = step == .lapse && before.state == .authorised && lifecycle.state == .ended
                #expect(to == from + 1 || lapsed, "\(step) moved \(before.state) to \(lifecycle.state)")
                if step == .lapse { #expect(clock >= Self.windowEnd, "lapsed at \(clock), inside the window") }
                #expect(step != .authoriseWithoutOfficer, "authorised with no officer")
                if lifecycle.state == .live {
                    #expect(clock >= Self.windowStart && clock < Self.windowEnd, "live at \(clock), outside the window")
                }
                if step == .closeWindow { #expect(clock >= Self.windowEnd) }
            }
            if let started = lifecycle.startedAt {
                #expect(started >= Self.windowStart && started < Self.windowEnd)
                #expect(lifecycle.authorisedAt.map { $0 <= started } == true)
            }
            if let ended = lifecycle.endedAt {
                if let started = lifecycle.startedAt {
                    #expect(started <= ended)
                } else {
                    #expect(ended >= Self.windowEnd, "ended without a start before its window closed")
                }
            }
        }
    }
}
