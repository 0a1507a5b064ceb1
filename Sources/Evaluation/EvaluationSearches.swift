import FaceEngine
import FaceTemplates
import Shared

/// The searches of one evaluation with every image's features, before a scoring variant picks
/// which embeddings and which rule to use; so that variants compare on identical inputs.
public struct EvaluationSearches {
    struct Search {
        var identity: String
        var features: ImageFeatures?
        var fold: Int
        /// Which of its identity's photos (by file name) the search is.
        var photo = 0
    }

    var gallery: [(identity: String, features: ImageFeatures)] = []
    var enrolmentFailures = 0
    /// Searches by identities with an enrolment image.
    var probes: [Search] = []
    /// Searches by multi-image identities left out by `--enrol-fraction`.
    var strangers: [Search] = []
    /// One-image identities: non-mated searches, and the two cohort folds.
    var singletons: [Search] = []
    /// Round the enrolled side's templates (the list and the cohort) to 16 bits, model by model, as
    /// signed bundles carry them; probes stay 32-bit, as the edge computes them.
    var faceNetTemplatesInHalfPrecision = true
    var dlibTemplatesInHalfPrecision = true
    /// Second photo of enrolled identities with three or more, for `--enrolment-study`.
    var secondPhotos: [String: ImageFeatures] = [:]
    /// Replace each cohort fold by centroids of this many people (`--cohort-centroids`); nil: the faces themselves.
    var cohortCentroidSize: Int?
    var cohortCentroidGrouping = CohortCentroids.Grouping.inOrder

    /// A way of scoring, from the product's old rule to its current one.
    enum Variant: CaseIterable {
        case dlibPlain, dlibFlipped, dlibTwoFold, faceNetTwoFold, fusedWatchlist, fusedTwoFold

        var label: String {
            switch self {
            case .dlibPlain: "dlib L2 distance, plain embeddings (before)"
            case .dlibFlipped: "dlib L2 distance, flip-averaged"
            case .dlibTwoFold: "dlib flip-averaged, cohort-normalised (two-fold)"
            case .faceNetTwoFold: "FaceNet flip-averaged, cohort-normalised (two-fold)"
            case .fusedWatchlist: "fused, normalised by the watchlist alone"
            case .fusedTwoFold: "fused, cohort-normalised (two-fold): the product"
            }
        }

        var rule: MatchingRule {
            switch self {
            case .dlibPlain, .dlibFlipped: .distance
            case .dlibTwoFold: .fusedCohort(FusionSettings(dlibWeight: 1))
            case .faceNetTwoFold: .fusedCohort(FusionSettings(dlibWeight: 0))
            case .fusedWatchlist, .fusedTwoFold: .recommended
            }
        }

        var usesTwoFoldCohort: Bool { [.dlibTwoFold, .faceNetTwoFold, .fusedTwoFold].contains(self) }

        func view(_ f: ImageFeatures) -> FaceFeatures { self == .dlibPlain ? f.plain : f.flipAveraged }
    }

    func study(_ variant: Variant) throws -> ListSizeStudy {
        let probe = { (s: Search) in Probe(identity: s.identity, features: s.features.map(variant.view), fold: s.fold) }
        let template = { (f: ImageFeatures) -> FaceFeatures in asBundled(variant.view(f)) }
        // A search of fold f is normalised by the other fold's faces, never by its own identity.
        var folds: [[FaceFeatures]] =
            variant.usesTwoFoldCohort
            ? [1, 0].map { fold in singletons.filter { $0.fold == fold }.compactMap { $0.features.map(template) } } : []
        if let size = cohortCentroidSize {
            folds = folds.map { fold in
                CohortCentroids.make(from: fold, peoplePerCentroid: size, grouping: cohortCentroidGrouping).map(
                    asBundled)
            }
        }
        return ListSizeStudy(
            gallery: gallery.map { WatchlistEntry(subject: $0.identity, features: [template($0.features)]) },
            probes: probes.map(probe), strangers: (strangers + singletons).map(probe),
            scoring: Scoring(rule: variant.rule, cohortFolds: folds))
    }

    /// How identities with several photos are enrolled, for `--enrolment-study`.
    public enum Enrolment: CaseIterable, Sendable {
        case firstPhoto, twoTemplates, twoFused

        public var label: String {
            switch self {
            case .firstPhoto: "first photo only"
            case .twoTemplates: "two photos, two templates"
            case .twoFused: "two photos fused into one template (mean)"
            }
        }

        /// How the evaluation report names it (`enrolment_study[].enrolment`).
        public var key: String {
            switch self {
            case .firstPhoto: "one photo"
            case .twoTemplates: "two templates"
            case .twoFused: "fused"
            }
        }
    }

    /// The product's rule (fused, with the two-fold cohort or the list as its own) on the
    /// identities with a second photo, probed with their third and later photos only, so that
    /// every enrolment is judged on the same searches.
    func study(_ enrolment: Enrolment, cohort: Variant = .fusedTwoFold) throws -> ListSizeStudy {
        precondition(cohort == .fusedTwoFold || cohort == .fusedWatchlist)
        let base = try study(cohort)
        let view = cohort.view
        let gallery = self.gallery.compactMap { identity, first -> WatchlistEntry? in
            guard let second = secondPhotos[identity] else { return nil }
            let faces = [view(first), view(second)]
            let templates: [FaceFeatures] =
                switch enrolment {
                case .firstPhoto: [faces[0]]
                case .twoTemplates: PhotoFusion.separate.templates(faces)
                case .twoFused: PhotoFusion.fused.templates(faces)
                }
            return WatchlistEntry(subject: identity, features: templates.map(asBundled))
        }
        let probes = zip(self.probes, base.probes).filter { secondPhotos[$0.0.identity] != nil && $0.0.photo >= 2 }.map(
            \.1)
        return ListSizeStudy(gallery: gallery, probes: probes, strangers: base.strangers, scoring: base.scoring)
    }

