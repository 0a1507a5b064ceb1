import FaceEngine
import FaceTemplates
import Shared

/// One search of the evaluation: the probe's identity, its features (nil: no face found) and which
/// cohort fold scores it.
struct Probe {
    var identity: String
    var features: FaceFeatures?
    var fold: Int
}

/// How the evaluation scores probes: the matching rule and where the fused rule's cohort comes from.
struct Scoring {
    var rule: MatchingRule
    /// Cohort faces by fold. A probe of fold f is scored against `cohortFolds[f]`, so no probe is
    /// ever normalised by a cohort that holds its own identity. Empty: the watchlist alone is the cohort.
    var cohortFolds: [[FaceFeatures]]

    func matchers(for list: [WatchlistEntry]) throws -> [Matcher] {
        guard case .fusedCohort = rule, !cohortFolds.isEmpty else {
            return [try Matcher(entries: list, rule: rule, cohort: [])]
        }
        return try cohortFolds.map { try Matcher(entries: list, rule: rule, cohort: $0) }
    }
}

/// Accuracy as a function of watchlist size. False alerts grow with the list (each entry is one
/// more chance to match a stranger), so one threshold cannot suit a 10-person and a 1,000-person
/// list alike. Random sub-lists are drawn with a fixed seed (same inputs, same figures); probes of
/// identities left off a list become non-mated searches.
struct ListSizeStudy {
    let gallery: [WatchlistEntry]
    /// Probes of identities that have an enrolment image (mated when their identity is on the list).
    let probes: [Probe]
    /// Probes of identities that are never enrolled.
    let strangers: [Probe]
    let scoring: Scoring

    /// A non-mated search: the probe's identity and its nearest entry (nil: no face in the probe).
    typealias NonMatedSearch = (identity: String, nearest: (subject: String, distance: Float)?)

    /// Searches against one list.
    func metrics(for list: [WatchlistEntry]) throws -> IdentificationMetrics {
        let (mated, nonMated) = try searches(for: list)
        return IdentificationMetrics(
            mated: mated.map(\.search), nonMatedDistances: nonMated.map { $0.nearest?.distance })
    }

    /// How the list's false matches at `threshold` spread over its entries.
    func falseMatchSpread(for list: [WatchlistEntry], threshold: Float) throws -> FalseMatchSpread {
        FalseMatchSpread.measure(
            nearest: try searches(for: list).nonMated.compactMap(\.nearest), subjects: list.map(\.subject),
            threshold: threshold)
    }

    /// Rates per group of probe identities against one list.
    func groupComparison(for list: [WatchlistEntry], labels: GroupLabels, threshold: Float) throws -> GroupComparison {
        let (mated, nonMated) = try searches(for: list)
        return GroupComparison.compare(
            mated: mated, nonMated: nonMated.map { ($0.identity, $0.nearest?.distance) },
            labels: labels, threshold: threshold)
    }

    private func searches(for list: [WatchlistEntry]) throws -> (
        mated: [(identity: String, search: MatedSearch)], nonMated: [NonMatedSearch]
    ) {
        let matchers = try scoring.matchers(for: list)
        let names = Set(list.map(\.subject))
        var mated: [(identity: String, search: MatedSearch)] = []
        var nonMated: [NonMatedSearch] = []
        for probe in probes + strangers {
            let nearest = probe.features.flatMap { matchers[probe.fold % matchers.count].nearest(to: $0) }
            if names.contains(probe.identity) {
                mated.append(
                    (
                        probe.identity,
                        MatedSearch(distance: nearest?.distance, nearestIsMate: nearest?.subject == probe.identity)
                    ))
            } else {
                nonMated.append((probe.identity, nearest.map { ($0.subject, $0.distance) }))
            }
        }
        return (mated, nonMated)
    }

    /// Searches pooled over random lists of `size` entries (the whole gallery when it is not larger).
    func metrics(size: Int) throws -> (metrics: IdentificationMetrics, draws: Int) {
        guard size < gallery.count else { return (try metrics(for: gallery), 1) }
        let draws = min(100, max(2, 2000 / size))
        var generator = SplitMix64(seed: 0x5EED + UInt64(size))
        var mated: [MatedSearch] = [], nonMated: [Float?] = []
        for _ in 0..<draws {
            var shuffled = gallery
            shuffled.shuffle(using: &generator)
            let m = try metrics(for: Array(shuffled.prefix(size)))
            mated += m.mated
            nonMated += m.nonMated.map { Optional($0) }
        }
        return (IdentificationMetrics(mated: mated, nonMatedDistances: nonMated), draws)
    }
}
