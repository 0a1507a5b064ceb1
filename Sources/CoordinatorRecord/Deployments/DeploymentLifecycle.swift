import Foundation
import Refusals

/// Where a deployment is in its life.
public enum DeploymentState: String, Sendable, CaseIterable, Codable {
    case planned
    case authorised
    case live
    case ended
    /// The coordinator's copy of the bundle is gone; who was on the list (ids, hash, signers) stays.
    case watchlistDestroyed = "watchlist destroyed"
}

/// A transition the lifecycle refused: a code, and why in words for the person who asked for it.
public struct DeploymentTransitionError: Refusal, Equatable {
    public enum Code: String, Sendable {
        /// The deployment is in a state the step cannot follow.
        case stillPlanned, onlyAuthorised, alreadyLive, alreadyEnded
        case noOfficer, minorsWithoutOverride, windowNotStarted, windowEnded, windowStillOpen
    }
    public static let area = "deployment"
    public let code: Code
    public let description: String
    public var kind: RefusalKind { .conflict }
    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// A deployment's lifecycle as a value-type state machine: no I/O, no clock of its own (every
/// transition is given `now`).
///
///     planned ──authorise──► authorised ──start──► live ──end (or window closed)──► ended ──(destroy delay)──► watchlist destroyed
///
/// Authorisation needs an officer and no subject under 18 without a supervisor's override; a
/// deployment starts only inside its planned window and ends when it closes at the latest; an
/// ended one is never restarted.
public struct DeploymentLifecycle: Sendable, Equatable {
    public private(set) var state: DeploymentState
    public let windowStart: Date
    public let windowEnd: Date
    public private(set) var authorisedAt: Date?
    public private(set) var startedAt: Date?
    public private(set) var endedAt: Date?
    public private(set) var destroyedAt: Date?

    public init(windowStart: Date, windowEnd: Date) {
        self.init(state: .planned, windowStart: windowStart, windowEnd: windowEnd)
    }

    public init(
        state: DeploymentState, windowStart: Date, windowEnd: Date, authorisedAt: Date? = nil, startedAt: Date? = nil,
        endedAt: Date? = nil, destroyedAt: Date? = nil
    ) {
        self.state = state
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.authorisedAt = authorisedAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.destroyedAt = destroyedAt
    }

    /// - Parameter minorsWithoutOverride: subjects marked under 18 that no supervisor has allowed.
    public mutating func authorise(officer: String, minorsWithoutOverride: [String], now: Date) throws {
        try expect(.planned, to: "authorise")
        guard !officer.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DeploymentTransitionError(.noOfficer, "authorisation needs the authorising officer's name")
        }
        guard minorsWithoutOverride.isEmpty else {
            throw DeploymentTransitionError(
                .minorsWithoutOverride,
                "subject(s) \(minorsWithoutOverride.joined(separator: ", ")) are marked under 18: "
                    + "a supervisor must record an override with a reason first (coordinator deployment allow-minor)")
        }
        try expectWindowOpen(now)
        state = .authorised
        authorisedAt = now
    }

    public mutating func start(now: Date) throws {
        try expect(.authorised, to: "start")
        guard now >= windowStart else {
            throw DeploymentTransitionError(
                .windowNotStarted, "the planned window starts at \(iso(windowStart)); it cannot go live before")
        }
        try expectWindowOpen(now)
        state = .live
        startedAt = now
    }

    public mutating func end(now: Date) throws {
        try expect(.live, to: "end")
        state = .ended
        endedAt = now
    }

    /// Ends a live deployment because its planned window has closed: nodes may look for people
    /// only within the window that was authorised.
    public mutating func closeWindow(now: Date) throws {
        guard now >= windowEnd else {
            throw DeploymentTransitionError(.windowStillOpen, "the planned window closes at \(iso(windowEnd)), not yet")
        }
        try end(now: now)
    }

    /// Closes an authorised deployment whose planned window passed without a start: it is ended on
    /// the record (never live), so that its list is destroyed on the usual schedule and it cannot
    /// be started late.
    public mutating func lapse(now: Date) throws {
        try expect(.authorised, to: "close")
        guard now >= windowEnd else {
            throw DeploymentTransitionError(.windowStillOpen, "the planned window closes at \(iso(windowEnd)), not yet")
        }
        state = .ended
        endedAt = now
    }

    /// Whether the coordinator's copy of the bundle is due for destruction `delay` after the end.
    public func isWatchlistDestructionDue(now: Date, delay: TimeInterval) -> Bool {
        guard state == .ended, let endedAt else { return false }
        return now >= endedAt.addingTimeInterval(delay)
    }

    public mutating func destroyWatchlist(now: Date) throws {
        try expect(.ended, to: "destroy the watchlist of")
        state = .watchlistDestroyed
        destroyedAt = now
    }

    /// Neither authorised nor started once the planned window has closed.
    private func expectWindowOpen(_ now: Date) throws {
        guard now < windowEnd else {
            throw DeploymentTransitionError(
                .windowEnded, "the planned window ended at \(iso(windowEnd)): plan a new deployment")
        }
    }

    private func expect(_ wanted: DeploymentState, to verb: String) throws {
        guard state != wanted else { return }
        let (code, why): (DeploymentTransitionError.Code, String) =
            switch state {
            case .planned: (.stillPlanned, "it is only planned: it must be authorised first")
            case .authorised: (.onlyAuthorised, "it is authorised but not live")
            case .live: (.alreadyLive, "it is already live (since \(startedAt.map(iso) ?? "?"))")
            case .ended, .watchlistDestroyed:
                (
                    .alreadyEnded,
                    "it has ended (at \(endedAt.map(iso) ?? "?")); an ended deployment is never restarted: plan a new one"
                )
            }
        throw DeploymentTransitionError(code, "cannot \(verb) the deployment: \(why)")
    }
}

func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
