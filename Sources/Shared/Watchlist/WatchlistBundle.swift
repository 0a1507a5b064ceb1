import FaceEngine
import Foundation

/// The content of a signed watchlist: bound to one deployment, one embedding model and a validity
/// window, with a version that only goes up. Holds opaque subject ids and templates only: no
/// names, no photos (those stay at the coordinator).
///
/// Its canonical bytes (`payloadBytes()`) are what signers sign; a verifier decodes a payload
/// only after its signatures have been checked over the exact bytes received.
public struct WatchlistBundle: Sendable, Equatable {
    public static let payloadMagic: [UInt8] = Array("WPWL".utf8)
    public static let payloadVersion: UInt8 = 1

    public var deploymentID: String
    public var watchlistID: String
    /// Strictly increasing per deployment; an edge refuses any version not above the one it holds.
    public var version: UInt64
    public var issuedAt: Date
    public var notBefore: Date
    public var expiresAt: Date
    public var embeddingModel: String
    /// L2 distance at or below which a face matches.
    public var threshold: Float
    public var entries: [WatchlistEntry]

    public init(deploymentID: String, watchlistID: String, version: UInt64, issuedAt: Date, notBefore: Date,
                expiresAt: Date, embeddingModel: String, threshold: Float, entries: [WatchlistEntry]) {
        self.deploymentID = deploymentID; self.watchlistID = watchlistID; self.version = version
        self.issuedAt = issuedAt; self.notBefore = notBefore; self.expiresAt = expiresAt
        self.embeddingModel = embeddingModel; self.threshold = threshold; self.entries = entries
    }

    public var templateCount: Int { entries.reduce(0) { $0 + $1.templates.count } }

    /// Size limits a decoder enforces before allocating anything.
    public struct Limits: Sendable {
        public var maxSubjects = 100_000
        public var maxTemplatesPerSubject = 64
        public var maxPayloadBytes = 256 << 20
        public init() {}
    }

    /// The canonical encoding: fixed field order, little-endian integers, whole seconds since 1970.
    public func payloadBytes() -> [UInt8] {
        var w = ByteWriter()
        w.raw(Self.payloadMagic)
        w.u8(Self.payloadVersion)
        w.string(deploymentID)
        w.string(watchlistID)
        w.u64(version)
        for date in [issuedAt, notBefore, expiresAt] { w.i64(Int64(date.timeIntervalSince1970.rounded(.down))) }
        w.string(embeddingModel)
        w.f32(threshold)
        w.u32(UInt32(entries.count))
        for entry in entries {
            w.string(entry.subject)
            w.u32(UInt32(entry.templates.count))
            for template in entry.templates { for v in template.values { w.f32(v) } }
        }
        return w.bytes
    }

    /// Decodes canonical bytes, refusing anything malformed, oversized or not in canonical form.
    public static func decode(payload: [UInt8], limits: Limits = Limits()) throws -> WatchlistBundle {
        guard payload.count <= limits.maxPayloadBytes else {
            throw MalformedBytes(description: "payload of \(payload.count) bytes exceeds \(limits.maxPayloadBytes)")
        }
        var r = ByteReader(payload)
        guard try r.raw(4, "magic") == payloadMagic else { throw MalformedBytes(description: "not a watchlist payload") }
        let format = try r.u8("format version")
        guard format == payloadVersion else { throw MalformedBytes(description: "payload format \(format) is not supported") }
        let deployment = try r.string("deployment id"), watchlist = try r.string("watchlist id")
        let version = try r.u64("version")
        let times = try (0..<3).map { _ in Date(timeIntervalSince1970: TimeInterval(try r.i64("time"))) }
        let model = try r.string("embedding model")
        let threshold = try r.f32("threshold")
        guard threshold.isFinite, threshold > 0, threshold < 2 else { throw MalformedBytes(description: "threshold \(threshold) is out of range") }
        let subjects = Int(try r.u32("subject count"))
        guard subjects <= limits.maxSubjects else { throw MalformedBytes(description: "\(subjects) subjects exceed the limit of \(limits.maxSubjects)") }
        var entries: [WatchlistEntry] = []
        var seen = Set<String>()
        for _ in 0..<subjects {
            let subject = try r.string("subject id")
            guard !subject.isEmpty, seen.insert(subject).inserted else {
                throw MalformedBytes(description: "subject id is empty or repeated")
            }
            let count = Int(try r.u32("template count"))
            guard (1...limits.maxTemplatesPerSubject).contains(count) else {
                throw MalformedBytes(description: "\(count) templates for one subject (allowed 1...\(limits.maxTemplatesPerSubject))")
            }
            guard r.remaining >= count * Embedding.dimension * 4 else { throw MalformedBytes(description: "truncated templates") }
            let templates = try (0..<count).map { _ in
                let values = try (0..<Embedding.dimension).map { _ in try r.f32("template value") }
                guard values.allSatisfy(\.isFinite) else { throw MalformedBytes(description: "template value is not finite") }
                return Embedding(values)
            }
            entries.append(WatchlistEntry(subject: subject, templates: templates))
        }
        guard r.isAtEnd else { throw MalformedBytes(description: "\(r.remaining) bytes after the last entry") }
        return WatchlistBundle(deploymentID: deployment, watchlistID: watchlist, version: version, issuedAt: times[0],
                               notBefore: times[1], expiresAt: times[2], embeddingModel: model, threshold: threshold,
                               entries: entries)
    }
}
