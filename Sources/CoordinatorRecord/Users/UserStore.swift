import Foundation
import GRDB
import HummingbirdBcrypt
import Shared

/// What a user of the control room may do. Each web route names the roles it admits.
public enum Role: String, Sendable, CaseIterable, Codable {
    case operator_ = "operator"
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
    private let bcryptCost: UInt8

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
            guard try !Self.exists(name, db) else { throw CommandFailure("user \(name) already exists") }
            try db.execute(sql: "INSERT INTO user (name, role, password_hash, created_at_ms) VALUES (?, ?, ?, ?)",
                           arguments: [name, role.rawValue, hash, milliseconds(now)])
            try audit.append(AuditEvent(actor: actor, action: .userAdded, target: name, detail: ["role": role.rawValue]), at: now)
        }
    }

    public func setPassword(_ name: String, password: String, by actor: String, at now: Date) throws {
        try Self.checkPassword(password)
        let hash = Bcrypt.hash(password, cost: bcryptCost)
        try database.change { db, audit in
            try Self.require(name, db)
            try db.execute(sql: "UPDATE user SET password_hash = ?, failed_logins = 0, locked_until_ms = NULL WHERE name = ?", arguments: [hash, name])
            try db.execute(sql: "DELETE FROM session WHERE user_name = ?", arguments: [name])
            try audit.append(AuditEvent(actor: actor, action: .userPasswordChanged, target: name), at: now)
        }
    }

    public func setRole(_ name: String, role: Role, by actor: String, at now: Date) throws {
        try database.change { db, audit in
            let old = try Self.require(name, db)
            try db.execute(sql: "UPDATE user SET role = ? WHERE name = ?", arguments: [role.rawValue, name])
            try db.execute(sql: "DELETE FROM session WHERE user_name = ?", arguments: [name])
            try audit.append(AuditEvent(actor: actor, action: .userRoleChanged, target: name, detail: ["from": old.role.rawValue, "to": role.rawValue]), at: now)
        }
    }

    /// Disables a user: their sessions end at once and they cannot sign in.
    public func disable(_ name: String, by actor: String, at now: Date) throws {
        try database.change { db, audit in
            try Self.require(name, db)
            try db.execute(sql: "UPDATE user SET disabled_at_ms = ? WHERE name = ?", arguments: [milliseconds(now), name])
            try db.execute(sql: "DELETE FROM session WHERE user_name = ?", arguments: [name])
            try audit.append(AuditEvent(actor: actor, action: .userDisabled, target: name), at: now)
        }
    }

    public func list() throws -> [User] {
        try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM user ORDER BY name").map(Self.user) }
    }

    /// Checks a password and opens a session; every outcome is audited. The same error is given
    /// for an unknown user and a wrong password.
    public func signIn(_ name: String, password: String, at now: Date) throws -> (token: String, session: Session) {
        let refused = CommandFailure("sign-in refused: wrong name or password, or the account is locked or disabled")
        let row = try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM user WHERE name = ?", arguments: [name]) }
        let hash: String? = row?["password_hash"]
        // Unknown users cost a hash too, so that timing does not tell which names exist.
        let matches = Bcrypt.verify(password, hash: hash ?? Self.decoyHash)
        return try database.change { db, audit -> Result<(token: String, session: Session), CommandFailure> in
            guard let row, hash != nil else {
                try audit.append(AuditEvent(actor: name, action: .loginFailed, target: name, detail: ["reason": "unknown user"]), at: now)
                return .failure(refused)
            }
            let user = Self.user(row)
            if user.disabled {
                try audit.append(AuditEvent(actor: name, action: .loginFailed, target: name, detail: ["reason": "disabled"]), at: now)
                return .failure(refused)
            }
            if let locked = user.lockedUntil, locked > now {
                try audit.append(AuditEvent(actor: name, action: .loginFailed, target: name, detail: ["reason": "locked"]), at: now)
                return .failure(refused)
            }
            guard matches else {
                let failures = (row["failed_logins"] as Int? ?? 0) + 1
                let lock = failures >= Self.failuresBeforeLockout
                try db.execute(sql: "UPDATE user SET failed_logins = ?, locked_until_ms = ? WHERE name = ?",
                               arguments: [lock ? 0 : failures, lock ? milliseconds(now + Self.lockout) : nil, name])
                try audit.append(AuditEvent(actor: name, action: lock ? .userLockedOut : .loginFailed, target: name,
                                            detail: ["reason": "wrong password", "failures": "\(failures)"]), at: now)
                return .failure(refused)
            }
            let token = Self.randomToken(), csrf = Self.randomToken()
            let expires = now + Self.sessionLifetime
            try db.execute(sql: "UPDATE user SET failed_logins = 0, locked_until_ms = NULL WHERE name = ?", arguments: [name])
            try db.execute(sql: "INSERT INTO session (token_sha256, user_name, csrf_token, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)",
                           arguments: [Self.digest(token), name, csrf, milliseconds(now), milliseconds(expires)])
            try audit.append(AuditEvent(actor: name, action: .loginSucceeded, target: name, detail: ["role": user.role.rawValue]), at: now)
            return .success((token, Session(user: user, csrfToken: csrf, expiresAt: expires)))
        }.get()
    }

    /// The live session of a token, or nil when unknown, expired, or its user disabled.
    public func session(token: String, at now: Date) throws -> Session? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.csrf_token, s.expires_at_ms, u.* FROM session s JOIN user u ON u.name = s.user_name
                WHERE s.token_sha256 = ? AND s.expires_at_ms > ? AND u.disabled_at_ms IS NULL
                """, arguments: [Self.digest(token), milliseconds(now)]) else { return nil }
            return Session(user: Self.user(row), csrfToken: row["csrf_token"], expiresAt: date(milliseconds: row["expires_at_ms"]))
        }
    }

    public func signOut(token: String, at now: Date) throws {
        try database.change { db, audit in
            guard let name = try String.fetchOne(db, sql: "SELECT user_name FROM session WHERE token_sha256 = ?", arguments: [Self.digest(token)]) else { return }
            try db.execute(sql: "DELETE FROM session WHERE token_sha256 = ?", arguments: [Self.digest(token)])
            try audit.append(AuditEvent(actor: name, action: .logout, target: name), at: now)
        }
    }

    /// Whether a submitted form token is the session's (compared in constant time).
    public static func isValidCSRF(_ submitted: String?, for session: Session) -> Bool {
        guard let submitted else { return false }
        let a = Array(submitted.utf8), b = Array(session.csrfToken.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: - Rows and checks

    private static let decoyHash = Bcrypt.hash("decoy password never used", cost: 4)

    static func user(_ row: Row) -> User {
        User(name: row["name"], role: Role(rawValue: row["role"]) ?? .auditor, disabled: (row["disabled_at_ms"] as Int64?) != nil,
             lockedUntil: (row["locked_until_ms"] as Int64?).map(date(milliseconds:)))
    }

    private static func exists(_ name: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE name = ?", arguments: [name]) ?? false
    }

    @discardableResult
    private static func require(_ name: String, _ db: Database) throws -> User {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM user WHERE name = ?", arguments: [name]) else {
            throw CommandFailure("no user \(name): see coordinator users list")
        }
        return user(row)
    }

    private static func checkName(_ name: String) throws {
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || " ._-".contains($0) }),
              name.trimmingCharacters(in: .whitespaces) == name else {
            throw CommandFailure("user name '\(name)' must be 1-64 letters, digits, spaces, '.', '_' or '-'")
        }
    }

    private static func checkPassword(_ password: String) throws {
        guard password.count >= minimumPasswordLength else {
            throw CommandFailure("a password needs at least \(minimumPasswordLength) characters")
        }
        guard password.utf8.count <= 72 else { throw CommandFailure("a password may have at most 72 bytes (bcrypt reads no more)") }
    }

    private static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func digest(_ token: String) -> String {
        sha256Hex(Array(token.utf8))
    }
}
