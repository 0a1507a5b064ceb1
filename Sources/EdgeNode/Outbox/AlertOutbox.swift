import Foundation
import GRDB
import Shared

/// The edge's durable queue of alerts (promise 3): an alert is written here before it is sent,
/// resent with backoff until the coordinator acknowledges it, and deleted only on that ack.
/// SQLite in WAL mode, so a kill -9 loses nothing that `add` returned from.
///
/// An acknowledged alert's crop is erased, not only unlinked from the table: `secure_delete`
/// zeroes the freed cells and pages, and a truncating checkpoint after each ack (and at open, for
/// an ack that a kill -9 interrupted) drops the WAL frames that the insert and every resend
/// update left holding the crop. One connection (a queue), so the checkpoint never waits on a reader.
final class AlertOutbox: Sendable {
    private let database: DatabaseQueue

    /// Backoff before resending: `initial` doubling per attempt up to `maximum`.
    let initial: Duration
    let maximum: Duration

    init(path: String, initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) throws {
        try PrivateFile.createIfMissing(path)
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        database = try DatabaseQueue(path: path, configuration: configuration)
        self.initial = initial
        self.maximum = maximum
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 alert outbox") { db in
            try db.create(table: "alert") { t in
                t.primaryKey("id", .text)
                t.column("created_at_ms", .integer).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("next_attempt_at_ms", .integer).notNull()
                t.column("frame", .blob).notNull()
            }
        }
        try migrator.migrate(database)
        try eraseWAL()
    }

    /// Stores an alert for sending; adding the same alert id again changes nothing.
    func add(_ alert: WireMessage.AlertMessage, now: Date) throws {
        let frame = Data(WireMessage.alert(alert).encode())
        try database.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO alert (id, created_at_ms, next_attempt_at_ms, frame) VALUES (?, ?, ?, ?)",
                arguments: [alert.alertID.uuidString, now.milliseconds, now.milliseconds, frame])
        }
    }

    /// Alerts whose next attempt is due, oldest first, with their encoded frames.
    func due(now: Date, limit: Int = 100) throws -> [(id: UUID, frame: [UInt8])] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, frame FROM alert WHERE next_attempt_at_ms <= ? ORDER BY created_at_ms, id LIMIT ?",
                arguments: [now.milliseconds, limit]
            )
            .compactMap { row in UUID(uuidString: row["id"]).map { ($0, Array(row["frame"] as Data)) } }
        }
    }

    /// Records a send attempt and schedules the next one.
    func attempted(_ id: UUID, now: Date) throws {
        try database.write { db in
            let attempts: Int =
                try Int.fetchOne(db, sql: "SELECT attempts FROM alert WHERE id = ?", arguments: [id.uuidString]) ?? 0
            let delay = min(initial.inSeconds * pow(2, Double(attempts)), maximum.inSeconds)
            try db.execute(
                sql: "UPDATE alert SET attempts = attempts + 1, next_attempt_at_ms = ? WHERE id = ?",
                arguments: [now.addingTimeInterval(delay).milliseconds, id.uuidString])
        }
    }

    /// Deletes an acknowledged alert and erases its crop from every file; false when it was not
    /// (or no longer) here.
    @discardableResult
    func acknowledge(_ id: UUID) throws -> Bool {
        let deleted = try database.write { db in
            try db.execute(sql: "DELETE FROM alert WHERE id = ?", arguments: [id.uuidString])
            return db.changesCount > 0
        }
        if deleted { try eraseWAL() }
        return deleted
    }

    /// Copies the WAL into the (secure-deleting) database file and truncates it to zero bytes.
    private func eraseWAL() throws {
        _ = try database.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    var count: Int { get throws { try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM alert") ?? 0 } } }
}

extension Date {
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
