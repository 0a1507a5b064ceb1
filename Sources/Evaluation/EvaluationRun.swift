import FaceEngine
import FaceTemplates
import Foundation
import Shared

/// One evaluation of the detection and embedding pipeline on a labelled `<identity>/<images>`
/// folder: measures every image (through the feature cache when one is given), draws the
/// searches, and assembles the report, the DET curve and the optional studies. The use case
/// behind `coordinator evaluate`, which only parses flags and writes what this returns.
public struct EvaluationRun {
    /// How probes are scored.
    public enum Scoring: String, CaseIterable, Sendable {
        /// dlib and FaceNet fused and cohort-normalised: what bundles use.
        case fused
        /// The plain dlib L2 distance, for comparison.
        case dlib

        /// The thresholds of the printed table when none are given.
        public var defaultThresholds: [Float] {
            switch self {
            case .fused: [0.50, 0.55, 0.60, 0.65, 0.68, 0.70, 0.72, 0.74, 0.76, 0.78, 0.80, 0.85]
            case .dlib: [0.30, 0.34, 0.38, 0.40, 0.42, 0.44, 0.46, 0.48, 0.50, 0.52, 0.55, 0.60]
            }
        }
    }

    /// Precision of enrolled templates: half as signed bundles carry them, or single.
    public enum TemplatePrecision: String, CaseIterable, Sendable {
        case half, single
    }

    /// The fused rule's cohort.
    public enum Cohort: String, CaseIterable, Sendable {
        /// One-image identities in two halves, each the cohort of the other's searches.
        case twoFold = "two-fold"
        /// The watchlist alone.
        case watchlist
    }

    /// How cohort centroids group people.
    public enum CentroidGrouping: String, CaseIterable, Sendable {
        case inOrder = "in-order", nearest

        var grouping: CohortCentroids.Grouping { self == .nearest ? .nearest : .inOrder }
    }

    /// What to measure and how; the defaults are `coordinator evaluate`'s.
    public struct Settings: Sendable {
        public var dataset: String
        public var matedCap = 10
        /// Thresholds of the printed table; nil: the scoring's defaults.
        public var thresholds: [Float]?
        /// Also report the rates at this threshold.
        public var fixedThreshold: Float?
        public var scoring = Scoring.fused
        public var faceNetTemplates = TemplatePrecision.half
        public var dlibTemplates = TemplatePrecision.half
        public var cohort = Cohort.twoFold
        /// Replace each cohort fold by centroids of this many people; nil: the faces.
        public var cohortCentroids: Int?
        public var centroidGrouping = CentroidGrouping.inOrder
        public var listSizes = [10, 100, 1000]
        /// The list size the recommended threshold is chosen for (FPIR <= 1e-3 there).
        public var recommendFor = 10
        /// Fraction of multi-image identities enrolled; the rest become non-mated searches.
        public var enrolFraction = 1.0
        public var groups: GroupLabels?
        /// File that keeps computed embeddings between runs (outside the repository).
        public var featuresCache: String?
        public var ablation = false
        public var enrolmentStudy = false

        public init(dataset: String) { self.dataset = dataset }

        /// Why these settings cannot make a meaningful evaluation, as the flag to change; nil when they can.
        public var refusal: String? {
            if !(enrolFraction > 0 && enrolFraction <= 1) { return "--enrol-fraction must be in (0, 1]" }
            if matedCap < 1 { return "--mated-cap must be at least 1" }
            if recommendFor < 1 { return "--recommend-for must be at least 1" }
            if listSizes.contains(where: { $0 < 1 }) { return "--list-sizes must be whole numbers >= 1" }
            if let thresholds, thresholds.isEmpty || thresholds.contains(where: { !($0 > 0 && $0 < 2) }) {
                return "--thresholds must be numbers between 0 and 2"
            }
            if enrolmentStudy && scoring != .fused {
                return "--enrolment-study measures the product's rule: use it with --scoring fused"
            }
            if let cohortCentroids {
                if let refusal = CohortCentroids.refusal(peoplePerCentroid: cohortCentroids) { return refusal }
                if scoring != .fused || cohort != .twoFold {
                    return "--cohort-centroids needs --scoring fused --cohort two-fold"
                }
            }
            if let fixedThreshold, !(fixedThreshold > 0 && fixedThreshold < 2) {
                return "--threshold \(fixedThreshold) is out of range: use an L2 distance between 0 and 2"
            }
            return nil
        }

