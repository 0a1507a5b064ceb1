import FaceTemplates
import Foundation
import Shared

/// What a threshold means for a watchlist of a given size, read from the latest evaluation report,
/// so that the authorising officer sees the expected TPIR and FPIR (with intervals) before signing.
public struct ExpectedRates {
    /// Where a bundle's normalising cohort comes from; the report must have been made the same way.
    public enum CohortKind: Sendable {
        /// The watchlist alone (`coordinator evaluate --cohort watchlist`).
        case watchlist
        /// A separate cohort of this many people not sought (`--cohort two-fold` stands in for it in evaluation).
        case separate(faces: Int)
        /// A separate cohort carried as this many centroids of `perCentroid` people each
        /// (`--cohort two-fold --cohort-centroids N --centroid-grouping nearest` in evaluation).
        case centroids(count: Int, perCentroid: Int)

        public init(faces: Int) { self = faces == 0 ? .watchlist : .separate(faces: faces) }

        /// A cohort of this many templates, each standing for `peoplePerTemplate` people (1: faces).
        public init(templates: Int, peoplePerTemplate: Int) {
            self =
                peoplePerTemplate > 1
                ? .centroids(count: templates, perCentroid: peoplePerTemplate) : .init(faces: templates)
        }

        /// The cohort a built bundle carries.
        public init(_ bundle: WatchlistBundle) {
            self.init(templates: bundle.cohort.count, peoplePerTemplate: bundle.peoplePerCohortTemplate)
        }

        /// The report's cohort label that describes this kind.
        public var evaluateOption: String {
            switch self {
            case .watchlist: "watchlist"
            case .separate: "two-fold"
            case .centroids(_, let perCentroid): "two-fold, centroids of \(perCentroid) (nearest)"
            }
        }

        /// Templates the bundle's cohort holds.
        public var templates: Int {
            switch self {
            case .watchlist: 0
            case .separate(let faces): faces
            case .centroids(let count, _): count
            }
        }
    }

    public let reportPath: String
    /// The evaluated list size the figures come from: of the evaluated sizes around the list's
    /// (the nearest outside the evaluated range), the one with more false alerts at the threshold.
    public let evaluatedSize: Int
    public let rates: RatePoint
    /// FPIR by group of probe identity as [rate, 95% low, 95% high], when the report was made
    /// with `--groups` at this threshold (`--fixed-threshold`); nil otherwise.
    public let fpirByGroup: [String: [Double]]?

    public init(
        reportPath: String, threshold: Float, listSize: Int, cohort: CohortKind,
        enrolment: EvaluationSearches.Enrolment = .firstPhoto
    ) throws {
        let points = try Self.rows(reportPath: reportPath, listSize: listSize, cohort: cohort, enrolment: enrolment).map
        { row in
            guard
                let point = row.ratesByThreshold.min(by: {
                    abs($0.threshold - threshold) < abs($1.threshold - threshold)
                }),
                abs(point.threshold - threshold) < 0.0051
            else {
                throw EvaluationRefusal(
                    .reportLacksThreshold, reportPath,
                    "evaluation report \(reportPath) has no figures near threshold \(threshold) (its grid is 0.30-1.00)"
                )
            }
            return (size: row.size, point: point)
        }
        let worst = points.max { $0.point.fpir < $1.point.fpir }!
        self.reportPath = reportPath
        evaluatedSize = worst.size
        rates = worst.point
        let report = try Self.load(reportPath)
        if let groups = report.groups, let fixed = report.fixedThreshold, abs(fixed.threshold - threshold) < 0.0051 {
            fpirByGroup = Dictionary(
                uniqueKeysWithValues: groups.groups.filter { $0.nonMated > 0 }.map {
                    ($0.group, [$0.rates.fpir] + $0.rates.fpirInterval)
                })
        } else {
            fpirByGroup = nil
        }
    }

    /// The highest grid threshold whose FPIR stays at or below `fpir` for lists of this size: the
    /// lower of the evaluated sizes around it, since false alerts rise with size under a separate
    /// cohort but fall with it when the list is its own cohort. A list enrolling several photos
    /// per subject takes it from the report's `--enrolment-study` rows for that enrolment.
    public static func threshold(
        reportPath: String, fpir: Double, listSize: Int, cohort: CohortKind,
        enrolment: EvaluationSearches.Enrolment = .firstPhoto
    ) throws -> Float {
        try rows(reportPath: reportPath, listSize: listSize, cohort: cohort, enrolment: enrolment).map { row in
            guard let point = row.ratesByThreshold.filter({ $0.fpir <= fpir }).max(by: { $0.threshold < $1.threshold })
            else {
                throw EvaluationRefusal(
                    .reportLacksRate, reportPath,
                    "evaluation report \(reportPath) has no threshold with FPIR <= \(fpir) for \(row.size)-person lists: give --threshold"
                )
            }
            return point.threshold
        }.min()!
    }

