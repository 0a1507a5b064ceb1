import Crypto
import Foundation
import GRDB
import Shared

/// Signs checkpoints with the coordinator's audit key and writes them to `audit-checkpoints/`
/// beside the database. The key is `audit.signing_key` when the config names one (for a key kept
/// out of the state folder: a systemd credential, `LoadCredential=`), else `audit-signing.key` in
/// the state folder (0600, created on first use). A key the config names is never created.
public struct AuditCheckpointWriter: Sendable {
    public static let keyFileName = "audit-signing.key"
    public static let folderName = "audit-checkpoints"
    let stateDirectory: String
    let keyPath: String?

    public init(stateDirectory: String, keyPath: String? = nil) {
        self.stateDirectory = stateDirectory
        self.keyPath = keyPath
    }

    public var checkpointFolder: String { stateDirectory + "/" + Self.folderName }

    /// The signing key. A new one is made in the state folder only while no checkpoint exists:
    /// checkpoints already signed by a key this process cannot read (a systemd credential of the
    /// running service) are never followed by ones signed by a second key.
    public func signingKey() throws -> Curve25519.Signing.PrivateKey {
        if let keyPath {
            guard FileManager.default.isReadableFile(atPath: keyPath) else { throw AuditKeyUnavailable() }
            return try SigningKeyFile.loadPrivate(path: keyPath)
        }
        let path = stateDirectory + "/" + Self.keyFileName
        if FileManager.default.fileExists(atPath: path) { return try SigningKeyFile.loadPrivate(path: path) }
        guard try latest() == nil else { throw AuditKeyUnavailable() }
        return try SigningKeyFile.create(at: path)
    }

    /// The newest checkpoint written, if any (its file alone is read).
    public func latest() throws -> AuditCheckpoint? {
        try AuditWitnessStore(folder: checkpointFolder).newest()
    }

    /// Signs the log as it stands, records that in the log, and returns the file written.
    @discardableResult
    public func checkpoint(_ database: CoordinatorDatabase, actor: String, reason: String, at time: Date) throws -> (
        path: String, checkpoint: AuditCheckpoint
    ) {
        let key = try signingKey()
        let checkpoint = try database.change { db, audit in
            let head = try AuditHead.read(db)
            let checkpoint = try AuditCheckpoint.sign(entries: head.entries, headHash: head.hash, at: time, key: key)
            try audit.append(
                AuditEvent(
                    actor: actor, action: .auditCheckpoint, target: "audit",
                    detail: ["entries": "\(head.entries)", "head_sha256": checkpoint.headSHA256, "reason": reason]),
                at: time)
            return checkpoint
        }
        let path = "\(checkpointFolder)/checkpoint-\(String(format: "%09lld", checkpoint.entries)).json"
        // Not secret (counts and hashes): readable so that an auditor's account can copy it off the box.
        try PrivateFile.write(try checkpoint.fileBytes(), to: path, mode: .replaceAtomically, permissions: 0o644)
        return (path, checkpoint)
    }
}

/// The log's length and last hash.
enum AuditHead {
    static func read(_ db: GRDB.Database) throws -> (entries: Int64, hash: [UInt8]) {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1") else {
            return (0, AuditEntry.genesisHash)
        }
        return (row["seq"], [UInt8](row["hash"] as Data))
    }
}

/// This process cannot read the key that signed the existing checkpoints (the running service
/// holds it as a credential): the checkpoint is left to `coordinator serve`.
public struct AuditKeyUnavailable: Error, CustomStringConvertible {
    public var description: String {
        "the audit signing key is not readable here (the running coordinator holds it): the coordinator checkpoints the log itself"
    }
}

/// When the server checkpoints the log on its own: every `interval`, or sooner once `entries` new
/// entries are on it, and never while nothing but the last checkpoint's own entry was added. A value;
/// `AuditCheckpointService` asks it with the time and the log's length.
public struct CheckpointSchedule: Sendable {
    public var interval: TimeInterval
    public var entries: Int64
    private var last: (entries: Int64, at: Date)?

    public init(interval: TimeInterval = 300, entries: Int64 = 1000) {
        self.interval = interval
        self.entries = entries
    }

    /// Whether to checkpoint a log of `logEntries` now.
    public func isDue(logEntries: Int64, now: Date) -> Bool {
        guard let last else { return logEntries > 0 }
        // The checkpoint's own entry is the one after the entries it signed.
        let added = logEntries - (last.entries + 1)
        guard added > 0 else { return false }
        return added >= entries || now.timeIntervalSince(last.at) >= interval
    }

    /// Whether entries were added since the last checkpoint (then a reload checkpoints at once).
    public func hasNewEntries(logEntries: Int64) -> Bool {
        logEntries > (last.map { $0.entries + 1 } ?? 0)
    }

    /// A checkpoint of `entries` was signed at `at` (by this server or another process).
    public mutating func checkpointed(entries: Int64, at: Date) {
        if let last, last.entries >= entries { return }
        last = (entries, at)
    }
}