        /// How the report names its cohort. A centroid report does not describe a bundle of faces:
        /// its label keeps `watchlist build` from taking it for one.
        var cohortLabel: String? {
            guard scoring == .fused else { return nil }
            return cohort.rawValue
                + (cohortCentroids.map { ", centroids of \($0) (\(centroidGrouping.rawValue))" } ?? "")
        }

        var variant: EvaluationSearches.Variant {
            scoring == .dlib ? .dlibPlain : cohort == .twoFold ? .fusedTwoFold : .fusedWatchlist
        }
    }

    /// What one run found.
    public struct Outcome {
        public let report: EvaluationReport
        /// Every threshold's FPIR and FNIR on the whole gallery.
        public let detPoints: [(threshold: Float, fpir: Double, fnir: Double)]
        /// `--ablation`'s table, when asked for.
        public let ablation: String?
        /// `--enrolment-study`'s table, when asked for.
        public let enrolmentStudy: String?

        /// The report as `--json` writes it.
        public func json() throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return try encoder.encode(report)
        }

        /// The DET curve as `--det` writes it.
        public var detCSV: String {
            (["threshold,fpir,fnir"] + detPoints.map { "\($0.threshold),\($0.fpir),\($0.fnir)" })
                .joined(separator: "\n") + "\n"
        }

