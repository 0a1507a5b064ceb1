import Crypto
import Foundation
import GRDB
import RecordTestSupport
import Shared
import XCTest

@testable import CoordinatorRecord

/// The audit chain's format (known answers computed independently, with Python's hashlib and
/// cryptography) and the verifier's findings when the SQLite file is edited by hand.
final class AuditChainTests: XCTestCase {
    func testEntryHash_knownAnswer() {
        let bytes = AuditEntry.canonicalBytes(
            atMilliseconds: 1_800_000_000_000, actor: "op", action: "alert.reviewed", target: "A",
            detail: AuditEntry.detailJSON(["decision": "match"]), previousHash: AuditEntry.genesisHash)
        XCTAssertEqual(
            hex(bytes),
            "575041554449543100505c18a3010000020000006f700e000000616c6572742e72657669657765640100000041140000007b226465636973696f6e223a226d61746368227d0000000000000000000000000000000000000000000000000000000000000000"
        )
        XCTAssertEqual(
            hex(
                AuditEntry.hash(
                    atMilliseconds: 1_800_000_000_000, actor: "op", action: "alert.reviewed", target: "A",
                    detail: #"{"decision":"match"}"#, previousHash: AuditEntry.genesisHash)),
            "0bebe500087e1a32df1783c91da7c4d2cbae7c681446cadb94d235bd4d7e203b")
    }

    func testCheckpointSignature_knownAnswer_andAnyChangeInvalidatesIt() throws {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: Array(1...32) as [UInt8])
        let head = AuditCheckpoint.bytes(hex: "0bebe500087e1a32df1783c91da7c4d2cbae7c681446cadb94d235bd4d7e203b")!
        XCTAssertEqual(
            hex(AuditCheckpoint.signingBytes(entries: 1, headHash: head, signedAt: 1_800_000_000)),
            "7761746368706f737420617564697420636865636b706f696e742076310001000000000000000bebe500087e1a32df1783c91da7c4d2cbae7c681446cadb94d235bd4d7e203b00d2496b00000000"
        )
        let checkpoint = try AuditCheckpoint.sign(
            entries: 1, headHash: head, at: Date(timeIntervalSince1970: 1_800_000_000.7), key: key)
        XCTAssertEqual(checkpoint.coordinatorKey, "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664")
        XCTAssertEqual(
            checkpoint.signature,
            "30b8233913d8a9e0f749c1f61163452e48e732dfd1ca742af5811400e216f7ee813610b0adfb656a0cd2657b6b9b715aa13efc577518782051b05fa2ef2d6d08"
        )
        XCTAssertTrue(checkpoint.isSignatureValid)
        var fewer = checkpoint
        fewer.entries = 0
        XCTAssertFalse(fewer.isSignatureValid, "a checkpoint edited to cover fewer entries no longer verifies")
    }

    /// Ten entries written through the record, then one edit made straight in SQLite.
    private func logOfTen() throws -> RecordFixture {
        let f = try RecordFixture(self)
        for i in 0..<8 {
            try f.database.change { _, audit in
                try audit.append(
                    AuditEvent(
                        actor: "op\(i)", action: .alertReviewed, target: "alert-\(i)", detail: ["decision": "match"]),
                    at: RecordFixture.t0 + Double(i))
            }
        }
        XCTAssertEqual(try f.auditCount, 10, "two node enrolments and eight reviews")
        XCTAssertEqual(try AuditVerifier.verify(f.database).problem, nil)
        return f
    }

    func testIntactLog_verifies() throws {
        let f = try logOfTen()
        let result = try AuditVerifier.verify(f.database)
        XCTAssertEqual(result.entries, 10)
        XCTAssertTrue(result.description.contains("intact: 10 entries"), result.description)
    }

    func testAppendOnlyTriggers_refuseUpdatesAndDeletesThroughSQL() throws {
        let f = try logOfTen()
        let queue = try GRDBQueue(f.database.path)
        XCTAssertThrowsError(try queue.execute("UPDATE audit SET actor = 'x' WHERE seq = 3"))
        XCTAssertThrowsError(try queue.execute("DELETE FROM audit WHERE seq = 3"))
    }

    func testUpdate_isFoundAtTheEditedEntry() throws {
        let f = try logOfTen()
        try f.tamper(#"UPDATE audit SET detail = '{"decision":"no match"}' WHERE seq = 5"#)
        XCTAssertEqual(try AuditVerifier.verify(f.database).problem, .edited(5))
    }

    func testDelete_isFoundAtTheMissingEntry() throws {
        let f = try logOfTen()
        try f.tamper("DELETE FROM audit WHERE seq = 6")
        XCTAssertEqual(try AuditVerifier.verify(f.database).problem, .deleted(6))
    }

    /// An entry slipped in at position 4 with a valid-looking hash, the later ones renumbered.
    func testInsert_isFoundAtTheInsertedEntry() throws {
        let f = try logOfTen()
        let previous = try f.database.read { try Data.fetchOne($0, sql: "SELECT hash FROM audit WHERE seq = 3")! }
        let hash = AuditEntry.hash(
            atMilliseconds: 1, actor: "ghost", action: "alert.reviewed", target: "x", detail: "{}",
            previousHash: [UInt8](previous))
        try f.tamper(
            """
            UPDATE audit SET seq = -seq WHERE seq >= 4; UPDATE audit SET seq = -seq + 1 WHERE seq < 0;
            INSERT INTO audit VALUES (4, 1, 'ghost', 'alert.reviewed', 'x', '{}', x'\(hex([UInt8](previous)))', x'\(hex(hash))')
            """)
        XCTAssertEqual(try AuditVerifier.verify(f.database).problem, .inserted(4))
    }

    func testReordering_isFoundAtTheFirstMovedEntry() throws {
        let f = try logOfTen()
        try f.tamper(
            """
            UPDATE audit SET seq = 100 WHERE seq = 7; UPDATE audit SET seq = 7 WHERE seq = 8; UPDATE audit SET seq = 8 WHERE seq = 100
            """)
        XCTAssertEqual(try AuditVerifier.verify(f.database).problem, .reordered(7))
    }

    func testTruncation_isFoundAgainstASignedCheckpoint_andTheCheckpointFileIsItselfChecked() throws {
        let f = try logOfTen()
        let writer = AuditCheckpointWriter(stateDirectory: f.folder)
        let (path, checkpoint) = try writer.checkpoint(
            f.database, actor: "auditor", reason: "test", at: RecordFixture.t0 + 100)
        XCTAssertEqual(checkpoint.entries, 10)
        XCTAssertEqual(
            try f.auditActions().last, AuditAction.auditCheckpoint.rawValue, "the checkpoint is itself on the record")
        XCTAssertEqual(
            try FileManager.default.attributesOfItem(atPath: f.folder + "/audit-signing.key")[.posixPermissions]
                as? Int, 0o600)
        let read = try AuditCheckpoint.read(path: path)
        XCTAssertEqual(try AuditVerifier.verify(f.database, checkpoint: read).problem, nil)
        XCTAssertEqual(
            try AuditVerifier.verify(f.database, checkpoint: read, expectedKey: [UInt8](repeating: 7, count: 32))
                .problem,
            .checkpointKeyUnexpected(read.keyID))
        try f.tamper("DELETE FROM audit WHERE seq >= 9")
        XCTAssertEqual(
            try AuditVerifier.verify(f.database).problem, nil, "without a checkpoint a cut-off end is invisible")
        XCTAssertEqual(
            try AuditVerifier.verify(f.database, checkpoint: read).problem,
            .truncated(checkpointEntries: 10, logEntries: 8))
        var forged = read
        forged.entries = 8
        XCTAssertEqual(try AuditVerifier.verify(f.database, checkpoint: forged).problem, .checkpointSignatureInvalid)
    }

    /// Rewriting the whole chain with fresh hashes passes the chain check; the checkpoint catches it.
    func testRehashedRewrite_isFoundAgainstTheCheckpoint() throws {
        let f = try logOfTen()
        let (_, checkpoint) = try AuditCheckpointWriter(stateDirectory: f.folder).checkpoint(
            f.database, actor: "a", reason: "t", at: RecordFixture.t0)
        var previous = AuditEntry.genesisHash
        var statements = ""
        for e in try AuditLog.entries(in: f.database, limit: 100) {
            let detail = e.sequence == 5 ? #"{"decision":"no match"}"# : e.detail
            let hash = AuditEntry.hash(
                atMilliseconds: e.atMilliseconds, actor: e.actor, action: e.action, target: e.target, detail: detail,
                previousHash: previous)
            statements +=
                "UPDATE audit SET detail = '\(detail)', prev_hash = x'\(hex(previous))', hash = x'\(hex(hash))' WHERE seq = \(e.sequence);"
            previous = hash
        }
        try f.tamper(statements)
        XCTAssertEqual(try AuditVerifier.verify(f.database).problem, nil)
        XCTAssertEqual(try AuditVerifier.verify(f.database, checkpoint: checkpoint).problem, .differsFromCheckpoint(10))
    }
}

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// A second connection to the file, as sqlite3 would open it.
private struct GRDBQueue {
    let queue: DatabaseQueue
    init(_ path: String) throws { queue = try DatabaseQueue(path: path) }
    func execute(_ sql: String) throws { try queue.write { try $0.execute(sql: sql) } }
}
