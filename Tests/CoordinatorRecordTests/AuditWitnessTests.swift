import CoordinatorRecord
import Crypto
import Foundation
import RecordTestSupport
import Shared
import TestSupport
import XCTest

/// Witnesses against someone who can edit the coordinator's files: whoever cuts the tail after
/// the last checkpoint and deletes that checkpoint file, or rewrites the chain and re-signs it
/// with the key beside the database, is found by `verify` with any witness's checkpoints; and
/// the witness store itself is append-only and says when a checkpoint contradicts what it keeps.
final class AuditWitnessTests: XCTestCase {
    private let t0 = RecordFixture.t0

    private func append(_ f: RecordFixture, _ n: Int, from start: Int = 0) throws {
        for i in start..<(start + n) {
            try f.database.change { _, audit in
                try audit.append(
                    AuditEvent(
                        actor: "op", action: .alertReviewed, target: "alert-\(i)", detail: ["decision": "match"]),
                    at: self.t0 + Double(i))
            }
        }
    }

    func testACutTail_afterTheCoordinatorsLastCheckpoint_isFoundByAWitnessHoldingALaterHead() throws {
        let f = try RecordFixture(self)
        let writer = AuditCheckpointWriter(stateDirectory: f.folder)
        let witness = AuditWitnessStore(folder: try Fixtures.temporaryFolder(self) + "/witness")
        try append(f, 5)
        XCTAssertEqual(
            try witness.keep(
                try writer.checkpoint(f.database, actor: "coordinator", reason: "scheduled", at: t0 + 10).checkpoint),
            .new)
        try append(f, 3, from: 5)
        let (laterPath, later) = try writer.checkpoint(
            f.database, actor: "coordinator", reason: "scheduled", at: t0 + 20)
        XCTAssertEqual(try witness.keep(later), .new)

        // Whoever holds the file cuts the last entries and the checkpoint that covered them.
        try f.tamper("DELETE FROM audit WHERE seq > 8")
        try FileManager.default.removeItem(atPath: laterPath)
        let local = try AuditWitnessStore(folder: writer.checkpointFolder).all()
        XCTAssertEqual(
            try AuditVerifier.verify(f.database, checkpoints: local).problem, nil,
            "the coordinator's own checkpoints no longer show it")
        XCTAssertEqual(
            try AuditVerifier.verify(f.database, checkpoints: local + (try witness.all())).problem,
            .truncated(checkpointEntries: later.entries, logEntries: 8))
    }

    func testARewrittenAndResignedChain_isFoundByAWitnessHoldingTheOldHead() throws {
        let f = try RecordFixture(self)
        let writer = AuditCheckpointWriter(stateDirectory: f.folder)
        let witness = AuditWitnessStore(folder: try Fixtures.temporaryFolder(self) + "/witness")
        try append(f, 6)
        let honest = try writer.checkpoint(f.database, actor: "coordinator", reason: "scheduled", at: t0 + 10)
            .checkpoint
        XCTAssertEqual(try witness.keep(honest), .new)
        // Entry 4 rewritten, every hash after it recomputed, and a fresh checkpoint signed with the key beside the database.
        var previous = AuditEntry.genesisHash, statements = "", forgedHead: [UInt8] = []
        for e in try AuditLog.entries(in: f.database, limit: 100) {
            let detail = e.sequence == 4 ? #"{"decision":"no match"}"# : e.detail
            let hash = AuditEntry.hash(
                atMilliseconds: e.atMilliseconds, actor: e.actor, action: e.action, target: e.target, detail: detail,
                previousHash: previous)
            statements +=
                "UPDATE audit SET detail = '\(detail)', prev_hash = x'\(hex(previous))', hash = x'\(hex(hash))' WHERE seq = \(e.sequence);"
            if e.sequence == honest.entries { forgedHead = hash }
            previous = hash
        }
        try f.tamper(statements)
        let forged = try AuditCheckpoint.sign(
            entries: honest.entries, headHash: forgedHead, at: t0 + 30, key: try writer.signingKey())
        XCTAssertEqual(
            try AuditVerifier.verify(f.database, checkpoints: [forged]).problem, nil,
            "the forger's own checkpoint holds")
        XCTAssertEqual(
            try AuditVerifier.verify(f.database, checkpoints: [forged] + (try witness.all())).problem,
            .differsFromCheckpoint(honest.entries))
        guard case .contradicts(let why) = try witness.keep(forged) else {
            return XCTFail("the witness sees two heads for one length")
        }
        XCTAssertTrue(why.contains("rewritten"), why)
    }

