import Shared

/// What `coordinator evaluate --json` writes.
public struct EvaluationReport: Codable {
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
            case size, draws, mated, nonMated = "non_mated", operatingPoints = "operating_points", atThreshold =
                "at_threshold"
            case ratesByThreshold = "rates_by_threshold"
        }

        /// The grid: 0.30 to 1.00 in steps of 0.01 (plain distances and fused scores alike).
        static let grid: [Float] = (30...100).map { Float($0) / 100 }

        /// Rows for random lists of each size drawn from `study`'s gallery; `fixed` is the
        /// threshold whose rates each row states.
        static func rows(_ study: ListSizeStudy, sizes: [Int], fixed: Float?) throws -> [ListSize] {
            try sizes.map { size in
                let (m, draws) = try study.metrics(size: size)
                return ListSize(
                    size: min(size, study.gallery.count), draws: draws, mated: m.mated.count,
                    nonMated: m.nonMated.count,
                    operatingPoints: [1e-2, 1e-3].compactMap { m.operatingPoint(fpir: $0) },
                    atThreshold: fixed.map { m.rates(at: $0) },
                    ratesByThreshold: grid.map { m.rates(at: $0) })
            }
        }
    }

    /// One enrolment of `--enrolment-study` (identities with three or more photos), by list size:
    /// what a bundle enrolling several photos per subject takes its threshold from.
    struct EnrolmentRows: Codable {
        /// `EvaluationSearches.Enrolment.key`.
        var enrolment: String
        var identities: Int
        var listSizes: [ListSize]

        enum CodingKeys: String, CodingKey { case enrolment, identities, listSizes = "list_sizes" }
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
    /// `--enrolment-study`: the same list sizes for each way of enrolling several photos.
    var enrolmentStudy: [EnrolmentRows]? = nil

    enum CodingKeys: String, CodingKey {
        case dataset, scoring, cohort, cohortFaces = "cohort_faces", identitiesEnrolled = "identities_enrolled", mated,
            nonMated = "non_mated"
        case detectionFailures = "detection_failures", operatingPoints = "operating_points", thresholds
        case fixedThreshold = "fixed_threshold", recommendedThreshold = "recommended_threshold"
        case recommendedFor = "recommended_for_list_size", listSizes = "list_sizes"
        case falseMatchSpread = "false_match_spread", spreadAtFPIR = "false_match_spread_at_fpir_1e-2", groups
        case enrolmentStudy = "enrolment_study"
    }
}
