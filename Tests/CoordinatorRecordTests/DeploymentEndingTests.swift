import Foundation
import RecordTestSupport
import Shared
import Synchronization
import XCTest

@testable import CoordinatorRecord

/// Ending a deployment, the one way the command line, the control room and serve's window all use.
final class DeploymentEndingTests: XCTestCase {
    private let t0 = RecordFixture.t0

    /// How often the nodes were told.
    final class Told: Sendable {
        private let count = Mutex(0)
        func record() { count.withLock { $0 += 1 } }
        var times: Int { count.withLock { $0 } }
    }

    private func ending(_ f: RecordFixture, keyPath: String? = nil, told: Told) -> DeploymentEnding {
        DeploymentEnding(
            database: f.database, checkpoints: AuditCheckpointWriter(stateDirectory: f.folder, keyPath: keyPath)
        ) {
            told.record()
            return "told"
        }
    }

    func testEnd_recordsTheEnd_checkpointsTheLogAfterIt_andTellsTheNodesOnce() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        let told = Told()
        let ended = try ending(f, told: told).end("dep-1", by: "op", at: t0 + 600)
        XCTAssertEqual(try DeploymentStore.show("dep-1", in: f.database).state, .ended)
        guard case .written(let path) = ended.checkpoint else {
            return XCTFail("the key is in the state folder: \(ended.checkpoint)")
        }
        let checkpoint = try XCTUnwrap(AuditWitnessStore(folder: f.folder + "/audit-checkpoints").newest())
        XCTAssert(path.hasSuffix(String(format: "checkpoint-%09lld.json", checkpoint.entries)), path)
        XCTAssertEqual(
            try f.auditActions().suffix(2), ["deployment.ended", "audit.checkpoint"], "the checkpoint covers the end")
        XCTAssertEqual(told.times, 1)
        XCTAssertEqual(ended.nodes, "told")
    }

    func testEnd_ofADeploymentNotLive_isRefused_andNeitherCheckpointsNorTellsTheNodes() throws {
        let f = try RecordFixture(self)
        try DeploymentStore.create(try f.plan("dep-1"), by: "intel", in: f.database, at: t0)
        let told = Told()
        let before = try f.auditCount
        XCTAssertThrowsError(try ending(f, told: told).end("dep-1", by: "op", at: t0 + 600)) {
            XCTAssert($0 is DeploymentTransitionError, "\($0)")
        }
        XCTAssertEqual(try f.auditCount, before)
        XCTAssertEqual(told.times, 0)
        XCTAssertNil(try AuditWitnessStore(folder: f.folder + "/audit-checkpoints").newest())
    }

    func testWindowsClosing_endEachLiveOne_withACheckpointEach_andTellTheNodesOnce() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        try f.liveDeployment("dep-2", nodes: ["node2"])
        let told = Told()
        let ending = ending(f, told: told)
        let close = t0 + 8 * 3600
        XCTAssertTrue(try ending.endPastWindows(at: close - 1, actor: "coordinator").isEmpty)
        XCTAssertEqual(told.times, 0, "nothing ended, nobody told")
        let ended = try ending.endPastWindows(at: close, actor: "coordinator")
        XCTAssertEqual(ended.map(\.id), ["dep-1", "dep-2"])
        XCTAssertEqual(told.times, 1)
        XCTAssertEqual(
            Array(try f.auditActions().suffix(4)),
            ["deployment.ended", "deployment.ended", "audit.checkpoint", "audit.checkpoint"])
        XCTAssertEqual(ended.map(\.checkpoint).filter { if case .written = $0 { true } else { false } }.count, 2)
    }

    func testAKeyThisProcessCannotRead_endsTheDeployment_andSaysTheCheckpointIsLeft() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        let told = Told()
        let ended = try ending(f, keyPath: f.folder + "/no-such-credential", told: told).end(
            "dep-1", by: "op", at: t0 + 600)
        XCTAssertEqual(try DeploymentStore.show("dep-1", in: f.database).state, .ended, "the end is on the record")
        guard case .notWritten(let reason) = ended.checkpoint else { return XCTFail("no key, no checkpoint") }
        XCTAssert(reason.contains("audit signing key"), reason)
        XCTAssertEqual(told.times, 1, "the nodes are told all the same")
    }
}
