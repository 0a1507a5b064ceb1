import Foundation

/// The one owner of a face's numbers: a fixed-length vector of floats that is overwritten with
/// zeros when the last reference to it goes away (and on `erase()`), before its memory is freed.
/// Embeddings keep their values here, so that no copy of a face's embedding is left in freed heap
/// memory for a later reader of the process's memory to find (promise 1).
///
/// Copies of an `Embedding` share one `ErasingVector`: erasing it erases every copy. Reading
/// through `withUnsafeBufferPointer` makes no copy.
/// - warning: Immutable but for `erase()`; erasing while another thread reads is a race the
///   caller must avoid (the pipeline has one owner per track).
public final class ErasingVector: @unchecked Sendable {
    public let count: Int
    private let base: UnsafeMutablePointer<Float>

    /// A vector whose values `initialise` writes (every element starts at zero).
    public init(count: Int, initialise: (UnsafeMutableBufferPointer<Float>) throws -> Void = { _ in }) rethrows {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: 0, count: count)
        do { try initialise(UnsafeMutableBufferPointer(start: base, count: count)) } catch {
            erase()
            base.deallocate()
            throw error
        }
    }

    /// A copy of `values` (the caller still owns, and should erase, its own array).
    public convenience init(_ values: some Collection<Float>) {
        self.init(count: values.count) { buffer in _ = buffer.initialize(from: values) }
    }

    deinit {
        erase()
        base.deallocate()
    }

    /// Reads the values in place.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Overwrites every value with zero, in a way the optimiser may not drop (`explicit_bzero`).
    public func erase() { explicit_bzero(base, count * MemoryLayout<Float>.stride) }

    /// Overwrites an array's elements with zeros in place: for the temporary buffers that carry
    /// face data between the engine and an `ErasingVector`.
    public static func erase<T>(_ array: inout [T]) where T: BitwiseCopyable {
        array.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } }
    }
}
