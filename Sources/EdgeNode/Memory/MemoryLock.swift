import Foundation

/// Keeps face data out of swap: frames, track embeddings and the watchlist's templates live in
/// this process's heap, and a page written to swap would put them on disk (promise 1).
///
/// `edge-node serve` locks every page of the process as it is first touched
/// (`mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)`: on-fault, so reserved but unused address
/// space is not made resident). When locking fails, the node runs only if no swap is active; with
/// swap on and no lock it refuses to start and says what to change.
enum MemoryLock {
    /// What the node does about swap, decided from what the machine allows.
    enum Decision: Equatable {
        /// Memory is locked: no page of face data can be swapped out.
        case locked
        /// Locking failed but no swap is active; the reason is logged as a warning.
        case unlockedWithoutSwap(String)
        /// Swap is on and memory could not be locked: the node must not run.
        case refuse(String)
    }

    /// The pure decision (tested without touching the machine).
    static func decide(lockError: Int32?, activeSwap: [String]) -> Decision {
        guard let lockError else { return .locked }
        let why = "mlockall failed (\(String(cString: strerror(lockError))))"
        guard activeSwap.isEmpty else {
            return .refuse(
                "swap is on (\(activeSwap.joined(separator: ", "))) and memory cannot be locked: \(why). "
                    + "Face data could be written to disk. Set LimitMEMLOCK=infinity in the unit (see systemd/watchpost-edge.service), "
                    + "or turn swap off with swapoff -a and remove it from /etc/fstab")
        }
        return .unlockedWithoutSwap(
            "\(why); no swap is active, so face data stays in RAM, but a swap enabled later would not be covered: "
                + "set LimitMEMLOCK=infinity in the unit")
    }

    /// Locks this process's memory and decides.
    static func apply() -> Decision {
        // MCL_ONFAULT (4) is Linux 4.4+; Glibc's Swift overlay does not name it.
        let onFault: Int32 = 4
        let result = mlockall(Int32(MCL_CURRENT) | Int32(MCL_FUTURE) | onFault)
        return decide(lockError: result == 0 ? nil : errno, activeSwap: activeSwap())
    }

    /// Active swap areas from /proc/swaps (every line after the header).
    static func activeSwap(procSwaps: String? = try? String(contentsOfFile: "/proc/swaps", encoding: .utf8)) -> [String]
    {
        guard let text = procSwaps else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
    }
}