    func testTheStore_refusesBadSignatures_keepsEachCheckpointOnce_inPrivateFilesNeverRewritten() throws {
        let f = try RecordFixture(self)
        let writer = AuditCheckpointWriter(stateDirectory: f.folder)
        let witness = AuditWitnessStore(folder: try Fixtures.temporaryFolder(self) + "/witness")
        try append(f, 2)
        let checkpoint = try writer.checkpoint(f.database, actor: "c", reason: "t", at: t0).checkpoint
        var forged = checkpoint
        forged.entries += 5
        XCTAssertThrowsError(try witness.keep(forged)) { XCTAssertTrue("\($0)".contains("invalid signature"), "\($0)") }
        XCTAssertEqual(try witness.keep(checkpoint), .new)
        XCTAssertEqual(try witness.keep(checkpoint), .alreadyKept)
        let files = try FileManager.default.contentsOfDirectory(atPath: witness.folder)
        XCTAssertEqual(files.count, 1)
        XCTAssertEqual(
            try FileManager.default.attributesOfItem(atPath: witness.folder + "/" + files[0])[.posixPermissions]
                as? Int, 0o600)
        XCTAssertThrowsError(
            try PrivateFile.write([1], to: witness.folder + "/" + files[0], mode: .createNew),
            "a kept checkpoint is never overwritten")

        let otherKey = Curve25519.Signing.PrivateKey()
        let byAnother = try AuditCheckpoint.sign(
            entries: checkpoint.entries + 1, headHash: checkpoint.headHash, at: t0 + 5, key: otherKey)
        guard case .contradicts(let why) = try witness.keep(byAnother) else { return XCTFail("another signing key") }
        XCTAssertTrue(why.contains("signed by key"), why)
        let shorter = try AuditCheckpoint.sign(
            entries: 1, headHash: checkpoint.headHash, at: t0 + 10, key: try writer.signingKey())
        guard case .contradicts(let cut) = try witness.keep(shorter) else {
            return XCTFail("fewer entries signed later")
        }
        XCTAssertTrue(cut.contains("cut"), cut)
    }

    func testCheckpointSchedule_byTimeOrEntries_neverForItsOwnEntryAlone() {
        var schedule = CheckpointSchedule(interval: 300, entries: 100)
        XCTAssertFalse(schedule.isDue(logEntries: 0, now: t0), "an empty log")
        XCTAssertTrue(schedule.isDue(logEntries: 3, now: t0), "nothing signed yet")
        schedule.checkpointed(entries: 3, at: t0)
        XCTAssertFalse(
            schedule.isDue(logEntries: 4, now: t0 + 3600),
            "only the checkpoint's own entry since: an idle log is not re-signed")
        XCTAssertFalse(schedule.isDue(logEntries: 10, now: t0 + 299))
        XCTAssertTrue(schedule.isDue(logEntries: 10, now: t0 + 300), "the interval passed with entries added")
        XCTAssertTrue(schedule.isDue(logEntries: 104, now: t0 + 1), "entries enough before the interval")
        schedule.checkpointed(entries: 2, at: t0 + 500)
        XCTAssertTrue(
            schedule.isDue(logEntries: 10, now: t0 + 300), "an older checkpoint does not move the schedule back")
    }

