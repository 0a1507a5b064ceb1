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

    /// Keeps a checkpoint unless an identical one is kept; refuses an invalid signature.
    public func keep(_ checkpoint: AuditCheckpoint) throws -> Kept {
        guard checkpoint.isSignatureValid else {
            throw CommandFailure("checkpoint of \(checkpoint.entries) entries has an invalid signature: not kept")
        }
        let kept = try all()
        if kept.contains(checkpoint) { return .alreadyKept }
        let path = "\(folder)/checkpoint-\(String(format: "%012lld", checkpoint.entries))-\(checkpoint.headSHA256.prefix(16))-\(checkpoint.signedAt).json"
        try PrivateFile.write(try checkpoint.fileBytes(), to: path, mode: .createNew)
        if let other = kept.first(where: { $0.entries == checkpoint.entries && $0.headSHA256 != checkpoint.headSHA256 }) {
            return .contradicts("entry \(checkpoint.entries) was signed before with head \(other.headSHA256.prefix(16))…: the log was rewritten")
        }
        if let first = kept.first, first.coordinatorKey != checkpoint.coordinatorKey {
            return .contradicts("signed by key \(checkpoint.keyID), where earlier checkpoints were signed by \(first.keyID)")
        }
        if let later = kept.first(where: { $0.entries > checkpoint.entries && $0.signedAt < checkpoint.signedAt }) {
            return .contradicts("\(checkpoint.entries) entries signed after \(later.entries) were: the log was cut")
        }
        return .new
    }

    /// Every checkpoint kept, by length then time; a file that is not a checkpoint is an error naming it.
    public func all() throws -> [AuditCheckpoint] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { try AuditCheckpoint.read(path: folder + "/" + $0) }
            .sorted { ($0.entries, $0.signedAt) < ($1.entries, $1.signedAt) }
    }
}
