import CoordinatorRecord
import Foundation
import GRDB
import Shared
import TestSupport
import XCTest

final class AlertStoreTests: XCTestCase {
    func testResentAlerts_areStoredOnce_auditedOnce_andSurviveReopening() throws {
        let folder = try Fixtures.temporaryFolder(self) + "/coordinator"
        let node = EnrolledNode(nodeID: "node-1", cameraID: "cam", publicKey: "KEY")
        let alerts = (0..<5).map { i in
            WireMessage.AlertMessage(
                alertID: UUID(), nodeID: "node-1", cameraID: "cam", deploymentID: "dep",
                watchlistVersion: 3, subject: "s\(i)", score: 0.2, distance: 0.38,
                capturedAt: Date(timeIntervalSince1970: 1_800_000_000), track: UInt64(i),
                trackFrames: UInt32(i), quality: [30, 200], cropJPEG: [UInt8](repeating: UInt8(i), count: 10_000))
        }
        do {
            let store = AlertStore(database: try CoordinatorDatabase(stateDirectory: folder))
            // "dep" is the config file's standing list's deployment: no deployment on the record assigns the node.
            for a in alerts {
                XCTAssertTrue(try store.store(a, from: node, receivedAt: Date(), standingDeployment: "dep"))
            }
            for a in alerts.prefix(3) {
                XCTAssertFalse(
                    try store.store(a, from: node, receivedAt: Date(), standingDeployment: "dep"),
                    "a resend is not stored twice")
            }
            XCTAssertEqual(try AuditLog.entries(in: store.database, actionPrefix: "alert.received").count, 5)
        }
        let reopened = AlertStore(database: try CoordinatorDatabase(stateDirectory: folder))
        XCTAssertEqual(try reopened.count, 5)
        XCTAssertEqual(try reopened.ids(), Set(alerts.map(\.alertID)))
        XCTAssertEqual(try reopened.show(alerts[1].alertID).quality, [30, 200])
        XCTAssertEqual(try reopened.show(alerts[3].alertID).trackFrames, 3)
        XCTAssertNil(
            try reopened.show(alerts[0].alertID).trackFrames, "0 frames is a protocol 1 node's alert: not said")
        XCTAssertEqual(
            try FileManager.default.attributesOfItem(atPath: folder + "/coordinator.sqlite")[.posixPermissions] as? Int,
            0o600)
    }

    /// A state folder from before the record (`alerts.sqlite`, migration "v1 alerts" only) is
    /// adopted in place: its alerts are kept and gain the record's columns.
    func testAnAlertStoreFromBeforeTheRecord_isUpgradedInPlace() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let old = try DatabaseQueue(path: folder + "/alerts.sqlite")
        try old.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE alert (id TEXT PRIMARY KEY, node_id TEXT NOT NULL, camera_id TEXT NOT NULL,
                    deployment_id TEXT NOT NULL,
                        watchlist_version INTEGER NOT NULL, subject TEXT NOT NULL, score DOUBLE NOT NULL, distance DOUBLE NOT NULL,
                        captured_at_ms INTEGER NOT NULL, track INTEGER NOT NULL, quality BLOB NOT NULL, crop BLOB NOT NULL, received_at_ms INTEGER NOT NULL);
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1 alerts');
                    INSERT INTO alert VALUES ('6F9619FF-8B86-D011-B42D-00C04FC964FF', 'n1', 'c1', 'dep-0', 2, 's-1',
                    0.7, 0.4, 1800000000000, 5, x'', x'FFD8', 1800000001000);
                    """)
        }
        try old.close()
        let store = AlertStore(database: try CoordinatorDatabase(stateDirectory: folder))
        let alert = try store.show(UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!)
        XCTAssertEqual([alert.nodeID, alert.deploymentID, alert.subject], ["n1", "dep-0", "s-1"])
        XCTAssertNil(alert.review)
        XCTAssertNil(alert.trackFrames, "an alert stored before track frames were sent")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/alerts.sqlite"))
        XCTAssertEqual(try AuditVerifier.verify(store.database).entries, 0)
    }
}
