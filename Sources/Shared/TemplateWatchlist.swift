import FaceEngine
import Foundation

/// A plain (unsigned) watchlist file of opaque subject ids and their templates, as written by
/// `edge-node enrol`. Holds no names and no photos. Written with 0600 permissions: templates are biometric data.
public struct TemplateWatchlist: Sendable, Equatable {
    public static let format = "watchpost-templates/1"
    public static let embeddingModel = "dlib_face_recognition_resnet_model_v1"

    public var threshold: Float?
    public var entries: [WatchlistEntry]

    public init(threshold: Float?, entries: [WatchlistEntry]) {
        self.threshold = threshold; self.entries = entries
    }

    private struct FileBody: Codable {
        var format: String
        var embedding_model: String
        var threshold: Float?
        var entries: [FileEntry]
    }

    private struct FileEntry: Codable {
        var subject: String
        var templates: [[Float]]
    }

    /// Reads and checks a watchlist file; errors name the file and what is wrong.
    public static func load(path: String) throws -> TemplateWatchlist {
        func fail(_ why: String) -> WatchlistFileError { WatchlistFileError(path: path, reason: why) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot be read: check the path, or create it with `edge-node enrol`")
        }
        let body: FileBody
        do { body = try JSONDecoder().decode(FileBody.self, from: data) } catch {
            throw fail("is not a Watchpost watchlist (expected JSON with format \(format)): \(error.localizedDescription)")
        }
        guard body.format == format else { throw fail("has format \"\(body.format)\"; this version reads \(format)") }
        guard body.embedding_model == embeddingModel else {
            throw fail("was made with embedding model \(body.embedding_model); this node runs \(embeddingModel): enrol again")
        }
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
            entries.append(WatchlistEntry(subject: e.subject, templates: e.templates.map(Embedding.init)))
        }
        return TemplateWatchlist(threshold: body.threshold, entries: entries)
    }

    /// Writes the file readable by its owner only.
    public func save(path: String) throws {
        let body = FileBody(format: Self.format, embedding_model: Self.embeddingModel, threshold: threshold,
                            entries: entries.map { FileEntry(subject: $0.subject, templates: $0.templates.map(\.values)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(body)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw WatchlistFileError(path: path, reason: "cannot be written: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw WatchlistFileError(path: path, reason: "could not be written in full") }
    }
}

/// A watchlist file that cannot be used, with the file and the reason.
public struct WatchlistFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public var description: String { "watchlist \(path) \(reason)" }
}
