import FaceEngine
import FaceTemplates
import Foundation
import Shared
import XCTest

@testable import EdgeNode

final class WatchlistHolderTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func bundle(version: UInt64, expires: TimeInterval) -> WatchlistBundle {
        WatchlistBundle(
            deploymentID: "d", watchlistID: "w", version: version, issuedAt: now, notBefore: now,
            expiresAt: now.addingTimeInterval(expires), embeddingModel: "m", threshold: 0.47,
            entries: [WatchlistEntry(subject: "s", templates: [Embedding([Float](repeating: 0.1, count: 128))])])
    }

    func testInstall_change_expiry_andWipe() throws {
        let holder = try WatchlistHolder()
        XCTAssertNil(holder.changes(since: 0, now: now), "nothing held, nothing changed")
        try holder.install(bundle(version: 4, expires: 60))
        let first = holder.changes(since: 0, now: now)
        XCTAssertEqual(first?.current?.version, 4)
        XCTAssertNil(holder.changes(since: first!.generation, now: now))
        XCTAssertFalse(holder.expireIfDue(now: now.addingTimeInterval(59)))
        XCTAssertTrue(holder.expireIfDue(now: now.addingTimeInterval(60)), "wiped at expiry, frames or not")
        XCTAssertEqual(holder.heldVersion, 0)
        let after = holder.changes(since: first!.generation, now: now.addingTimeInterval(61))
        XCTAssertNotNil(after)
        XCTAssertNil(after?.current)
        XCTAssertEqual(holder.versionFloor, 4, "a wipe does not lower the version floor (no rollback after it)")
    }

    func testFusedBundleWithoutFaceNetTemplates_isNotInstalled_andTheHeldListStays() throws {
        let holder = try WatchlistHolder()
        try holder.install(bundle(version: 4, expires: 60))
        var broken = bundle(version: 5, expires: 60)
        broken.rule = .recommended
        XCTAssertThrowsError(try holder.install(broken)) { error in
            XCTAssert("\(error)".contains("FaceNet template"), "\(error)")
        }
        XCTAssertEqual(holder.heldVersion, 4)
    }

    func testVersionFloor_survivesARestart_perDeployment() throws {
        let folder = NSTemporaryDirectory() + "watchpost-floor-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = VersionFloorFile(path: folder + "/floor.json")
        try file.record(9, for: "other")
        let first = try WatchlistHolder(floorFile: file, deploymentID: "d")
        XCTAssertEqual(first.versionFloor, 0)
        XCTAssertNil(first.refusedAtOrBelow)
        try first.install(bundle(version: 4, expires: 60))
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)

        let restarted = try WatchlistHolder(floorFile: file, deploymentID: "d")
        XCTAssertEqual(restarted.heldVersion, 0, "the list itself is never on disk")
        XCTAssertEqual(restarted.versionFloor, 4, "but the version it had is")
        XCTAssertEqual(restarted.refusedAtOrBelow, 3, "after a restart the same list may come again, nothing older")
        try restarted.install(bundle(version: 4, expires: 60))
        XCTAssertEqual(restarted.refusedAtOrBelow, 4, "once running it, not even the same version again")
        XCTAssertEqual(try file.load(), ["d": 4, "other": 9], "other deployments' floors are kept")
    }

    func testCorruptFloorFile_stopsTheNode_withWhatToDo() throws {
        let folder = NSTemporaryDirectory() + "watchpost-floor-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "{\"d\": \"four\"".write(toFile: folder + "/floor.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(
            try WatchlistHolder(floorFile: VersionFloorFile(path: folder + "/floor.json"), deploymentID: "d")
        ) {
            XCTAssert("\($0)".contains("corrupt") && "\($0)".contains("Restore it from backup"), "\($0)")
        }
    }
}
