@testable import EdgeNode
import FaceEngine
import FaceTemplates
import Foundation
import Shared
import XCTest

final class WatchlistHolderTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func bundle(version: UInt64, expires: TimeInterval) -> WatchlistBundle {
        WatchlistBundle(deploymentID: "d", watchlistID: "w", version: version, issuedAt: now, notBefore: now,
                        expiresAt: now.addingTimeInterval(expires), embeddingModel: "m", threshold: 0.47,
                        entries: [WatchlistEntry(subject: "s", templates: [Embedding([Float](repeating: 0.1, count: 128))])])
    }

    func testInstall_change_expiry_andWipe() throws {
        let holder = WatchlistHolder()
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
        let holder = WatchlistHolder()
        try holder.install(bundle(version: 4, expires: 60))
        var broken = bundle(version: 5, expires: 60)
        broken.rule = .recommended
        XCTAssertThrowsError(try holder.install(broken)) { error in
            XCTAssert("\(error)".contains("FaceNet template"), "\(error)")
        }
        XCTAssertEqual(holder.heldVersion, 4)
    }
}
