/// A 128-D face embedding from the dlib ResNet model. Distances are Euclidean (L2).
/// Its values live in an `ErasingVector`: erased when the last copy goes away, or on `wipe()`.
public struct Embedding: Sendable, Equatable {
    public static let dimension = 128
    public let storage: ErasingVector

    /// An embedding from plain values (templates read from a file or bundle, tests).
    public init(_ values: [Float]) {
        precondition(values.count == Embedding.dimension, "an embedding has \(Embedding.dimension) values")
        storage = ErasingVector(values)
    }

    /// An embedding whose values are written in place by `initialise`: no intermediate copy.
    public init(initialise: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        storage = try ErasingVector(count: Embedding.dimension, initialise: initialise)
    }

    /// A copy of the values, for writing a template to a file or bundle.
    /// - warning: The copy is not erased: never use it for a probe (a face seen by a camera).
    public var values: [Float] { storage.withUnsafeBufferPointer(Array.init) }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    public func distance(to other: Embedding) -> Float { VectorMath.distance(storage, other.storage) }

    /// The mean of several embeddings (for flip-averaging or several views of one face).
    public static func mean(_ embeddings: [Embedding]) -> Embedding {
        Embedding { VectorMath.mean(embeddings.map(\.storage), into: $0) }
    }

    /// Overwrites the values, in every copy, with zeros; used when a track ends.
    public func wipe() { storage.erase() }

    public static func == (a: Embedding, b: Embedding) -> Bool { VectorMath.equal(a.storage, b.storage) }
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
