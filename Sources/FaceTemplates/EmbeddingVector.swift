/// What the two embedding types share: a fixed dimension and values in an `ErasingVector`,
/// erased when the last copy goes away or on `wipe()`.
public protocol EmbeddingVector: Sendable, Equatable {
    static var dimension: Int { get }
    var storage: ErasingVector { get }
    init(storage: ErasingVector)
}

extension EmbeddingVector {
    /// An embedding from plain values (templates read from a file or bundle, tests).
    public init(_ values: [Float]) {
        precondition(values.count == Self.dimension, "this embedding has \(Self.dimension) values")
        self.init(storage: ErasingVector(values))
    }

    /// An embedding whose values are written in place by `initialise`: no intermediate copy.
    public init(initialise: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        self.init(storage: try ErasingVector(count: Self.dimension, initialise: initialise))
    }

    /// A copy of the values, for writing a template to a file or bundle.
    /// - warning: The copy is not erased: never use it for a probe (a face seen by a camera).
    public var values: [Float] { storage.withUnsafeBufferPointer(Array.init) }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// The embedding as a signed bundle carries it: every value rounded to the nearest 16-bit float.
    public var roundedToHalfPrecision: Self {
        Self { out in storage.withUnsafeBufferPointer { for i in $0.indices { out[i] = Float(Float16($0[i])) } } }
    }

    /// L2 distance.
    public func distance(to other: Self) -> Float { VectorMath.distance(storage, other.storage) }

    /// Overwrites the values, in every copy, with zeros; used when a track ends.
    public func wipe() { storage.erase() }

    public static func == (a: Self, b: Self) -> Bool { VectorMath.equal(a.storage, b.storage) }
}
