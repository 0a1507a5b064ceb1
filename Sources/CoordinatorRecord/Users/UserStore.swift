import Foundation
import GRDB
import HummingbirdBcrypt
import Shared

/// What a user of the control room may do. Each web route names the roles it admits.
public enum Role: String, Sendable, CaseIterable, Codable {
    case operator_ = "operator"
    /// The officer who engages the person an operator matched: sees, on a phone, only the alerts sent to them.
    case fieldOfficer = "field officer"
    case supervisor
    case intelligence
    case authorisingOfficer = "authorising officer"
    case auditor
    case admin
}

/// A control-room user as recorded (never with the password hash outside this file).
public struct User: Sendable, Equatable {
    public var name: String
    public var role: Role
    public var disabled: Bool
    public var lockedUntil: Date?
}

/// A signed-in session: the user, and the token that every form must carry back (CSRF).
public struct Session: Sendable, Equatable {
    public var user: User
    public var csrfToken: String
    public var expiresAt: Date
}

/// Users, passwords (bcrypt) and sessions in the coordinator database. Every change, login,
/// failed login and lockout is audited in the same transaction. Session tokens are random
/// 256-bit values of which only the SHA-256 is stored, so the database holds no usable token.
public final class UserStore: Sendable {
    public static let failuresBeforeLockout = 5
    public static let lockout: TimeInterval = 15 * 60
    public static let sessionLifetime: TimeInterval = 8 * 3600
    public static let minimumPasswordLength = 12

    public let database: CoordinatorDatabase
    public let bcryptCost: UInt8

    /// - Parameter bcryptCost: 12 in service; tests may lower it to keep many logins fast.
    public init(database: CoordinatorDatabase, bcryptCost: UInt8 = 12) {
        self.database = database
        self.bcryptCost = bcryptCost
    }

    public func add(_ name: String, role: Role, password: String, by actor: String, at now: Date) throws {
        try Self.checkName(name)
        try Self.checkPassword(password)
        let hash = Bcrypt.hash(password, cost: bcryptCost)
        try database.change { db, audit in
            guard try !Self.exists(name, db) else { throw UserRefusal(.exists, name, "user \(name) already exists") }
            try UserRecord(
                name: name, role: role.rawValue, passwordHash: hash, createdAtMs: milliseconds(now), failedLogins: 0
            ).insert(db)
            try audit.append(
                AuditEvent(actor: actor, action: .userAdded, target: name, detail: ["role": role.rawValue]), at: now)
        }
    }

    public func setPassword(_ name: String, password: String, by actor: String, at now: Date) throws {
        try Self.checkPassword(password)
        let hash = Bcrypt.hash(password, cost: bcryptCost)
        try database.change { db, audit in
            try Self.require(name, db)
            try UserRecord.named(name).updateAll(
                db, UserRecord.Columns.passwordHash.set(to: hash), UserRecord.Columns.failedLogins.set(to: 0),
                UserRecord.Columns.lockedUntilMs.set(to: nil))
            try SessionRecord.ofUser(name).deleteAll(db)
            try audit.append(AuditEvent(actor: actor, action: .userPasswordChanged, target: name), at: now)
        }
    }

    public func setRole(_ name: String, role: Role, by actor: String, at now: Date) throws {
        try database.change { db, audit in
            let old = try Self.require(name, db)
            try UserRecord.named(name).updateAll(db, UserRecord.Columns.role.set(to: role.rawValue))
            try SessionRecord.ofUser(name).deleteAll(db)
            try audit.append(
                AuditEvent(
                    actor: actor, action: .userRoleChanged, target: name,
                    detail: ["from": old.role.rawValue, "to": role.rawValue]), at: now)
        }
    }

    /// Disables a user: their sessions end at once and they cannot sign in.
    public func disable(_ name: String, by actor: String, at now: Date) throws {
        try database.change { db, audit in
            try Self.require(name, db)
            try UserRecord.named(name).updateAll(db, UserRecord.Columns.disabledAtMs.set(to: milliseconds(now)))
            try SessionRecord.ofUser(name).deleteAll(db)
            try audit.append(AuditEvent(actor: actor, action: .userDisabled, target: name), at: now)
        }
    }

    public func list() throws -> [User] {
        try database.read { db in
            try UserRecord.order(UserRecord.Columns.name).fetchAll(db).map { try $0.user() }
        }
    }

    /// What the record says of a name before any password is hashed: locked and disabled
    /// accounts are refused here, so that they cost no bcrypt (`SignInDesk` decides the rest).
    enum SignInCandidate: Equatable {
        case unknown
        case refused(SignInRefusal)
        case check(hash: String)
    }

    func signInCandidate(_ name: String, at now: Date) throws -> SignInCandidate {
        guard (try? Self.checkName(name)) != nil else { return .unknown }
        guard let record = try database.read({ db in try UserRecord.fetchOne(db, key: name) }) else {
            return .unknown
        }
        let user = try record.user()
        if user.disabled { return .refused(.disabled) }
        if let locked = user.lockedUntil, locked > now { return .refused(.locked) }
        return .check(hash: record.passwordHash)
    }

