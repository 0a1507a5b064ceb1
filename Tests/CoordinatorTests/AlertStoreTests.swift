@testable import Coordinator
import Foundation
import Shared
import TestSupport
import XCTest

final class AlertStoreTests: XCTestCase {
    func testResentAlerts_areStoredOnce_andSurviveReopening() throws {
        let path = try Fixtures.temporaryFolder(self) + "/coordinator/alerts.sqlite"
        let alerts = (0..<5).map { i in
            WireMessage.AlertMessage(alertID: UUID(), nodeID: "node-\(i % 2)", cameraID: "cam", deploymentID: "dep",
                                     watchlistVersion: 3, subject: "s\(i)", score: 0.2, distance: 0.38,
                                     capturedAt: Date(timeIntervalSince1970: 1_800_000_000), track: UInt64(i),
                                     quality: [30, 200], cropJPEG: [UInt8](repeating: UInt8(i), count: 10_000))
        }
        do {
            let store = try AlertStore(path: path)
            for a in alerts { XCTAssertTrue(try store.store(a, receivedAt: Date())) }
            for a in alerts.prefix(3) { XCTAssertFalse(try store.store(a, receivedAt: Date()), "a resend is not stored twice") }
        }
        let reopened = try AlertStore(path: path)
        XCTAssertEqual(try reopened.count, 5)
        XCTAssertEqual(try reopened.ids(), Set(alerts.map(\.alertID)))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)
    }
}
