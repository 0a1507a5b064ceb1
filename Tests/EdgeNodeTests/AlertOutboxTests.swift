import Foundation
import GRDB
import Shared
import TestSupport
import XCTest

@testable import EdgeNode

final class AlertOutboxTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func alert(_ n: Int = 0) -> WireMessage.AlertMessage {
        .init(
            alertID: UUID(), nodeID: "node", cameraID: "cam", deploymentID: "dep", watchlistVersion: 1,
            subject: "s\(n)",
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
        let outbox = try AlertOutbox(
            path: try Fixtures.temporaryFolder(self) + "/outbox.sqlite",
            initial: .seconds(1), maximum: .seconds(4))
        let a = alert()
        try outbox.add(a, now: t0)
        var now = t0
        for expectedDelay in [1.0, 2.0, 4.0, 4.0] {
            XCTAssertEqual(try outbox.due(now: now).count, 1)
            try outbox.attempted(a.alertID, now: now)
            XCTAssertEqual(
                try outbox.due(now: now.addingTimeInterval(expectedDelay - 0.01)).count, 0,
                "not before \(expectedDelay) s")
            now = now.addingTimeInterval(expectedDelay)
        }
        XCTAssertEqual(try outbox.due(now: now).count, 1)
    }

    /// Promise 1 at rest: once acknowledged, no file of the state folder holds any part of the
    /// crop, neither the database nor its WAL (which the insert and each resend wrote it to),
    /// also when the process died between the delete and the checkpoint.
    func testAcknowledgedCrop_isErasedFromEveryFileOfTheStateFolder() throws {
        let folder = try Fixtures.temporaryFolder(self) + "/state"
        let crop = Array(try Data(contentsOf: URL(fileURLWithPath: try Fixtures.photo("obama.jpg"))))
        var a = alert(1), b = alert(2)
        a.cropJPEG = crop
        b.cropJPEG = Array(crop.reversed())  // stays unacknowledged: its bytes must still be there
        let outbox = try AlertOutbox(path: folder + "/outbox.sqlite")
        try outbox.add(a, now: t0)
        try outbox.add(b, now: t0)
        for n in 0..<3 { try outbox.attempted(a.alertID, now: t0.addingTimeInterval(Double(n))) }
        XCTAssertGreaterThan(try CropScan.filesHolding(crop, in: folder).count, 0, "the scan finds a stored crop")

        XCTAssertTrue(try outbox.acknowledge(a.alertID))
        XCTAssertEqual(try CropScan.filesHolding(crop, in: folder), [], "acknowledged crop still on disk")
        XCTAssertEqual(try CropScan.filesHolding(b.cropJPEG, in: folder).count, 1, "a pending alert keeps its crop")
    }

    func testCropOfAnAckInterruptedBeforeTheCheckpoint_isErasedAtTheNextOpen() throws {
        let folder = try Fixtures.temporaryFolder(self) + "/state"
        let crop = Array(try Data(contentsOf: URL(fileURLWithPath: try Fixtures.photo("obama2.jpg"))))
        var a = alert(1)
        a.cropJPEG = crop
        let outbox = try AlertOutbox(path: folder + "/outbox.sqlite")
        try outbox.add(a, now: t0)
        // The delete committed, then the process died: done here by a second connection, which
        // leaves the delete in the WAL without checkpointing it.
        let other = try DatabaseQueue(path: folder + "/outbox.sqlite")
        try other.write { try $0.execute(sql: "DELETE FROM alert") }
        try other.close()
        _ = try AlertOutbox(path: folder + "/outbox.sqlite")
        XCTAssertEqual(try CropScan.filesHolding(crop, in: folder), [])
    }
}
