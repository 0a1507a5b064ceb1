/// A 128-D face embedding from the dlib ResNet model. Distances are Euclidean (L2).
public struct Embedding: Sendable, Equatable {
    public static let dimension = 128
    public var values: [Float]

    public init(_ values: [Float]) {
        precondition(values.count == Embedding.dimension, "an embedding has \(Embedding.dimension) values")
        self.values = values
    }

    public func distance(to other: Embedding) -> Float { VectorMath.distance(values, other.values) }

    /// The mean of several embeddings (for flip-averaging or several views of one face).
    public static func mean(_ embeddings: [Embedding]) -> Embedding {
        Embedding(VectorMath.mean(embeddings.map(\.values), dimension: dimension))
    }

    /// Overwrites the values with zeros; used when a track ends without a match.
    public mutating func wipe() { VectorMath.zero(&values) }
}

/// The arithmetic both embedding types share (small vectors; the matcher uses BLAS for many).
public enum VectorMath {
    public static func distance(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for i in 0..<a.count {
            let d = a[i] - b[i]
            sum += d * d
        }
        return sum.squareRoot()
    }

    public static func mean(_ vectors: [[Float]], dimension: Int) -> [Float] {
        var sum = [Float](repeating: 0, count: dimension)
        for v in vectors { for i in 0..<dimension { sum[i] += v[i] } }
        return sum.map { $0 / Float(max(vectors.count, 1)) }
    }

    public static func zero(_ values: inout [Float]) {
        for i in values.indices { values[i] = 0 }
    }
}
