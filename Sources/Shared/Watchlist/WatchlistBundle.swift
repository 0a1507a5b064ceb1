import FaceTemplates
import Foundation

/// The content of a signed watchlist: bound to one deployment, one embedding model and a validity
/// window, with a version that only goes up. Holds opaque subject ids and templates only: no
/// names, no photos (those stay at the coordinator). Under the fused rule it also carries an
/// anonymous cohort: templates of people not sought, used only to normalise scores, never matched.
///
/// Its canonical bytes (`payloadBytes()`) are what signers sign; a verifier decodes a payload
/// only after its signatures have been checked over the exact bytes received.
public struct WatchlistBundle: Sendable, Equatable {
    public static let payloadMagic: [UInt8] = Array("WPWL".utf8)
    /// 3 stored FaceNet templates (and the cohort's) as 16-bit floats; 4 stores the dlib ones so
    /// too: a fused 10,000-subject bundle shrinks from 25.8 (version 2) to 15.5 (3) to 13.0 MB, and
    /// the product's accuracy figures do not move (README, "Fabric"). 5 says how the subjects were
    /// enrolled and how many people each cohort template stands for, which set the evaluation rows
    /// the bundle's expected rates are read from. Older payloads are still read.
    public static let payloadVersion: UInt8 = 5
    static let readableVersions: ClosedRange<UInt8> = 2...5

    public var deploymentID: String
    public var watchlistID: String
    /// Strictly increasing per deployment; an edge refuses any version not above the one it holds.
    public var version: UInt64
    public var issuedAt: Date
    public var notBefore: Date
    public var expiresAt: Date
    public var embeddingModel: String
    /// Score at or below which a face matches, under `rule`.
    public var threshold: Float
    public var rule: MatchingRule
    public var entries: [WatchlistEntry]
    public var cohort: [FaceFeatures]
    /// How the subjects' photos became templates. Payloads before version 5 did not say: they
    /// read as their counts tell, so a fused list of theirs reads as one photo per subject.
    public var enrolment: ListEnrolment
    /// People each cohort template stands for: 1 for faces, the centroid size for centroids
    /// (`CohortCentroids`); 1 for payloads before version 5.
    public var peoplePerCohortTemplate: Int

    /// - Parameter enrolment: nil: as the entries' counts tell (one photo, or several templates).
    public init(
        deploymentID: String, watchlistID: String, version: UInt64, issuedAt: Date, notBefore: Date,
        expiresAt: Date, embeddingModel: String, threshold: Float, rule: MatchingRule = .distance,
        entries: [WatchlistEntry], cohort: [FaceFeatures] = [], enrolment: ListEnrolment? = nil,
        peoplePerCohortTemplate: Int = 1
    ) {
        self.deploymentID = deploymentID
        self.watchlistID = watchlistID
        self.version = version
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.embeddingModel = embeddingModel
        self.threshold = threshold
        self.rule = rule
        self.entries = entries
        self.cohort = cohort
        self.enrolment =
            enrolment ?? ListEnrolment(photos: .separate, severalPhotos: entries.contains { $0.templates.count > 1 })
        self.peoplePerCohortTemplate = peoplePerCohortTemplate
    }

    public var templateCount: Int { entries.reduce(0) { $0 + $1.templates.count } }

    /// The cohort in words, for `watchlist show` and the deployment record.
    public var cohortDescription: String {
        cohort.isEmpty
            ? "none: the list is its own cohort"
            : peoplePerCohortTemplate > 1
                ? "\(cohort.count) centroids of \(peoplePerCohortTemplate) people each"
                : "\(cohort.count) faces of people not sought"
    }