    /// A witness that has kept years of checkpoints reads, for each new one, only the files it
    /// compares with: the oldest, and those of the same or a greater length (and the coordinator
    /// looks at its newest file alone).
    func testKeeping_readsOnlyTheFilesItComparesWith() throws {
        let f = try RecordFixture(self)
        let writer = AuditCheckpointWriter(stateDirectory: f.folder)
        let witness = AuditWitnessStore(folder: try Fixtures.temporaryFolder(self) + "/witness")
        var kept: [AuditCheckpoint] = []
        for round in 0..<3 {
            try append(f, 2, from: round * 2)
            kept.append(try writer.checkpoint(f.database, actor: "c", reason: "t", at: t0 + Double(round)).checkpoint)
            XCTAssertEqual(try witness.keep(kept[round]), .new)
        }
        let middle = try XCTUnwrap(
            try FileManager.default.contentsOfDirectory(atPath: witness.folder).sorted().dropFirst().first)
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: witness.folder + "/" + middle))
        try append(f, 2, from: 10)
        let next = try writer.checkpoint(f.database, actor: "c", reason: "t", at: t0 + 10).checkpoint
        XCTAssertEqual(try witness.keep(next), .new, "the spoiled middle file is not read")
        XCTAssertEqual(try witness.newest(), next)
        XCTAssertEqual(try writer.latest(), next)
        XCTAssertThrowsError(try witness.all(), "a full read still names the spoiled file") {
            XCTAssertTrue("\($0)".contains(middle), "\($0)")
        }
    }

    func testAKeyThisProcessCannotRead_leavesTheCheckpointToServe_andAFileThatIsNoKey_isNamed() throws {
        let f = try RecordFixture(self)
        try append(f, 1)
        let unreadable = AuditCheckpointWriter(
            stateDirectory: f.folder, keyPath: f.folder + "/credentials/audit-signing.key")
        XCTAssertThrowsError(try unreadable.checkpoint(f.database, actor: "c", reason: "t", at: t0)) {
            XCTAssertTrue($0 is AuditKeyUnavailable, "\($0)")
        }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: f.folder + "/" + AuditCheckpointWriter.keyFileName),
            "no second key is made")
        let notAKey = f.folder + "/not-a-key"
        try PrivateFile.write(Array("hello".utf8), to: notAKey, mode: .createNew)
        XCTAssertThrowsError(try AuditCheckpointWriter(stateDirectory: f.folder, keyPath: notAKey).signingKey()) {
            XCTAssertTrue("\($0)".contains(notAKey), "\($0)")
        }
    }

    /// A receipt is kept only when its signature holds, and the coordinator's view of its witnesses
    /// is each node's newest: the head it signed for the most entries.
    func testReceipts_areKeptOnlyWithAValidSignature_andEachNodesNewestIsReported() throws {
        let f = try RecordFixture(self)
        func receipt(_ key: Curve25519.Signing.PrivateKey, entries: UInt64, head: UInt8) throws
            -> WireMessage.WitnessReceipt
        {
            let headHash = [UInt8](repeating: head, count: 32)
            return WireMessage.WitnessReceipt(
                entries: entries, headHash: headHash, witnessKey: Array(key.publicKey.rawRepresentation),
                signature: Array(
                    try key.signature(
                        for: WireMessage.WitnessReceipt.signingBytes(entries: entries, headHash: headHash))))
        }
        let node1 = Curve25519.Signing.PrivateKey(), node2 = Curve25519.Signing.PrivateKey()
        XCTAssertTrue(
            try AuditWitnessReceipts.record(
                receipt(node1, entries: 9, head: 0x09), from: "node1", in: f.database, at: t0))
        XCTAssertTrue(
            try AuditWitnessReceipts.record(
                receipt(node1, entries: 5, head: 0x05), from: "node1", in: f.database, at: t0 + 1))
        XCTAssertTrue(
            try AuditWitnessReceipts.record(
                receipt(node2, entries: 3, head: 0x03), from: "node2", in: f.database, at: t0 + 2))
        var forged = try receipt(node2, entries: 99, head: 0x99)
        forged.signature[0] ^= 1
        XCTAssertFalse(try AuditWitnessReceipts.record(forged, from: "node2", in: f.database, at: t0 + 3))

        let latest = try AuditWitnessReceipts.latest(in: f.database)
        XCTAssertEqual(latest.map(\.nodeID), ["node1", "node2"])
        XCTAssertEqual(latest.map(\.entries), [9, 3], "the most entries, not the last received; the forgery not kept")
        XCTAssertEqual(
            latest.map(\.headSHA256), [String(repeating: "09", count: 32), String(repeating: "03", count: 32)])
        XCTAssertEqual(latest.map(\.receivedAt), [t0, t0 + 2])
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}
