import FaceEngine
import Foundation

/// Embeddings of dataset images kept between evaluation runs, keyed by image path; a missing
/// face is stored too (as null). Written 0600 like every file of biometric data.
struct EmbeddingCache {
    private static let format = "watchpost-embedding-cache/1 " + ModelStore.Model.resnet.sha256.prefix(16) + " " + ModelStore.Model.centerFace.sha256.prefix(16)
    let path: String
    private var entries: [String: [Float]?] = [:]

    private struct Body: Codable {
        var format: String
        var entries: [String: [Float]?]
    }

    init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let body: Body
        do { body = try JSONDecoder().decode(Body.self, from: data) } catch {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey:
                "embeddings cache \(path) is not readable: delete it and run again"])
        }
        // Made with other models: start afresh rather than mix embeddings.
        if body.format == Self.format { entries = body.entries }
    }

    /// The cached result: nil when unknown, .some(nil) when no face was found.
    func lookup(_ image: String) -> Embedding?? {
        guard let hit = entries[image] else { return nil }
        return .some(hit.map(Embedding.init))
    }

    mutating func store(_ embedding: Embedding?, for image: String) { entries[image] = .some(embedding?.values) }

    func save() throws {
        let data = try JSONEncoder().encode(Body(format: Self.format, entries: entries))
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