    private static func load(_ reportPath: String) throws -> EvaluationReport {
        guard let data = FileManager.default.contents(atPath: reportPath) else {
            throw EvaluationRefusal(
                .reportUnreadable, reportPath,
                "evaluation report \(reportPath) cannot be read: make one with coordinator evaluate --json")
        }
        do { return try JSONDecoder().decode(EvaluationReport.self, from: data) } catch {
            throw EvaluationRefusal(
                .reportNotThisVersion, reportPath,
                "evaluation report \(reportPath) is not a coordinator evaluate --json report of this version: \(error)")
        }
    }

    /// The evaluated sizes nearest below and above the list's (one when it is evaluated or outside the range).
    private static func rows(
        reportPath: String, listSize: Int, cohort: CohortKind,
        enrolment: EvaluationSearches.Enrolment
    ) throws -> [EvaluationReport.ListSize] {
        let report = try load(reportPath)
        guard report.scoring == "fused", report.cohort == cohort.evaluateOption else {
            throw EvaluationRefusal(
                .reportMadeDifferently, reportPath,
                "evaluation report \(reportPath) was made with --scoring \(report.scoring)\(report.cohort.map { " --cohort \($0)" } ?? ""); "
                    + "this bundle needs one made with --scoring fused --cohort \(cohort.evaluateOption)")
        }
        // The normaliser averages the nearest cohort faces, so a much smaller cohort scores strangers
        // closer than the evaluation did: its figures would understate the false alerts.
        if cohort.templates > 0, let evaluated = report.cohortFaces, cohort.templates * 2 < evaluated {
            throw EvaluationRefusal(
                .reportCohortLarger, reportPath,
                "evaluation report \(reportPath) assumes a cohort of about \(evaluated) templates; this bundle's has \(cohort.templates): "
                    + "its false-alert rate would be higher than the report says. Use a cohort of similar size, or choose --threshold from a report made like it"
            )
        }
        // Several photos per subject find more mates and more strangers alike: measured on lfw_dev,
        // such lists need a stricter threshold than one-photo lists for the same FPIR.
        let measured: [EvaluationReport.ListSize]
        if enrolment == .firstPhoto {
            measured = report.listSizes
        } else if let study = report.enrolmentStudy?.first(where: { $0.enrolment == enrolment.key }) {
            measured = study.listSizes
        } else {
            throw EvaluationRefusal(
                .reportLacksEnrolmentStudy, reportPath,
                "evaluation report \(reportPath) measures lists of one photo per subject; this list enrols several "
                    + "(\(enrolment.key)), which needs a stricter threshold for the same false-alert rate (README, \"Several photos per subject\"): "
                    + "make the report with coordinator evaluate --enrolment-study --json")
        }
        let sizes = measured.sorted { $0.size < $1.size }
        guard let below = sizes.last(where: { $0.size <= listSize }) ?? sizes.first,
            let above = sizes.first(where: { $0.size >= listSize }) ?? sizes.last
        else {
            throw EvaluationRefusal(
                .reportLacksListSizes, reportPath, "evaluation report \(reportPath) has no watchlist-size figures")
        }
        return below.size == above.size ? [below] : [below, above]
    }

    public var summary: String {
        let f = { (v: Double) in String(format: "%.4f", v) }
        return
            "expected at threshold \(String(format: "%.2f", rates.threshold)) for a list evaluated at \(evaluatedSize) people (\(reportPath)): "
            + "TPIR \(f(rates.tpir)) [\(f(rates.tpirInterval[0])), \(f(rates.tpirInterval[1]))], "
            + "FPIR \(f(rates.fpir)) [\(f(rates.fpirInterval[0])), \(f(rates.fpirInterval[1]))]"
            + (rates.fpir > 1e-3 ? "; FPIR above 1e-3: more than one false alert per thousand passers-by" : "")
    }
}

extension EvaluationSearches.Enrolment {
    /// The evaluation rows a list enrolled this way takes its figures from.
    public init(_ enrolment: ListEnrolment) {
        switch enrolment {
        case .onePhoto: self = .firstPhoto
        case .severalTemplates: self = .twoTemplates
        case .fused: self = .twoFused
        }
    }
}
