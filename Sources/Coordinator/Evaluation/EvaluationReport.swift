import Shared

/// What `coordinator evaluate --json` writes.
struct EvaluationReport: Codable {
    struct DetectionFailures: Codable {
        var enrolment: Int
        var mated: Int
        var nonMated: Int
        var total: Int
        var rate: Double

        enum CodingKeys: String, CodingKey { case enrolment, mated, nonMated = "non_mated", total, rate }
    }

    /// Figures for random watchlists of one size.
    struct ListSize: Codable {
        var size: Int
        var draws: Int
        var mated: Int
        var nonMated: Int
        var operatingPoints: [OperatingPoint]
        /// Rates at the fixed threshold, or at the recommended one.
        var atThreshold: RatePoint?
        /// Rates on a grid of thresholds, so that watchlist tooling can tell what a chosen threshold means.
        var ratesByThreshold: [RatePoint]

        enum CodingKeys: String, CodingKey {
            case size, draws, mated, nonMated = "non_mated", operatingPoints = "operating_points", atThreshold = "at_threshold"
            case ratesByThreshold = "rates_by_threshold"
        }

        /// The grid: 0.30 to 1.00 in steps of 0.01 (plain distances and fused scores alike).
        static let grid: [Float] = (30...100).map { Float($0) / 100 }
    }

    var dataset: String
    /// `fused` or `dlib` (`--scoring`), and the fused rule's cohort.
    var scoring: String
    var cohort: String?
    /// Faces in the smaller cohort fold (two-fold only): the cohort size the figures assume.
    var cohortFaces: Int?
    var identitiesEnrolled: Int
    var mated: Int
    var nonMated: Int
    var detectionFailures: DetectionFailures
    var operatingPoints: [OperatingPoint]
    var thresholds: [RatePoint]
    var fixedThreshold: RatePoint?
    var recommendedThreshold: Float?
    var recommendedFor: Int
    var listSizes: [ListSize]
    /// False matches per entry of the whole list, at the fixed or recommended threshold.
    var falseMatchSpread: FalseMatchSpread?
    /// The same at the whole list's FPIR 1e-2 threshold, so that rules with different score scales compare at equal FPIR.
    var spreadAtFPIR: FalseMatchSpread?
    /// Rates per group of identities (`--groups`).
    var groups: GroupComparison?

    enum CodingKeys: String, CodingKey {
        case dataset, scoring, cohort, cohortFaces = "cohort_faces", identitiesEnrolled = "identities_enrolled", mated, nonMated = "non_mated"
        case detectionFailures = "detection_failures", operatingPoints = "operating_points", thresholds
        case fixedThreshold = "fixed_threshold", recommendedThreshold = "recommended_threshold"
        case recommendedFor = "recommended_for_list_size", listSizes = "list_sizes"
        case falseMatchSpread = "false_match_spread", spreadAtFPIR = "false_match_spread_at_fpir_1e-2", groups
    }
}