    /// Why `enrolment` and `peoplePerCohortTemplate` cannot describe these entries and cohort, or nil.
    var enrolmentMismatch: String? {
        let several = entries.contains { $0.templates.count > 1 }
        if several != (enrolment == .severalTemplates) {
            return several
                ? "a subject has several templates, which a list of \(enrolment) cannot have"
                : "every subject has one template, which a list of \(enrolment) cannot have"
        }
        let allowed = cohort.isEmpty ? 1...1 : 1...1000
        guard allowed.contains(peoplePerCohortTemplate),
            peoplePerCohortTemplate == 1 || peoplePerCohortTemplate >= CohortCentroids.fewestPeople
        else {
            return
                "\(peoplePerCohortTemplate) people per cohort template for \(cohort.count) templates (1 for faces, \(CohortCentroids.fewestPeople)-1000 for centroids)"
        }
        return nil
    }

    /// Size limits a decoder enforces before allocating anything.
    public struct Limits: Sendable {
        public var maxSubjects = 100_000
        public var maxTemplatesPerSubject = 64
        public var maxCohort = 100_000
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
        switch rule {
        case .distance:
            w.u8(0)
        case .fusedCohort(let f):
            w.u8(1)
            w.f32(f.dlibWeight)
            w.f32(f.dlibScale)
            w.u32(UInt32(f.cohortSize))
            w.f32(f.priorDistance)
        }
        w.u8(Self.enrolmentCodes.first { $0.value == enrolment }!.key)
        w.u32(UInt32(peoplePerCohortTemplate))
        w.u32(UInt32(entries.count))
        for entry in entries {
            w.string(entry.subject)
            w.u32(UInt32(entry.templates.count))
            for template in entry.templates { for v in template.values { w.f16(v) } }
            w.u32(UInt32(entry.faceNetTemplates.count))
            for template in entry.faceNetTemplates { for v in template.values { w.f16(v) } }
        }
        w.u32(UInt32(cohort.count))
        for face in cohort {
            for v in face.dlib.values { w.f16(v) }
            for v in face.faceNet?.values ?? [] { w.f16(v) }
        }
        return w.bytes
    }

