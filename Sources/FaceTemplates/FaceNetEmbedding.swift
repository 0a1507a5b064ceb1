/// A 512-D, unit-length FaceNet embedding; compared by L2 distance (0 to 2).
public struct FaceNetEmbedding: Sendable, Equatable {
    public static let dimension = 512
    public var values: [Float]

    public init(_ values: [Float]) {
        precondition(values.count == FaceNetEmbedding.dimension, "a FaceNet embedding has \(FaceNetEmbedding.dimension) values")
        self.values = values
    }

    public func distance(to other: FaceNetEmbedding) -> Float { VectorMath.distance(values, other.values) }

    public mutating func wipe() { VectorMath.zero(&values) }

    /// The normalised mean of several embeddings of one face (a track's frames).
    public static func mean(_ embeddings: [FaceNetEmbedding]) -> FaceNetEmbedding {
        let sum = VectorMath.mean(embeddings.map(\.values), dimension: dimension)
        let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return FaceNetEmbedding(norm > 0 ? sum.map { $0 / norm } : sum)
    }
}
