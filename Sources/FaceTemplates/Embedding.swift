/// A 128-D face embedding from the dlib ResNet model. Distances are Euclidean (L2).
public struct Embedding: EmbeddingVector {
    public static let dimension = 128
    public let storage: ErasingVector

    public init(storage: ErasingVector) {
        precondition(storage.count == Self.dimension, "an embedding has \(Self.dimension) values")
        self.storage = storage
    }

    /// The mean of several embeddings (for flip-averaging or several views of one face).
    public static func mean(_ embeddings: [Embedding]) -> Embedding {
        Embedding { VectorMath.mean(embeddings.map(\.storage), into: $0) }
    }
}

/// The arithmetic both embedding types share, in place over `ErasingVector`s (no copies of face data).
public enum VectorMath {
    public static func distance(_ a: ErasingVector, _ b: ErasingVector) -> Float {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var sum: Float = 0
                for i in 0..<min(a.count, b.count) {
                    let d = a[i] - b[i]
                    sum += d * d
                }
                return sum.squareRoot()
            }
        }
    }

    /// Writes the element-wise mean of `vectors` into `out`.
    public static func mean(_ vectors: [ErasingVector], into out: UnsafeMutableBufferPointer<Float>) {
        for v in vectors { v.withUnsafeBufferPointer { for i in 0..<out.count { out[i] += $0[i] } } }
        let n = Float(max(vectors.count, 1))
        for i in 0..<out.count { out[i] /= n }
    }

    public static func equal(_ a: ErasingVector, _ b: ErasingVector) -> Bool {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }
}
