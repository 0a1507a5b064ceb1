import FaceEngine
import FaceTemplates
import Foundation
import Shared

/// What evaluation keeps of one dataset image: its dlib embedding as the edge computes it live,
/// and the flip-averaged dlib and FaceNet embeddings that templates and the fused rule use.
struct ImageFeatures: Codable {
    var dlib: [Float]
    var dlibFlipAveraged: [Float]
    var faceNetFlipAveraged: [Float]

    enum CodingKeys: String, CodingKey { case dlib = "d", dlibFlipAveraged = "df", faceNetFlipAveraged = "ff" }

    var plain: FaceFeatures { FaceFeatures(dlib: Embedding(dlib)) }
    var flipAveraged: FaceFeatures {
        FaceFeatures(dlib: Embedding(dlibFlipAveraged), faceNet: FaceNetEmbedding(faceNetFlipAveraged))
    }
}

/// Features of dataset images kept between evaluation runs, keyed by image path; a missing face is
/// stored too (as null). Written 0600 like every file of biometric data.
struct FeatureCache {
    private static let format =
        "watchpost-feature-cache/2 "
        + [ModelStore.Model.centerFace, .resnet, .faceNet]
        .map { String($0.sha256.prefix(16)) }.joined(separator: " ")
    let path: String
    private var entries: [String: ImageFeatures?] = [:]

    private struct Body: Codable {
        var format: String
        var entries: [String: ImageFeatures?]
    }

    init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let body: Body
        do { body = try JSONDecoder().decode(Body.self, from: data) } catch {
            throw EvaluationRefusal(
                .featureCacheUnreadable, path,
                "features cache \(path) is not readable (\(error.localizedDescription)): delete it and run again")
        }
        // Made with other models or by another version: start afresh rather than mix features.
        if body.format == Self.format { entries = body.entries }
    }

    /// The cached result: nil when unknown, .some(nil) when no face was found.
    func lookup(_ image: String) -> ImageFeatures?? { entries[image] }

    mutating func store(_ features: ImageFeatures?, for image: String) { entries[image] = .some(features) }

    func save() throws {
        let data = try JSONEncoder().encode(Body(format: Self.format, entries: entries))
        do { try PrivateFile.write(Array(data), to: path, mode: .replaceAtomically) } catch {
            throw EvaluationRefusal(
                .featureCacheNotWritable, path, "cannot write the features cache \(error): check the folder is writable"
            )
        }
    }
}
