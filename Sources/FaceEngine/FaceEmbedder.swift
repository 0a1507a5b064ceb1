import CFaceEngine
import FaceTemplates

/// dlib 5-point alignment to a 150x150 chip, then the ResNet descriptor.
/// Not thread-safe: one owner calls it at a time.
public final class FaceEmbedder {
    private let handle: OpaquePointer

    public init(shapePredictorPath: String, resnetPath: String) throws {
        // FaceTemplates fixes the dimension without linking the engine; the two must agree.
        precondition(
            Int(WP_EMBEDDING_DIM) == Embedding.dimension, "CFaceEngine and FaceTemplates disagree on the dlib dimension"
        )
        handle = try callEngine { wp_embedder_create(shapePredictorPath, resnetPath, $0) }
    }

    deinit { wp_embedder_free(handle) }

    /// One embedding per detection, computed in a single batch. `flipAveraged` makes each the mean
    /// of the face's and its mirror image's descriptors: a steadier template, at twice the cost.
    public func embed(_ detections: [Detection], in image: Image, flipAveraged: Bool = false) throws -> [Embedding] {
        guard !detections.isEmpty else { return [] }
        let faces = detections.map(\.cFace)
        var out = [Float](repeating: 0, count: faces.count * Embedding.dimension)
        _ = try out.withUnsafeMutableBufferPointer { buffer in
            try callEngine { error -> Int32? in
                let n = wp_embedder_embed(
                    handle, image.handle, faces, Int32(faces.count), flipAveraged ? 1 : 0, buffer.baseAddress, error)
                return n >= 0 ? n : nil
            }
        }
        // The engine's output buffer carries every face's numbers: copied into erasing storage, then erased.
        defer { ErasingVector.erase(&out) }
        let d = Embedding.dimension
        return (0..<faces.count).map { f in Embedding { e in for i in 0..<d { e[i] = out[f * d + i] } } }
    }

    /// Each face aligned by its dlib landmarks into a square chip of `size` pixels with `padding`
    /// (a fraction of the face's width) around it, as BGR bytes; for a second embedding model.
    public func chips(_ detections: [Detection], in image: Image, size: Int, padding: Float) throws -> [FaceChip] {
        guard !detections.isEmpty else { return [] }
        let faces = detections.map(\.cFace)
        let bytesPerChip = size * size * 3
        var out = [UInt8](repeating: 0, count: faces.count * bytesPerChip)
        _ = try out.withUnsafeMutableBufferPointer { buffer in
            try callEngine { error -> Int32? in
                let n = wp_embedder_chips(
                    handle, image.handle, faces, Int32(faces.count), Int32(size), padding, buffer.baseAddress, error)
                return n >= 0 ? n : nil
            }
        }
        defer { ErasingVector.erase(&out) }
        return (0..<faces.count).map {
            FaceChip(size: size, bgr: Array(out[$0 * bytesPerChip..<($0 + 1) * bytesPerChip]))
        }
    }

    /// The dlib 5-point landmarks only (measured separately by the benchmarks).
    public func landmarks(_ detections: [Detection], in image: Image) throws -> [[Point]] {
        let faces = detections.map(\.cFace)
        var out = [Float](repeating: 0, count: faces.count * 10)
        _ = try out.withUnsafeMutableBufferPointer { buffer in
            try callEngine { error -> Int32? in
                let n = wp_embedder_landmarks(
                    handle, image.handle, faces, Int32(faces.count), buffer.baseAddress, error)
                return n >= 0 ? n : nil
            }
        }
        return (0..<faces.count).map { i in (0..<5).map { Point(x: out[i * 10 + 2 * $0], y: out[i * 10 + 2 * $0 + 1]) }
        }
    }
}
