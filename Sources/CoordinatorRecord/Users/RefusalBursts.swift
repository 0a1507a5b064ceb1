import Foundation

/// Folds repeated sign-in refusals that change nothing in the record (unknown names, locked or
/// disabled accounts, throttled attempts) into one audit entry per burst, so that a flood cannot
/// grow the append-only log without bound. The first refusal of a burst is written at once; the
/// repeats are counted, and when no repeat has come for `window`, one summary entry says how many
/// there were and until when. A value with the time passed in; `SignInDesk` writes what it returns.
public struct RefusalBursts: Sendable {
    /// Bursts tracked at once; past it, new ones share one burst per action ("several names").
    public static let maxBursts = 1_000

    struct Key: Hashable {
        var action: AuditAction
        var actor: String
        var target: String
        var reason: String
    }

    struct Burst {
        var event: AuditEvent
        var first: Date
        var last: Date
        var repeats = 0
    }

    public let window: TimeInterval
    private var bursts: [Key: Burst] = [:]

    public init(window: TimeInterval = 60) { self.window = window }

    /// The entry to write now (the first of its burst), or nil when it only counts as a repeat.
    public mutating func record(_ event: AuditEvent, at now: Date) -> AuditEvent? {
        var event = event
        var key = Key(
            action: event.action, actor: event.actor, target: event.target, reason: event.detail["reason"] ?? "")
        if bursts[key] == nil, bursts.count >= Self.maxBursts {
            event.actor = "(several)"
            event.target = "(several names)"
            key = Key(action: event.action, actor: event.actor, target: event.target, reason: key.reason)
        }
        if var burst = bursts[key], now.timeIntervalSince(burst.last) < window {
            burst.repeats += 1
            burst.last = now
            bursts[key] = burst
            return nil
        }
        bursts[key] = Burst(event: event, first: now, last: now)
        return event
    }

    /// Summaries of the bursts that have ended by `now` (no repeat for `window`); they are forgotten.
    public mutating func ended(at now: Date) -> [AuditEvent] {
        let done = bursts.filter { now.timeIntervalSince($0.value.last) >= window }
        for key in done.keys { bursts[key] = nil }
        return done.values.filter { $0.repeats > 0 }.sorted { $0.first < $1.first }.map(Self.summary)
    }

    /// Summaries of every burst, ended or not (at shutdown).
    public mutating func all() -> [AuditEvent] {
        defer { bursts = [:] }
        return bursts.values.filter { $0.repeats > 0 }.sorted { $0.first < $1.first }.map(Self.summary)
    }

    private static func summary(_ burst: Burst) -> AuditEvent {
        var event = burst.event
        event.detail["repeats"] = "\(burst.repeats)"
        event.detail["from"] = ISO8601DateFormatter().string(from: burst.first)
        event.detail["until"] = ISO8601DateFormatter().string(from: burst.last)
        return event
    }
}