    /// Records a checked password: a session when it matched, else one more failure, counted in the
    /// write transaction (`failed_logins + 1 … RETURNING`) so that simultaneous wrong passwords
    /// count 1, 2, 3, … and lock the account at the fifth. The account is looked at again inside
    /// the transaction: one locked or disabled meanwhile opens no session.
    func completeSignIn(_ name: String, passwordMatched: Bool, at now: Date) throws -> Result<
        (token: String, session: Session), SignInRefusal
    > {
        try database.change { db, audit in
            let user = try Self.require(name, db)
            if user.disabled { return .failure(.disabled) }
            if let locked = user.lockedUntil, locked > now { return .failure(.locked) }
            guard passwordMatched else {
                let failures =
                    try Int.fetchOne(
                        db,
                        sql: "UPDATE user SET failed_logins = failed_logins + 1 WHERE name = ? RETURNING failed_logins",
                        arguments: [name]) ?? 1
                let lock = failures >= Self.failuresBeforeLockout
                if lock {
                    try UserRecord.named(name).updateAll(
                        db, UserRecord.Columns.failedLogins.set(to: 0),
                        UserRecord.Columns.lockedUntilMs.set(to: milliseconds(now + Self.lockout)))
                }
                try audit.append(
                    AuditEvent(
                        actor: name, action: lock ? .userLockedOut : .loginFailed, target: name,
                        detail: ["reason": SignInRefusal.wrongPassword.rawValue, "failures": "\(failures)"]), at: now)
                return .failure(.wrongPassword)
            }
            let token = Self.newToken(), csrf = Self.newToken()
            let expires = now + Self.sessionLifetime
            try UserRecord.named(name).updateAll(
                db, UserRecord.Columns.failedLogins.set(to: 0), UserRecord.Columns.lockedUntilMs.set(to: nil))
            try SessionRecord(
                tokenSHA256: Self.digest(token), userName: name, csrfToken: csrf, createdAtMs: milliseconds(now),
                expiresAtMs: milliseconds(expires)
            ).insert(db)
            try audit.append(
                AuditEvent(actor: name, action: .loginSucceeded, target: name, detail: ["role": user.role.rawValue]),
                at: now)
            return .success((token, Session(user: user, csrfToken: csrf, expiresAt: expires)))
        }
    }

    /// Deletes sessions past their expiry (they already open nothing); returns how many.
    @discardableResult
    public func deleteExpiredSessions(at now: Date) throws -> Int {
        try database.change { db, _ in
            try SessionRecord.filter(SessionRecord.Columns.expiresAtMs <= milliseconds(now)).deleteAll(db)
        }
    }

    /// A name as the audit log may keep it: a possible user name whole; anything else (60,000
    /// characters, control characters) as an escaped 32-character prefix and a digest of the whole.
    public static func auditName(_ name: String) -> String {
        if (try? checkName(name)) != nil { return name }
        let prefix = name.prefix(32).unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                || scalar == "\\"
                ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }.joined()
        return prefix + (name.count > 32 ? "…" : "") + " (sha256 " + sha256Hex(Array(name.utf8)).prefix(16) + ")"
    }

    /// The live session of a token, or nil when unknown, expired, or its user disabled.
    public func session(token: String, at now: Date) throws -> Session? {
        /// A session with the user it belongs to, in one query.
        struct Signed: Decodable, FetchableRecord {
            var session: SessionRecord
            var user: UserRecord
        }
        return try database.read { db in
            guard
                let signed = try SessionRecord.filter(key: Self.digest(token))
                    .filter(SessionRecord.Columns.expiresAtMs > milliseconds(now))
                    .including(required: SessionRecord.user.filter(UserRecord.Columns.disabledAtMs == nil))
                    .asRequest(of: Signed.self).fetchOne(db)
            else { return nil }
            return Session(
                user: try signed.user.user(), csrfToken: signed.session.csrfToken,
                expiresAt: date(milliseconds: signed.session.expiresAtMs))
        }
    }

    public func signOut(token: String, at now: Date) throws {
        try database.change { db, audit in
            guard let session = try SessionRecord.fetchOne(db, key: Self.digest(token)) else { return }
            try session.delete(db)
            try audit.append(AuditEvent(actor: session.userName, action: .logout, target: session.userName), at: now)
        }
    }

    /// Whether a submitted form token is the session's (compared in constant time).
    public static func isValidCSRF(_ submitted: String?, for session: Session) -> Bool {
        guard let submitted else { return false }
        return constantTimeEqual(submitted, session.csrfToken)
    }

    /// Whether two secrets are equal, in time that depends on their length only.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: - Rows and checks

    private static func exists(_ name: String, _ db: Database) throws -> Bool {
        try UserRecord.exists(db, key: name)
    }

    @discardableResult
    private static func require(_ name: String, _ db: Database) throws -> User {
        guard let record = try UserRecord.fetchOne(db, key: name) else {
            throw UserRefusal(.notFound, name, "no user \(name): see coordinator users list")
        }
        return try record.user()
    }

    private static func checkName(_ name: String) throws {
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || " ._-".contains($0) }),
            name.trimmingCharacters(in: .whitespaces) == name
        else {
            throw UserRefusal(
                .invalidName, name, "user name '\(name)' must be 1-64 letters, digits, spaces, '.', '_' or '-'")
        }
    }

    private static func checkPassword(_ password: String) throws {
        guard password.count >= minimumPasswordLength else {
            throw UserRefusal(
                .passwordTooShort, "\(password.count) characters",
                "a password needs at least \(minimumPasswordLength) characters")
        }
        guard password.utf8.count <= 72 else {
            throw UserRefusal(
                .passwordTooLong, "\(password.utf8.count) bytes",
                "a password may have at most 72 bytes (bcrypt reads no more)")
        }
    }

    /// A random 256-bit token, URL-safe base64.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        )
        .replacingOccurrences(of: "=", with: "")
    }

    private static func digest(_ token: String) -> String {
        sha256Hex(Array(token.utf8))
    }
}

/// Why a sign-in was refused, for the audit log only: every refusal looks the same to the person
/// signing in.
public enum SignInRefusal: String, Error, Sendable {
    case unknownName = "unknown user"
    case disabled
    case locked
    case wrongPassword = "wrong password"
}
