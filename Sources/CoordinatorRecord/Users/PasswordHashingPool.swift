import Dispatch
import HummingbirdBcrypt
import Synchronization

/// Runs bcrypt (~0.4 s a check at cost 12) on a few serial queues of its own, never on the web
/// server's event loops or Swift's cooperative pool, so that a flood of sign-ins cannot stall
/// other requests. At most `workers` checks run and `queueLimit` wait; one more is refused at once
/// with `PasswordHashingPool.Busy` (the web answers 429) rather than queued without bound.
public final class PasswordHashingPool: Sendable {
    /// The queue is full: the caller should answer "too many sign-ins, try again shortly".
    public struct Busy: Error, CustomStringConvertible {
        public var description: String { "too many sign-ins are being checked: try again in a few seconds" }
    }

    public let workers: Int
    public let queueLimit: Int
    private let queues: [DispatchQueue]
    /// Checks admitted (running or waiting) per queue.
    private let admitted: Mutex<[Int]>
    private let started = Atomic<Int>(0)

    public init(workers: Int = 1, queueLimit: Int = 4) {
        precondition(workers >= 1 && queueLimit >= 0, "a pool needs a worker and a queue limit of zero or more")
        self.workers = workers
        self.queueLimit = queueLimit
        queues = (0..<workers).map { DispatchQueue(label: "watchpost.bcrypt.\($0)", qos: .utility) }
        admitted = Mutex(Array(repeating: 0, count: workers))
    }

    /// Whether `password` matches the bcrypt `hash`, checked on the pool.
    public func verify(_ password: String, hash: String) async throws(Busy) -> Bool {
        try await run { Bcrypt.verify(password, hash: hash) }
    }

    /// A bcrypt hash made on the pool (for the decoy hash at the configured cost).
    public func hash(_ password: String, cost: UInt8) async throws(Busy) -> String {
        try await run { Bcrypt.hash(password, cost: cost) }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws(Busy) -> T {
        let queue = try admit()
        defer { release(queue) }
        return await withCheckedContinuation { continuation in
            queues[queue].async { [self] in
                started.add(1, ordering: .relaxed)
                continuation.resume(returning: work())
            }
        }
    }

    /// Hashes and checks begun since the pool was made (a locked account's refusal adds none).
    public var hashesStarted: Int { started.load(ordering: .relaxed) }

    /// Whether a check would be refused now: sign-ins that need none are refused too then, so that
    /// a 429 tells nothing about whether a name exists.
    public var isFull: Bool { inFlight >= workers + queueLimit }

    /// Checks admitted now, running or waiting.
    public var inFlight: Int { admitted.withLock { $0.reduce(0, +) } }

    /// The least loaded queue, counted as admitted; throws when every place is taken.
    private func admit() throws(Busy) -> Int {
        let chosen: Int? = admitted.withLock { counts in
            guard counts.reduce(0, +) < workers + queueLimit,
                let least = counts.indices.min(by: { counts[$0] < counts[$1] })
            else { return nil }
            counts[least] += 1
            return least
        }
        guard let chosen else { throw Busy() }
        return chosen
    }

    private func release(_ queue: Int) {
        admitted.withLock { $0[queue] -= 1 }
    }
}
