/// A 512-D, unit-length FaceNet embedding; compared by L2 distance (0 to 2).
public struct FaceNetEmbedding: EmbeddingVector {
    public static let dimension = 512
    public let storage: ErasingVector

    public init(storage: ErasingVector) {
        precondition(storage.count == Self.dimension, "a FaceNet embedding has \(Self.dimension) values")
        self.storage = storage
    }

    /// The normalised mean of several embeddings of one face (a track's frames).
    public static func mean(_ embeddings: [FaceNetEmbedding]) -> FaceNetEmbedding {
        FaceNetEmbedding { out in
            VectorMath.mean(embeddings.map(\.storage), into: out)
            let norm = out.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { for i in out.indices { out[i] /= norm } }
        }
    }
}
