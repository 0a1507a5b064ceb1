import Foundation

/// The checkpoints a witness has seen, kept off the coordinator's disk: on each edge node (sent
/// over the CURVE link) and on an auditor's machine (`coordinator audit witness`). Append-only:
/// one 0600 file per checkpoint, created once and never rewritten, named by its length and head.
/// `coordinator audit verify --witness FOLDER` checks the log against every one of them, so that
/// a tail cut after the last checkpoint the coordinator still has, or a chain rewritten and
/// re-signed, is found if any witness holds a later or a different head.
///
/// A witness does not judge the log (it has none); it refuses what is not a validly signed
/// checkpoint and says when one contradicts what it already keeps: the same length with another
/// head, another signing key, or fewer entries than it has seen signed later.
public struct AuditWitnessStore: Sendable {
    public enum Kept: Equatable, Sendable {
        case new
        case alreadyKept
        /// Kept as well, as evidence: it contradicts an earlier checkpoint, for this reason.
        case contradicts(String)
    }

    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// Keeps a checkpoint unless an identical one is kept; refuses an invalid signature. Reads only
    /// the files it must compare with (the same length, longer ones, the oldest), so that a store
    /// of years of checkpoints costs no more per checkpoint than a new one.
    public func keep(_ checkpoint: AuditCheckpoint) throws -> Kept {
        guard checkpoint.isSignatureValid else {
            throw CheckpointRefusal(
                .badSignature, "\(checkpoint.entries) entries",
                "checkpoint of \(checkpoint.entries) entries has an invalid signature: not kept")
        }
        let names = fileNames()
        let name =
            "checkpoint-\(String(format: "%012lld", checkpoint.entries))-\(checkpoint.headSHA256.prefix(16))-\(checkpoint.signedAt).json"
        if names.contains(name), try read(name) == checkpoint { return .alreadyKept }
        let compared = try names.filter { other in
            guard let entries = Self.entries(inName: other) else { return true }
            return entries >= checkpoint.entries
        }.map(read)
        let oldest = try names.first.map(read)
        try PrivateFile.write(try checkpoint.fileBytes(), to: folder + "/" + name, mode: .createNew)
        if let other = compared.first(where: {
            $0.entries == checkpoint.entries && $0.headSHA256 != checkpoint.headSHA256
        }) {
            return .contradicts(
                "entry \(checkpoint.entries) was signed before with head \(other.headSHA256.prefix(16))…: the log was rewritten"
            )
        }
        if let oldest, oldest.coordinatorKey != checkpoint.coordinatorKey {
            return .contradicts(
                "signed by key \(checkpoint.keyID), where earlier checkpoints were signed by \(oldest.keyID)")
        }
        if let later = compared.first(where: { $0.entries > checkpoint.entries && $0.signedAt < checkpoint.signedAt }) {
            return .contradicts("\(checkpoint.entries) entries signed after \(later.entries) were: the log was cut")
        }
        return .new
    }

    /// Every checkpoint kept, by length then time; a file that is not a checkpoint is an error naming it.
    public func all() throws -> [AuditCheckpoint] {
        try fileNames().map(read).sorted { ($0.entries, $0.signedAt) < ($1.entries, $1.signedAt) }
    }

    /// The checkpoint of most entries, reading that file alone (names carry the length, zero-padded).
    public func newest() throws -> AuditCheckpoint? {
        try fileNames().last.map(read)
    }

    /// The newest `count` checkpoints' file names and contents, newest first.
    public func newest(_ count: Int) throws -> [(file: String, checkpoint: AuditCheckpoint)] {
        try fileNames().suffix(count).reversed().map { ($0, try read($0)) }
    }

    /// The `.json` files of the folder, by name: by length, as both the coordinator and witnesses name them.
    private func fileNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            $0.hasPrefix("checkpoint-") && $0.hasSuffix(".json")
        }.sorted()
    }

    private func read(_ name: String) throws -> AuditCheckpoint { try AuditCheckpoint.read(path: folder + "/" + name) }

    /// The length a witness's file name states (`checkpoint-<12 digits>-…`); nil for other names.
    private static func entries(inName name: String) -> Int64? {
        let digits = name.dropFirst("checkpoint-".count).prefix(12)
        guard digits.count == 12, name.dropFirst("checkpoint-".count + 12).first == "-" else { return nil }
        return Int64(digits)
    }
}