    /// Decodes canonical bytes, refusing anything malformed, oversized or not in canonical form.
    public static func decode(payload: [UInt8], limits: Limits = Limits()) throws -> WatchlistBundle {
        guard payload.count <= limits.maxPayloadBytes else {
            throw MalformedBytes(description: "payload of \(payload.count) bytes exceeds \(limits.maxPayloadBytes)")
        }
        var r = ByteReader(payload)
        guard try r.raw(4, "magic") == payloadMagic else {
            throw MalformedBytes(description: "not a watchlist payload")
        }
        let format = try r.u8("format version")
        guard readableVersions.contains(format) else {
            throw MalformedBytes(description: "payload format \(format) is not supported")
        }
        let halfFaceNet = format >= 3, halfDlib = format >= 4
        let deployment = try r.string("deployment id"), watchlist = try r.string("watchlist id")
        let version = try r.u64("version")
        let times = try (0..<3).map { _ in Date(timeIntervalSince1970: TimeInterval(try r.i64("time"))) }
        let model = try r.string("embedding model")
        let threshold = try r.f32("threshold")
        guard threshold.isFinite, threshold > 0, threshold < 2 else {
            throw MalformedBytes(description: "threshold \(threshold) is out of range")
        }
        let rule = try decodeRule(&r)
        let fused = rule != .distance
        var enrolment: ListEnrolment?, peoplePerCohortTemplate = 1
        if format >= 5 {
            let code = try r.u8("enrolment")
            guard let known = enrolmentCodes[code] else {
                throw MalformedBytes(description: "enrolment \(code) is not known to this version")
            }
            enrolment = known
            peoplePerCohortTemplate = Int(try r.u32("people per cohort template"))
        }
        let subjects = Int(try r.u32("subject count"))
        guard subjects <= limits.maxSubjects else {
            throw MalformedBytes(description: "\(subjects) subjects exceed the limit of \(limits.maxSubjects)")
        }
        var entries: [WatchlistEntry] = []
        var seen = Set<String>()
        for _ in 0..<subjects {
            let subject = try r.string("subject id")
            guard !subject.isEmpty, seen.insert(subject).inserted else {
                throw MalformedBytes(description: "subject id is empty or repeated")
            }
            let count = Int(try r.u32("template count"))
            guard (1...limits.maxTemplatesPerSubject).contains(count) else {
                throw MalformedBytes(
                    description: "\(count) templates for one subject (allowed 1...\(limits.maxTemplatesPerSubject))")
            }
            let templates = try (0..<count).map { _ in Embedding(try floats(&r, Embedding.dimension, half: halfDlib)) }
            let second = Int(try r.u32("FaceNet template count"))
            guard second == (fused ? count : 0) else {
                throw MalformedBytes(
                    description: "\(second) FaceNet templates for \(count) dlib templates under this rule")
            }
            let faceNet = try (0..<second).map { _ in
                FaceNetEmbedding(try floats(&r, FaceNetEmbedding.dimension, half: halfFaceNet))
            }
            entries.append(WatchlistEntry(subject: subject, templates: templates, faceNetTemplates: faceNet))
        }
        let cohortCount = Int(try r.u32("cohort count"))
        guard cohortCount <= (fused ? limits.maxCohort : 0) else {
            throw MalformedBytes(
                description: "\(cohortCount) cohort faces (allowed \(fused ? limits.maxCohort : 0) under this rule)")
        }
        let cohort = try (0..<cohortCount).map { _ in
            FaceFeatures(
                dlib: Embedding(try floats(&r, Embedding.dimension, half: halfDlib)),
                faceNet: FaceNetEmbedding(try floats(&r, FaceNetEmbedding.dimension, half: halfFaceNet)))
        }
        guard r.isAtEnd else { throw MalformedBytes(description: "\(r.remaining) bytes after the cohort") }
        let bundle = WatchlistBundle(
            deploymentID: deployment, watchlistID: watchlist, version: version, issuedAt: times[0],
            notBefore: times[1], expiresAt: times[2], embeddingModel: model, threshold: threshold,
            rule: rule, entries: entries, cohort: cohort, enrolment: enrolment,
            peoplePerCohortTemplate: peoplePerCohortTemplate)
        if let mismatch = bundle.enrolmentMismatch { throw MalformedBytes(description: mismatch) }
        return bundle
    }

    /// The payload's byte for each enrolment.
    private static let enrolmentCodes: [UInt8: ListEnrolment] = [0: .onePhoto, 1: .severalTemplates, 2: .fused]

    private static func decodeRule(_ r: inout ByteReader) throws -> MatchingRule {
        switch try r.u8("matching rule") {
        case 0: return .distance
        case 1:
            let weight = try r.f32("dlib weight"), scale = try r.f32("dlib scale"), size = Int(try r.u32("cohort size"))
            let prior = try r.f32("prior distance")
            guard weight >= 0, weight <= 1, scale > 0, scale < 10, (1...1000).contains(size), prior > 0, prior < 10
            else {
                throw MalformedBytes(description: "fusion settings out of range")
            }
            return .fusedCohort(
                FusionSettings(dlibWeight: weight, dlibScale: scale, cohortSize: size, priorDistance: prior))
        case let other: throw MalformedBytes(description: "matching rule \(other) is not known to this version")
        }
    }

    /// `count` finite floats (16-bit when `half`), after checking they are all there (so a lying
    /// count allocates nothing).
    private static func floats(_ r: inout ByteReader, _ count: Int, half: Bool) throws -> [Float] {
        guard r.remaining >= count * (half ? 2 : 4) else { throw MalformedBytes(description: "truncated templates") }
        let values = try (0..<count).map { _ in half ? try r.f16("template value") : try r.f32("template value") }
        guard values.allSatisfy(\.isFinite) else { throw MalformedBytes(description: "template value is not finite") }
        return values
    }
}
