import FaceEngine
import Shared

/// Accuracy as a function of watchlist size. False alerts grow with the list (each entry is one
/// more chance to match a stranger), so one threshold cannot suit a 10-person and a 1,000-person
/// list alike. Random sub-lists are drawn with a fixed seed (same inputs, same figures); probes of
/// identities left off a list become non-mated searches.
struct ListSizeStudy {
    let gallery: [WatchlistEntry]
    /// Probes of identities that have an enrolment image (mated when their identity is on the list).
    let probes: [(identity: String, embedding: Embedding?)]
    /// Probes of identities that are never enrolled.
    let strangers: [Embedding?]

    /// Searches against one list.
    func metrics(for list: [WatchlistEntry]) -> IdentificationMetrics {
        let matcher = Matcher(entries: list)
        let names = Set(list.map(\.subject))
        var mated: [MatedSearch] = []
        var nonMated: [Float?] = strangers.map { e in e.flatMap { matcher.nearest(to: $0)?.distance } }
        for probe in probes {
            let nearest = probe.embedding.flatMap { matcher.nearest(to: $0) }
            if names.contains(probe.identity) {
                mated.append(MatedSearch(distance: nearest?.distance, nearestIsMate: nearest?.subject == probe.identity))
            } else {
                nonMated.append(nearest?.distance)
            }
        }
        return IdentificationMetrics(mated: mated, nonMatedDistances: nonMated)
    }

    /// Searches pooled over random lists of `size` entries (the whole gallery when it is not larger).
    func metrics(size: Int) -> (metrics: IdentificationMetrics, draws: Int) {
        guard size < gallery.count else { return (metrics(for: gallery), 1) }
        let draws = min(100, max(2, 2000 / size))
        var generator = SplitMix64(seed: 0x5EED + UInt64(size))
        var mated: [MatedSearch] = [], nonMated: [Float?] = []
        for _ in 0..<draws {
            var shuffled = gallery
            shuffled.shuffle(using: &generator)
            let m = metrics(for: Array(shuffled.prefix(size)))
            mated += m.mated
            nonMated += m.nonMated.map { Optional($0) }
        }
        return (IdentificationMetrics(mated: mated, nonMatedDistances: nonMated), draws)
    }
}

/// A small deterministic generator (Steele, Lea and Flood's SplitMix64) so that evaluations repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
