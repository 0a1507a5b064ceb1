import Foundation
import Logging

/// Where every control-room sign-in is decided, in this order: the throttle (per address and per
/// name, answered at once with `throttled`); locked and disabled accounts (refused before any
/// hash); the password checked on the bounded `PasswordHashingPool` (unknown names against a
/// decoy hash at the same cost); then the record's transaction. Every refusal is answered after
/// the same `refusalDelay` from arrival (a suspended task, not a thread), so that neither the
/// reason nor the time tells whether a name exists. Refusals that change nothing are audited once
/// per burst (`RefusalBursts`).
public actor SignInDesk {
    public struct Settings: Sendable {
        /// Every refusal is answered this long after the request arrived; above a bcrypt check at cost 12 (~0.45 s here).
        public var refusalDelay: Duration
        public var limits: SignInThrottle.Limits
        public var burstWindow: TimeInterval

        public init(
            refusalDelay: Duration = .seconds(1), limits: SignInThrottle.Limits = .init(),
            burstWindow: TimeInterval = 60
        ) {
            self.refusalDelay = refusalDelay
            self.limits = limits
            self.burstWindow = burstWindow
        }
    }

    public enum Outcome: Sendable {
        case signedIn(token: String, session: Session)
        case refused
        /// Too many attempts, or the hashing queue full: try again after this many seconds (HTTP 429).
        case throttled(retryAfter: Int)
    }

    nonisolated public let users: UserStore
    nonisolated public let pool: PasswordHashingPool
    nonisolated public let settings: Settings
    private let logger: Logger
    private var throttle: SignInThrottle
    private var bursts: RefusalBursts
    private var decoyHash: String?

    public init(users: UserStore, pool: PasswordHashingPool, settings: Settings = .init(), logger: Logger) {
        self.users = users
        self.pool = pool
        self.settings = settings
        self.logger = logger
        throttle = SignInThrottle(limits: settings.limits)
        bursts = RefusalBursts(window: settings.burstWindow)
    }

    /// Decides one sign-in from `address`; refusals return no earlier than `refusalDelay` after the call.
    public func signIn(_ name: String, password: String, address: String, at now: Date) async throws -> Outcome {
        let answerAt = ContinuousClock.now + settings.refusalDelay
        if case .refuse(let retry, let reason) = throttle.check(address: address, name: name, now: now) {
            try await write(
                AuditEvent(
                    actor: UserStore.auditName(name), action: .loginThrottled, target: address,
                    detail: ["reason": reason.rawValue]), at: now)
            return .throttled(retryAfter: retry)
        }
        let refusal: SignInRefusal
        do {
            if pool.isFull { throw PasswordHashingPool.Busy() }
            switch try await RecordWork.run({ [users] in try users.signInCandidate(name, at: now) }) {
            case .refused(let reason):
                refusal = reason
            case .unknown:
                _ = try await pool.verify(password, hash: try await decoy())
                refusal = .unknownName
            case .check(let hash):
                let matched = try await pool.verify(password, hash: hash)
                switch try await RecordWork.run({ [users] in
                    try users.completeSignIn(name, passwordMatched: matched, at: now)
                }) {
                case .success(let (token, session)): return .signedIn(token: token, session: session)
                case .failure(let reason): refusal = reason
                }
            }
        } catch is PasswordHashingPool.Busy {
            try await write(
                AuditEvent(
                    actor: UserStore.auditName(name), action: .loginThrottled, target: address,
                    detail: ["reason": "password checks queue full"]), at: now)
            return .throttled(retryAfter: 2)
        }
        throttle.recordFailure(address: address, name: name, now: now)
        // A wrong password is audited with its failure count in the record's own transaction.
        if refusal != .wrongPassword {
            try await write(
                AuditEvent(
                    actor: UserStore.auditName(name), action: .loginFailed, target: UserStore.auditName(name),
                    detail: ["reason": refusal.rawValue]), at: now)
        }
        try? await Task.sleep(until: answerAt, clock: .continuous)
        return .refused
    }

    /// Writes the summaries of ended refusal bursts and deletes expired sessions (every few seconds).
    public func housekeeping(at now: Date) async throws {
        let summaries = bursts.ended(at: now)
        let expired = try await RecordWork.run { [users] in
            for summary in summaries { try users.database.change { _, audit in try audit.append(summary, at: now) } }
            return try users.deleteExpiredSessions(at: now)
        }
        if expired > 0 { logger.info("expired sessions deleted", metadata: ["count": "\(expired)"]) }
    }

    /// Writes every open burst's summary (at shutdown).
    public func flush(at now: Date) async throws {
        let summaries = bursts.all()
        try await RecordWork.run { [users] in
            for summary in summaries { try users.database.change { _, audit in try audit.append(summary, at: now) } }
        }
    }

    private func write(_ event: AuditEvent, at now: Date) async throws {
        guard let first = bursts.record(event, at: now) else { return }
        try await RecordWork.run { [users] in try users.database.change { _, audit in try audit.append(first, at: now) }
        }
    }

    /// The bcrypt cost of the decoy hash, once made (it is the configured cost).
    public var decoyCost: Int? { decoyHash.flatMap { Int($0.split(separator: "$").dropFirst().first ?? "") } }

    /// A hash no password matches, at the configured cost, made once on the pool.
    private func decoy() async throws -> String {
        if let decoyHash { return decoyHash }
        let made = try await pool.hash(UUID().uuidString, cost: users.bcryptCost)
        decoyHash = made
        return made
    }
}
