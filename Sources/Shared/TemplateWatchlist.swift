import FaceTemplates
import Foundation

/// A plain (unsigned) watchlist file of opaque subject ids and their templates, as written by
/// `edge-node enrol`, with the matching rule and any cohort. Holds no names and no photos.
/// Written with 0600 permissions: templates are biometric data.
public struct TemplateWatchlist: Sendable, Equatable {
    public static let format = "watchpost-templates/2"

    public var threshold: Float?
    public var rule: MatchingRule
    public var entries: [WatchlistEntry]
    public var cohort: [FaceFeatures]

    public init(
        threshold: Float?, rule: MatchingRule = .distance, entries: [WatchlistEntry], cohort: [FaceFeatures] = []
    ) {
        self.threshold = threshold
        self.rule = rule
        self.entries = entries
        self.cohort = cohort
    }

    private struct FileBody: Codable {
        var format: String
        var embedding_model: String
        var threshold: Float?
        var entries: [FileEntry]
        var cohort: [CohortFace]?
    }

    private struct FileEntry: Codable {
        var subject: String
        var templates: [[Float]]
        var facenet_templates: [[Float]]?
    }

    private struct CohortFace: Codable {
        var dlib: [Float]
        var facenet: [Float]
    }

    /// Reads and checks a watchlist file; errors name the file and what is wrong.
    public static func load(path: String) throws -> TemplateWatchlist {
        func fail(_ why: String) -> WatchlistFileError { WatchlistFileError(path: path, reason: why) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot be read: check the path, or create it with `edge-node enrol`")
        }
        let body: FileBody
        do { body = try JSONDecoder().decode(FileBody.self, from: data) } catch {
            throw fail(
                "is not a Watchpost watchlist (expected JSON with format \(format)): \(error.localizedDescription)")
        }
        guard body.format == format else { throw fail("has format \"\(body.format)\"; this version reads \(format)") }
        let rule: MatchingRule
        switch body.embedding_model {
        case MatchingRule.distance.embeddingModel: rule = .distance
        case MatchingRule.recommended.embeddingModel: rule = .recommended
        default:
            throw fail(
                "was made with embedding model \(body.embedding_model), which this version does not run: enrol again")
        }
        let fused = rule != .distance
        if let t = body.threshold, !(t > 0 && t < 2) { throw fail("has threshold \(t); it must be between 0 and 2") }
        guard !body.entries.isEmpty else { throw fail("has no entries") }
        var seen = Set<String>()
        var entries: [WatchlistEntry] = []
        for (i, e) in body.entries.enumerated() {
            guard !e.subject.isEmpty else { throw fail("entry \(i) has an empty subject id") }
            guard seen.insert(e.subject).inserted else { throw fail("subject \(e.subject) appears twice") }
            guard !e.templates.isEmpty else { throw fail("subject \(e.subject) has no templates") }
            for t in e.templates where t.count != Embedding.dimension || !t.allSatisfy(\.isFinite) {
                throw fail("subject \(e.subject) has a template that is not \(Embedding.dimension) finite numbers")
            }
            let second = e.facenet_templates ?? []
            guard second.count == (fused ? e.templates.count : 0) else {
                throw fail(
                    "subject \(e.subject) has \(second.count) FaceNet templates for \(e.templates.count) dlib templates under \(body.embedding_model)"
                )
            }
            for t in second where t.count != FaceNetEmbedding.dimension || !t.allSatisfy(\.isFinite) {
                throw fail(
                    "subject \(e.subject) has a FaceNet template that is not \(FaceNetEmbedding.dimension) finite numbers"
                )
            }
            entries.append(
                WatchlistEntry(
                    subject: e.subject, templates: e.templates.map(Embedding.init),
                    faceNetTemplates: second.map(FaceNetEmbedding.init)))
        }
        let cohortFaces = body.cohort ?? []
        guard fused || cohortFaces.isEmpty else { throw fail("has a cohort, which only the fused rule uses") }
        var cohort: [FaceFeatures] = []
        for (i, c) in cohortFaces.enumerated() {
            guard c.dlib.count == Embedding.dimension, c.facenet.count == FaceNetEmbedding.dimension,
                c.dlib.allSatisfy(\.isFinite), c.facenet.allSatisfy(\.isFinite)
            else {
                throw fail(
                    "cohort face \(i) does not have \(Embedding.dimension) + \(FaceNetEmbedding.dimension) finite numbers"
                )
            }
            cohort.append(FaceFeatures(dlib: Embedding(c.dlib), faceNet: FaceNetEmbedding(c.facenet)))
        }
        return TemplateWatchlist(threshold: body.threshold, rule: rule, entries: entries, cohort: cohort)
    }

    /// Writes the file readable by its owner only.
    public func save(path: String) throws {
        let body = FileBody(
            format: Self.format, embedding_model: rule.embeddingModel, threshold: threshold,
            entries: entries.map {
                FileEntry(
                    subject: $0.subject, templates: $0.templates.map(\.values),
                    facenet_templates: $0.faceNetTemplates.isEmpty ? nil : $0.faceNetTemplates.map(\.values))
            },
            cohort: cohort.isEmpty
                ? nil : cohort.map { CohortFace(dlib: $0.dlib.values, facenet: $0.faceNet?.values ?? []) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(body)
        do { try PrivateFile.write(Array(data), to: path, mode: .replaceAtomically) } catch let error
            as PrivateFileError
        {
            throw WatchlistFileError(path: path, reason: error.reason)
        }
    }
}

/// A watchlist file that cannot be used, with the file and the reason.
public struct WatchlistFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public var description: String { "watchlist \(path) \(reason)" }
}