    /// An enrolled face's templates at the precision a bundle stores them.
    private func asBundled(_ face: FaceFeatures) -> FaceFeatures {
        FaceFeatures(
            dlib: dlibTemplatesInHalfPrecision ? face.dlib.roundedToHalfPrecision : face.dlib,
            faceNet: faceNetTemplatesInHalfPrecision ? face.faceNet?.roundedToHalfPrecision : face.faceNet)
    }
}

/// `coordinator evaluate --ablation`: what each step towards the fused rule adds, on the whole list.
enum AblationTable {
    static func render(_ searches: EvaluationSearches) throws -> String {
        var lines = [
            "ablation (whole list; false matches per entry at the FPIR 1e-2 threshold):",
            "variant                                               TPIR@FPIR1e-2 [95% CI]    TPIR@FPIR1e-3 [95% CI]    false matches  entries with any  worst entry  worst 10 share",
        ]
        for variant in EvaluationSearches.Variant.allCases {
            let study = try searches.study(variant)
            let metrics = try study.metrics(for: study.gallery)
            let points = [1e-2, 1e-3].compactMap { metrics.operatingPoint(fpir: $0) }
            guard points.count == 2 else { continue }
            let cells = points.map(metrics.tpirCell)
            let spread = try study.falseMatchSpread(for: study.gallery, threshold: points[0].threshold)
            let worstTen = spread.worst.prefix(10).reduce(0) { $0 + $1.falseMatches }
            lines.append(
                variant.label.padding(toLength: 54, withPad: " ", startingAt: 0)
                    + cells.map { $0.padding(toLength: 26, withPad: " ", startingAt: 0) }.joined()
                    + String(
                        format: "%13d  %16d  %11d  %13.2f", spread.falseMatches, spread.entriesWithFalseMatches,
                        spread.worst.first?.falseMatches ?? 0,
                        spread.falseMatches > 0 ? Double(worstTen) / Double(spread.falseMatches) : 0))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `coordinator evaluate --enrolment-study`: what a second enrolment photo adds, kept as its own
/// template or fused with the first, and the thresholds lists enrolled each way need.
struct EnrolmentStudy {
    struct Result {
        let enrolment: EvaluationSearches.Enrolment
        let entries: Int
        let mated: Int
        /// TPIR at FPIR 1e-2 and 1e-3 over the whole study gallery, with intervals.
        let cells: [String]
        let listSizes: [EvaluationReport.ListSize]
    }

    let cohortName: String
    let results: [Result]

    /// - Parameters: cohort: `.fusedTwoFold` or `.fusedWatchlist`; listSizes: the random-list
    ///   sizes measured for each enrolment (what a default for such lists would be).
    init(_ searches: EvaluationSearches, cohort: EvaluationSearches.Variant, listSizes: [Int]) throws {
        cohortName = cohort == .fusedTwoFold ? "two-fold cohort" : "the list as its own cohort"
        results = try EvaluationSearches.Enrolment.allCases.map { enrolment in
            let study = try searches.study(enrolment, cohort: cohort)
            let metrics = try study.metrics(for: study.gallery)
            return Result(
                enrolment: enrolment, entries: study.gallery.count, mated: metrics.mated.count,
                cells: [1e-2, 1e-3].map { metrics.operatingPoint(fpir: $0).map(metrics.tpirCell) ?? "-" },
                listSizes: try EvaluationReport.ListSize.rows(study, sizes: listSizes, fixed: nil))
        }
    }

    func render() -> String {
        let sizes = results.first?.listSizes.map(\.size) ?? []
        var lines = [
            "enrolment (identities with 3+ photos, probed with their 3rd and later; fused rule, \(cohortName)):",
            "enrolment                                   entries  mated   TPIR@FPIR1e-2 [95% CI]    TPIR@FPIR1e-3 [95% CI]    "
                + sizes.map { "\($0)-person: TPIR (thr@FPIR1e-3)".padding(toLength: 34, withPad: " ", startingAt: 0) }
                .joined(),
        ]
        for result in results {
            let bySize = result.listSizes.map { row in
                row.operatingPoints.first { $0.fpir == 1e-3 }.map {
                    String(format: "%.3f (%.4f)", $0.tpir, $0.threshold)
                } ?? "-"
            }
            lines.append(
                result.enrolment.label.padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: "%7d  %5d   ", result.entries, result.mated)
                    + result.cells.map { $0.padding(toLength: 26, withPad: " ", startingAt: 0) }.joined()
                    + bySize.map { $0.padding(toLength: 34, withPad: " ", startingAt: 0) }.joined())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var reportRows: [EvaluationReport.EnrolmentRows] {
        results.map { .init(enrolment: $0.enrolment.key, identities: $0.entries, listSizes: $0.listSizes) }
    }
}

extension IdentificationMetrics {
    /// "TPIR [95% interval]" at an operating point, for the study tables.
    func tpirCell(_ p: OperatingPoint) -> String {
        let ci = rates(at: p.threshold).tpirInterval
        return String(format: "%.3f [%.3f, %.3f]", p.tpir, ci[0], ci[1])
    }
}
