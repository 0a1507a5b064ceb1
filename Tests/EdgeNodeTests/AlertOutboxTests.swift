@testable import EdgeNode
import Foundation
import Shared
import TestSupport
import XCTest

final class AlertOutboxTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func alert(_ n: Int = 0) -> WireMessage.AlertMessage {
        .init(alertID: UUID(), nodeID: "node", cameraID: "cam", deploymentID: "dep", watchlistVersion: 1, subject: "s\(n)",
              score: 0.1, distance: 0.4, capturedAt: t0, track: UInt64(n), quality: [1, 2], cropJPEG: [0xFF, 0xD8])
    }

    func testAlertsSurviveReopening_untilAcknowledged() throws {
        let path = try Fixtures.temporaryFolder(self) + "/state/outbox.sqlite"
        let a = alert(1), b = alert(2)
        do {
            let outbox = try AlertOutbox(path: path)
            try outbox.add(a, now: t0)
            try outbox.add(b, now: t0.addingTimeInterval(1))
            try outbox.add(a, now: t0.addingTimeInterval(2))  // the same alert again: stored once
        }
        let reopened = try AlertOutbox(path: path)
        XCTAssertEqual(try reopened.count, 2)
        let due = try reopened.due(now: t0.addingTimeInterval(5))
        XCTAssertEqual(due.map(\.id), [a.alertID, b.alertID], "oldest first")
        XCTAssertEqual(try WireMessage.decode(due[0].frame), .alert(a), "the exact frame to send")
        XCTAssertTrue(try reopened.acknowledge(a.alertID))
        XCTAssertFalse(try reopened.acknowledge(a.alertID), "a repeated ack is harmless")
        XCTAssertEqual(try reopened.count, 1)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)
    }

    func testResends_backOffExponentially_upToTheMaximum() throws {
        let outbox = try AlertOutbox(path: try Fixtures.temporaryFolder(self) + "/outbox.sqlite",
                                     initial: .seconds(1), maximum: .seconds(4))
        let a = alert()
        try outbox.add(a, now: t0)
        var now = t0
        for expectedDelay in [1.0, 2.0, 4.0, 4.0] {
            XCTAssertEqual(try outbox.due(now: now).count, 1)
            try outbox.attempted(a.alertID, now: now)
            XCTAssertEqual(try outbox.due(now: now.addingTimeInterval(expectedDelay - 0.01)).count, 0, "not before \(expectedDelay) s")
            now = now.addingTimeInterval(expectedDelay)
        }
        XCTAssertEqual(try outbox.due(now: now).count, 1)
    }
}
