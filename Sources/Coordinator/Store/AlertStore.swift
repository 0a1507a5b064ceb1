import Foundation
import GRDB
import Shared

/// The coordinator's alerts, stored idempotently by alert id (promise 3): a resent alert is
/// acknowledged again but stored once. SQLite in WAL mode; grown by the control-room work.
final class AlertStore: Sendable {
    private let database: DatabasePool

    init(path: String) throws {
        try PrivateFile.createIfMissing(path)
        database = try DatabasePool(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 alerts") { db in
            try db.create(table: "alert") { t in
                t.primaryKey("id", .text)
                t.column("node_id", .text).notNull()
                t.column("camera_id", .text).notNull()
                t.column("deployment_id", .text).notNull()
                t.column("watchlist_version", .integer).notNull()
                t.column("subject", .text).notNull()
                t.column("score", .double).notNull()
                t.column("distance", .double).notNull()
                t.column("captured_at_ms", .integer).notNull()
                t.column("track", .integer).notNull()
                t.column("quality", .blob).notNull()
                t.column("crop", .blob).notNull()
                t.column("received_at_ms", .integer).notNull()
            }
        }
        try migrator.migrate(database)
    }

    /// Stores an alert unless one with its id is already stored; true when it was new.
    @discardableResult
    func store(_ a: WireMessage.AlertMessage, receivedAt: Date) throws -> Bool {
        let quality = a.quality.withUnsafeBytes { Data($0) }
        return try database.write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO alert (id, node_id, camera_id, deployment_id, watchlist_version, subject, score, distance,
                                             captured_at_ms, track, quality, crop, received_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [a.alertID.uuidString, a.nodeID, a.cameraID, a.deploymentID, Int64(a.watchlistVersion), a.subject,
                                 Double(a.score), Double(a.distance), a.capturedAtMilliseconds, Int64(a.track), quality,
                                 Data(a.cropJPEG), Int64((receivedAt.timeIntervalSince1970 * 1000).rounded())])
            return db.changesCount > 0
        }
    }

    var count: Int { get throws { try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM alert") ?? 0 } } }

    func ids() throws -> Set<UUID> {
        try database.read { db in Set(try String.fetchAll(db, sql: "SELECT id FROM alert").compactMap(UUID.init(uuidString:))) }
    }
}
