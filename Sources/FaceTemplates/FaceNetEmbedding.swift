/// A 512-D, unit-length FaceNet embedding; compared by L2 distance (0 to 2).
/// Its values live in an `ErasingVector`: erased when the last copy goes away, or on `wipe()`.
public struct FaceNetEmbedding: Sendable, Equatable {
    public static let dimension = 512
    public let storage: ErasingVector

    /// An embedding from plain values (templates read from a file or bundle, tests).
    public init(_ values: [Float]) {
        precondition(values.count == FaceNetEmbedding.dimension, "a FaceNet embedding has \(FaceNetEmbedding.dimension) values")
        storage = ErasingVector(values)
    }

    /// An embedding whose values are written in place by `initialise`: no intermediate copy.
    public init(initialise: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        storage = try ErasingVector(count: FaceNetEmbedding.dimension, initialise: initialise)
    }

    /// A copy of the values, for writing a template to a file or bundle.
    /// - warning: The copy is not erased: never use it for a probe (a face seen by a camera).
    public var values: [Float] { storage.withUnsafeBufferPointer(Array.init) }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    public func distance(to other: FaceNetEmbedding) -> Float { VectorMath.distance(storage, other.storage) }

    /// The embedding as a signed bundle carries it: every value rounded to the nearest 16-bit float.
    public var roundedToHalfPrecision: FaceNetEmbedding {
        FaceNetEmbedding { out in storage.withUnsafeBufferPointer { for i in $0.indices { out[i] = Float(Float16($0[i])) } } }
    }

    /// Overwrites the values, in every copy, with zeros.
    public func wipe() { storage.erase() }

    /// The normalised mean of several embeddings of one face (a track's frames).
    public static func mean(_ embeddings: [FaceNetEmbedding]) -> FaceNetEmbedding {
        FaceNetEmbedding { out in
            VectorMath.mean(embeddings.map(\.storage), into: out)
            let norm = out.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { for i in out.indices { out[i] /= norm } }
        }
    }

    public static func == (a: FaceNetEmbedding, b: FaceNetEmbedding) -> Bool { VectorMath.equal(a.storage, b.storage) }
}
