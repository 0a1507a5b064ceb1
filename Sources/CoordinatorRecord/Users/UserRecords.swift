import Foundation
import GRDB

/// A row of the `user` table, as GRDB reads and writes it: the column names live here once.
struct UserRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "user"

    var name: String
    var role: String
    var passwordHash: String
    var createdAtMs: Int64
    var disabledAtMs: Int64?
    var failedLogins: Int
    var lockedUntilMs: Int64?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case name, role
        case passwordHash = "password_hash"
        case createdAtMs = "created_at_ms"
        case disabledAtMs = "disabled_at_ms"
        case failedLogins = "failed_logins"
        case lockedUntilMs = "locked_until_ms"
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    /// The row named `name`, for an update or a delete.
    static func named(_ name: String) -> QueryInterfaceRequest<UserRecord> { filter(Columns.name == name) }

    /// The user as the rest of Watchpost sees it; a role Watchpost never writes is a damaged row.
    func user() throws -> User {
        let known: Role = try DamagedRow.known(
            role, table: Self.databaseTableName, column: CodingKeys.role.rawValue, key: name)
        return User(
            name: name, role: known, disabled: disabledAtMs != nil, lockedUntil: lockedUntilMs.map(date(milliseconds:)))
    }
}

/// A row of the `session` table: the token's digest, never the token.
struct SessionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "session"
    static let user = belongsTo(UserRecord.self, using: ForeignKey(["user_name"]))

    var tokenSHA256: String
    var userName: String
    var csrfToken: String
    var createdAtMs: Int64
    var expiresAtMs: Int64

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case tokenSHA256 = "token_sha256"
        case userName = "user_name"
        case csrfToken = "csrf_token"
        case createdAtMs = "created_at_ms"
        case expiresAtMs = "expires_at_ms"
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    static func ofUser(_ name: String) -> QueryInterfaceRequest<SessionRecord> { filter(Columns.userName == name) }
}
