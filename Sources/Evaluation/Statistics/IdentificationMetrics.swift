import Shared

/// The outcome of one mated search (the probe's identity is on the watchlist).
public struct MatedSearch: Sendable, Equatable {
    /// Distance to the nearest watchlist entry, nil when no face was found in the probe.
    public var distance: Float?
    /// Whether that nearest entry is the probe's own identity.
    public var nearestIsMate: Bool

    public init(distance: Float?, nearestIsMate: Bool) {
        self.distance = distance
        self.nearestIsMate = nearestIsMate
    }
}

/// TPIR and FPIR at one threshold, with their counts and 95% Clopper-Pearson intervals.
public struct RatePoint: Sendable, Equatable, Codable {
    public var threshold: Float
    public var tpir: Double
    public var fpir: Double
    public var truePositives: Int
    public var falsePositives: Int
    public var tpirInterval: [Double]
    public var fpirInterval: [Double]

    enum CodingKeys: String, CodingKey {
        case threshold, tpir, fpir, truePositives = "true_positives", falsePositives = "false_positives"
        case tpirInterval = "tpir_ci95", fpirInterval = "fpir_ci95"
    }
}

/// The threshold that keeps FPIR at or below a target, and the TPIR it gives.
public struct OperatingPoint: Sendable, Equatable, Codable {
    public var fpir: Double
    public var threshold: Float
    public var tpir: Double
    public var measuredFPIR: Double
    /// 95% Clopper-Pearson interval of the TPIR.
    public var tpirInterval: [Double]

    enum CodingKeys: String, CodingKey {
        case fpir, threshold, tpir, measuredFPIR = "measured_fpir", tpirInterval = "tpir_ci95"
    }
}

/// Open-set identification rates (ISO/IEC 19795-1 terms, as in NIST FRVT 1:N).
///
/// - A mated search is a true positive at threshold t when its nearest entry is its mate and
///   lies within t. A probe with no detected face counts as a miss (FNIR includes failures to detect).
/// - A non-mated search is a false positive when any entry lies within t. Probes with no detected
///   face are left out of the FPIR denominator, which can only make FPIR look worse, not better.
public struct IdentificationMetrics: Sendable {
    public let mated: [MatedSearch]
    /// Nearest distances of the non-mated searches whose probe had a face, sorted ascending.
    public let nonMated: [Float]

    public init(mated: [MatedSearch], nonMatedDistances: [Float?]) {
        self.mated = mated
        self.nonMated = nonMatedDistances.compactMap { $0 }.sorted()
    }

    public func truePositives(at t: Float) -> Int {
        mated.reduce(0) { $0 + ($1.nearestIsMate && ($1.distance ?? .infinity) <= t ? 1 : 0) }
    }

    public func falsePositives(at t: Float) -> Int {
        // Sorted: count of distances <= t.
        var lo = 0, hi = nonMated.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if nonMated[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    public func rates(at t: Float) -> RatePoint {
        let tp = truePositives(at: t), fp = falsePositives(at: t)
        return RatePoint(
            threshold: t, tpir: ratio(tp, mated.count), fpir: ratio(fp, nonMated.count),
            truePositives: tp, falsePositives: fp,
            tpirInterval: ClopperPearson.interval(successes: tp, trials: mated.count),
            fpirInterval: ClopperPearson.interval(successes: fp, trials: nonMated.count))
    }

    /// The largest threshold whose FPIR does not exceed `target`: just below the
    /// (⌊target·n⌋+1)-th smallest non-mated distance.
    public func operatingPoint(fpir target: Double) -> OperatingPoint? {
        guard !nonMated.isEmpty else { return nil }
        let allowed = Int((target * Double(nonMated.count)).rounded(.down))
        let threshold: Float = allowed < nonMated.count ? nonMated[allowed].nextDown : nonMated[nonMated.count - 1]
        let tp = truePositives(at: threshold)
        return OperatingPoint(
            fpir: target, threshold: threshold, tpir: ratio(tp, mated.count),
            measuredFPIR: ratio(falsePositives(at: threshold), nonMated.count),
            tpirInterval: ClopperPearson.interval(successes: tp, trials: mated.count))
    }

    /// Detection error trade-off: (threshold, FPIR, FNIR) at every distinct non-mated distance.
    public func detPoints() -> [(threshold: Float, fpir: Double, fnir: Double)] {
        var points: [(Float, Double, Double)] = []
        var last: Float = -1
        for d in nonMated where d != last {
            last = d
            let r = rates(at: d)
            points.append((d, r.fpir, 1 - r.tpir))
        }
        return points
    }

    private func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 0 }
}