        /// The DET curve as `--det-svg` draws it, the report's operating points marked.
        public var detSVG: String {
            let marked = report.operatingPoints.map {
                ("FPIR \($0.fpir): t=\(String(format: "%.3f", $0.threshold))", $0.measuredFPIR, 1 - $0.tpir)
            }
            return DETPlot.svg(points: detPoints, marked: marked)
        }
    }

    public let settings: Settings
    private let enroller: FaceEnroller
    private let extractor: FeatureExtractor

    /// Refuses settings that make no sense before any model loads.
    public init(settings: Settings, models: ModelStore) throws {
        if let refusal = settings.refusal { throw EvaluationRefusal(.settingsRefused, settings.dataset, refusal) }
        self.settings = settings
        enroller = try FaceEnroller(
            detector: models.makeDetector(), embedder: models.makeEmbedder(), gate: QualityGate())
        extractor = FeatureExtractor(embedder: enroller.embedder, faceNet: try models.makeFaceNetEmbedder())
    }

    /// Measures the dataset and assembles the report; `progress` is told (done, total) after each image.
    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        let data = try FolderDataset(root: settings.dataset)
        let cap = settings.matedCap
        let total = data.enrolled.reduce(0) { $0 + min($1.images.count, cap + 1) } + data.singletons.count
        var done = 0
        var cache = try settings.featuresCache.map { try FeatureCache(path: $0) }
        func measure(_ path: String) -> ImageFeatures? {
            defer {
                done += 1
                progress(done, total)
            }
            if let hit = cache?.lookup(path) { return hit }
            let features = compute(path)
            cache?.store(features, for: path)
            return features
        }
        let searches = draw(data, measure: measure)
        try cache?.save()
        return try assemble(searches, imagesMeasured: done)
    }

    /// The features of the face nearest the image's centre; nil when there is none or the image is unreadable.
    private func compute(_ path: String) -> ImageFeatures? {
        guard let image = try? Image(contentsOf: path), let face = try? enroller.centralFace(in: image),
            let plain = try? enroller.embedder.embed([face], in: image).first,
            let both = try? extractor.features([face], in: image, flipAveraged: true).first,
            let second = both.faceNet
        else { return nil }
        return ImageFeatures(dlib: plain.values, dlibFlipAveraged: both.dlib.values, faceNetFlipAveraged: second.values)
    }

    /// The gallery, the mated and non-mated searches and the cohort folds, drawn with a fixed seed.
    private func draw(_ data: FolderDataset, measure: (String) -> ImageFeatures?) -> EvaluationSearches {
        var generator = SplitMix64(seed: 0xE7401)
        let candidates = data.enrolled.map(\.name)
        let chosen = Set(
            candidates.shuffled(using: &generator).prefix(
                Int((settings.enrolFraction * Double(candidates.count)).rounded())))
        let cap = settings.matedCap
        var searches = EvaluationSearches()
        searches.faceNetTemplatesInHalfPrecision = settings.faceNetTemplates == .half
        searches.dlibTemplatesInHalfPrecision = settings.dlibTemplates == .half
        searches.cohortCentroidSize = settings.cohortCentroids
        searches.cohortCentroidGrouping = settings.centroidGrouping.grouping
        for identity in data.enrolled {
            guard chosen.contains(identity.name) else {
                for path in identity.images.prefix(cap + 1) {
                    searches.strangers.append(
                        .init(identity: identity.name, features: measure(path), fold: searches.strangers.count % 2))
                }
                continue
            }
            if let template = measure(identity.images[0]) {
                searches.gallery.append((identity.name, template))
            } else {
                searches.enrolmentFailures += 1
            }
            for (i, path) in identity.images.prefix(cap + 1).enumerated().dropFirst() {
                let features = measure(path)
                searches.probes.append(
                    .init(identity: identity.name, features: features, fold: searches.probes.count % 2, photo: i))
                if i == 1, identity.images.count >= 3, let features { searches.secondPhotos[identity.name] = features }
            }
        }
        // One-image identities: non-mated searches and, split in two folds, each other's cohort.
        searches.singletons = data.singletons.map { .init(identity: $0.name, features: measure($0.images[0]), fold: 0) }
        searches.singletons.shuffle(using: &generator)
        for i in searches.singletons.indices where i >= searches.singletons.count / 2 {
            searches.singletons[i].fold = 1
        }
        return searches
    }

    private func assemble(_ searches: EvaluationSearches, imagesMeasured: Int) throws -> Outcome {
        let ablation = settings.ablation ? try AblationTable.render(searches) : nil
        let enrolments =
            settings.enrolmentStudy
            ? try EnrolmentStudy(searches, cohort: settings.variant, listSizes: settings.listSizes) : nil
        let study = try searches.study(settings.variant)
        let gallery = study.gallery
        let metrics = try study.metrics(for: gallery)
        let recommended = try study.metrics(size: settings.recommendFor).metrics.operatingPoint(fpir: 1e-3)?.threshold
        let fixed = settings.fixedThreshold ?? recommended
        let enrolmentFailures = searches.enrolmentFailures
        let matedFailures = study.probes.filter { $0.features == nil }.count
        let nonMatedFailures = study.strangers.filter { $0.features == nil }.count
        let failed = enrolmentFailures + matedFailures + nonMatedFailures
        let report = EvaluationReport(
            dataset: settings.dataset, scoring: settings.scoring.rawValue, cohort: settings.cohortLabel,
            cohortFaces: study.scoring.cohortFolds.map(\.count).min(),
            identitiesEnrolled: gallery.count, mated: metrics.mated.count, nonMated: metrics.nonMated.count,
            detectionFailures: .init(
                enrolment: enrolmentFailures, mated: matedFailures, nonMated: nonMatedFailures, total: failed,
                rate: Double(failed) / Double(max(imagesMeasured, 1))),
            operatingPoints: [1e-2, 1e-3].compactMap { metrics.operatingPoint(fpir: $0) },
            thresholds: (settings.thresholds ?? settings.scoring.defaultThresholds).map { metrics.rates(at: $0) },
            fixedThreshold: settings.fixedThreshold.map { metrics.rates(at: $0) },
            recommendedThreshold: recommended, recommendedFor: settings.recommendFor,
            listSizes: try EvaluationReport.ListSize.rows(study, sizes: settings.listSizes, fixed: fixed),
            falseMatchSpread: try fixed.map { try study.falseMatchSpread(for: gallery, threshold: $0) },
            spreadAtFPIR: try metrics.operatingPoint(fpir: 1e-2).map {
                try study.falseMatchSpread(for: gallery, threshold: $0.threshold)
            },
            groups: try settings.groups.flatMap { labels in
                try fixed.map { try study.groupComparison(for: gallery, labels: labels, threshold: $0) }
            },
            enrolmentStudy: enrolments?.reportRows)
        return Outcome(
            report: report, detPoints: metrics.detPoints(), ablation: ablation, enrolmentStudy: enrolments?.render())
    }
}
