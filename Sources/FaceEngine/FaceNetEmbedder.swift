import CFaceEngine
import FaceTemplates

/// A square, aligned face crop (BGR bytes, row by row). Biometric data: wipe it when done.
public struct FaceChip: Sendable {
    public let size: Int
    public var bgr: [UInt8]

    public mutating func wipe() { ErasingVector.erase(&bgr) }
}

/// The second, independently trained embedding model (FaceNet 20180408-102900 through OpenCV DNN).
/// It sees dlib-aligned chips, so both models look at the same face. Not thread-safe.
public final class FaceNetEmbedder {
    /// Chip geometry fed to FaceNet: 160 px with this padding frames the face as FaceNet's
    /// MTCNN crops (face plus a margin) did in training.
    public static let chipSize = Int(WP_FACENET_SIZE)
    public static let chipPadding: Float = 0.4

    private let handle: OpaquePointer

    public init(modelPath: String) throws {
        precondition(
            Int(WP_FACENET_DIM) == FaceNetEmbedding.dimension,
            "CFaceEngine and FaceTemplates disagree on the FaceNet dimension")
        handle = try callEngine { wp_facenet_create(modelPath, $0) }
    }

    deinit { wp_facenet_free(handle) }

    /// One embedding per chip (each `chipSize` square), in one batch.
    public func embed(_ chips: [FaceChip], flipAveraged: Bool = false) throws -> [FaceNetEmbedding] {
        guard !chips.isEmpty else { return [] }
        for chip in chips where chip.size != Self.chipSize {
            throw FaceEngineError(.invalidArgument, "FaceNet needs \(Self.chipSize)-pixel chips, got \(chip.size)")
        }
        let dim = FaceNetEmbedding.dimension
        var input = chips.flatMap(\.bgr)
        defer { ErasingVector.erase(&input) }
        var out = [Float](repeating: 0, count: chips.count * dim)
        _ = try out.withUnsafeMutableBufferPointer { buffer in
            try callEngine { error -> Int32? in
                let n = wp_facenet_embed(
                    handle, input, Int32(chips.count), flipAveraged ? 1 : 0, buffer.baseAddress, error)
                return n >= 0 ? n : nil
            }
        }
        defer { ErasingVector.erase(&out) }
        return (0..<chips.count).map { c in FaceNetEmbedding { e in for i in 0..<dim { e[i] = out[c * dim + i] } } }
    }
}
