import ArgumentParser
import FaceEngine
import FaceTemplates
import Foundation
import Logging
import Shared

/// `coordinator evaluate`: measures open-set identification accuracy on a labelled folder dataset.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure TPIR/FPIR of the detection + embedding pipeline on a <identity>/<images> dataset.",
        discussion: """
            Identities with two or more images are enrolled on their first image (by file name) and probed
            with their other images (at most --mated-cap each); identities with one image are non-mated
            probes. Each probe uses the face nearest the image centre.

            --scoring fused (the product's rule) fuses flip-averaged dlib and FaceNet distances and
            normalises them by a cohort; --scoring dlib is the plain dlib L2 distance, for comparison.
            With --cohort two-fold the one-image identities are split in two halves: each half is the
            cohort for the other half's searches (and for alternate mated searches), so no search is
            normalised by faces of its own identity. --cohort watchlist uses the watchlist alone.
            """
    )

    @Option(help: "Folder of <identity>/<images>.")
    var dataset: String

    @Option(help: "Write the full report as JSON to this file.")
    var json: String?

    @Option(help: "Write the DET curve (threshold, fpir, fnir) as CSV to this file.")
    var det: String?

    @Option(help: "Write the DET curve as an SVG plot to this file.")
    var detSvg: String?

    @Option(help: "Also report the rates at this fixed threshold (L2 distance).")
    var threshold: Float?

    @Option(help: "Most mated probes per identity.")
    var matedCap: Int = 10

    @Option(help: "Comma-separated thresholds for the table (default: a range that suits --scoring).")
    var thresholds: String?

    @Option(
        help:
            "How probes are scored: fused (dlib + FaceNet, cohort-normalised; what bundles use) or dlib (plain L2 distance)."
    )
    var scoring: ScoringChoice = .fused

    @Option(
        help:
            "Precision of the enrolled FaceNet templates: half (16-bit, as signed bundles carry them) or single (32-bit, as before bundle format 3)."
    )
    var facenetTemplates: TemplatePrecision = .half

    @Option(
        help:
            "Precision of the enrolled dlib templates: half (16-bit, as signed bundles carry them) or single (32-bit, as before bundle format 4)."
    )
    var dlibTemplates: TemplatePrecision = .half

    @Option(
        help:
            "Cohort for --scoring fused: two-fold (one-image identities, each half scoring the other) or watchlist (the list alone)."
    )
    var cohort: CohortChoice = .twoFold

    @Option(
        help:
            "With --cohort two-fold, replace each cohort fold by centroids, each the mean of this many people's templates (at least 5), to measure a cohort that is nobody."
    )
    var cohortCentroids: Int?

    @Option(
        help:
            "How --cohort-centroids groups people: in-order (random groups) or nearest (each face with its nearest ungrouped neighbours)."
    )
    var centroidGrouping: CentroidGrouping = .inOrder

    @Option(
        help:
            "Comma-separated watchlist sizes to estimate FPIR/TPIR for, by drawing random sub-lists; identities left off a list add non-mated searches."
    )
    var listSizes: String = "10,100,1000"

    @Option(help: "Watchlist size the recommended threshold is chosen for (FPIR <= 1e-3 at that size).")
    var recommendFor: Int = 10

    @Option(
        help:
            "Enrol only this fraction of the identities with two or more images (drawn with a fixed seed); the images of the others become non-mated searches, which FPIR 1e-3 needs by the thousand."
    )
    var enrolFraction: Double = 1

    @Option(
        help:
            "CSV of identity,group: report TPIR/FPIR per group, and the ratios between groups, at the fixed or recommended threshold."
    )
    var groups: String?

    @Option(
        help:
            "Keep computed embeddings in this file (outside the repository: they derive from the dataset) and reuse them on later runs with the same models."
    )
    var featuresCache: String?

    @Flag(
        help:
            "Also print TPIR at FPIR 1e-2 and 1e-3, and how false matches spread, for each step from the plain dlib distance to the fused rule."
    )
    var ablation = false

    @Flag(
        help:
            "Also compare, on identities with three or more photos, enrolling one photo, two as two templates, and two fused into one template (under --cohort, with thresholds for the --list-sizes)."
    )
    var enrolmentStudy = false

    @Option(help: "OpenCV worker threads.")
    var threads: Int = 2

    @OptionGroup var models: ModelOptions

    func validate() throws {
        guard enrolFraction > 0, enrolFraction <= 1 else { throw ValidationError("--enrol-fraction must be in (0, 1]") }
        guard matedCap >= 1 else { throw ValidationError("--mated-cap must be at least 1") }
        _ = try parsedThresholds()
        _ = try parsedListSizes()
        guard recommendFor >= 1 else { throw ValidationError("--recommend-for must be at least 1") }
        guard !enrolmentStudy || scoring == .fused else {
            throw ValidationError("--enrolment-study measures the product's rule: use it with --scoring fused")
        }
        if let cohortCentroids {
            if let refusal = CohortCentroids.refusal(peoplePerCentroid: cohortCentroids) {
                throw ValidationError(refusal)
            }
            guard scoring == .fused, cohort == .twoFold else {
                throw ValidationError("--cohort-centroids needs --scoring fused --cohort two-fold")
            }
        }
        if let threshold, !(threshold > 0 && threshold < 2) {
            throw ValidationError("--threshold \(threshold) is out of range: use an L2 distance between 0 and 2")
        }
    }

    private func parsedThresholds() throws -> [Float] {
        let thresholds = thresholds ?? scoring.defaultThresholds
        let values = thresholds.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! > 0 && $0! < 2 }) else {
            throw ValidationError("--thresholds \"\(thresholds)\" must be comma-separated numbers between 0 and 2")
        }
        return values.map { $0! }
    }

    private func parsedListSizes() throws -> [Int] {
        let values = listSizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard values.allSatisfy({ $0 != nil && $0! >= 1 }) else {
            throw ValidationError("--list-sizes \"\(listSizes)\" must be comma-separated whole numbers >= 1")
        }
        return values.map { $0! }
    }

    func run() throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        FaceDetector.setThreads(threads)
        let data = try FolderDataset(root: dataset)
        let labels = try groups.map { try GroupLabels.load(path: $0) }
        let store = ModelStore.locate(explicit: models.directory)
        let enroller = try FaceEnroller(
            detector: store.makeDetector(), embedder: store.makeEmbedder(), gate: QualityGate())
        let extractor = FeatureExtractor(embedder: enroller.embedder, faceNet: try store.makeFaceNetEmbedder())

        let total = data.enrolled.reduce(0) { $0 + min($1.images.count, matedCap + 1) } + data.singletons.count
        var progress = ProgressBar(total: total, label: "evaluate")
        var done = 0
        var cache = try featuresCache.map { try FeatureCache(path: $0) }
        func measure(_ path: String) -> ImageFeatures? {
            defer {
                done += 1
                progress.update(done)
            }
            if let hit = cache?.lookup(path) { return hit }
            let features = compute(path)
            cache?.store(features, for: path)
            return features
        }
        func compute(_ path: String) -> ImageFeatures? {
            guard let image = try? Image(contentsOf: path), let face = try? enroller.centralFace(in: image),
                let plain = try? enroller.embedder.embed([face], in: image).first,
                let both = try? extractor.features([face], in: image, flipAveraged: true).first,
                let second = both.faceNet
            else { return nil }
            return ImageFeatures(
                dlib: plain.values, dlibFlipAveraged: both.dlib.values, faceNetFlipAveraged: second.values)
        }
        var generator = SplitMix64(seed: 0xE7401)
        let candidates = data.enrolled.map(\.name)
        let chosen = Set(
            candidates.shuffled(using: &generator).prefix(Int((enrolFraction * Double(candidates.count)).rounded())))
        var searches = EvaluationSearches()
        searches.faceNetTemplatesInHalfPrecision = facenetTemplates == .half
        searches.dlibTemplatesInHalfPrecision = dlibTemplates == .half
        searches.cohortCentroidSize = cohortCentroids
        searches.cohortCentroidGrouping = centroidGrouping.grouping
        for identity in data.enrolled {
            guard chosen.contains(identity.name) else {
                for path in identity.images.prefix(matedCap + 1) {
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
            for (i, path) in identity.images.prefix(matedCap + 1).enumerated().dropFirst() {
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
        try cache?.save()

        if ablation { print(try AblationTable.render(searches)) }
        let variant: EvaluationSearches.Variant =
            scoring == .dlib ? .dlibPlain : cohort == .twoFold ? .fusedTwoFold : .fusedWatchlist
        let enrolments =
            try enrolmentStudy ? EnrolmentStudy(searches, cohort: variant, listSizes: try parsedListSizes()) : nil
        if let enrolments { print(enrolments.render()) }
        let study = try searches.study(variant)
        let gallery = study.gallery
        let probes = study.probes
        let metrics = try study.metrics(for: gallery)
        let recommended = try study.metrics(size: recommendFor).metrics.operatingPoint(fpir: 1e-3)?.threshold
        let fixed = threshold ?? recommended
        let bySize = try EvaluationReport.ListSize.rows(study, sizes: try parsedListSizes(), fixed: fixed)

        let failures = EvaluationReport.DetectionFailures(
            enrolment: searches.enrolmentFailures, mated: probes.filter { $0.features == nil }.count,
            nonMated: study.strangers.filter { $0.features == nil }.count, total: 0, rate: 0)
        var report = EvaluationReport(
            dataset: dataset, scoring: scoring.rawValue,
            // A centroid report does not describe a bundle of faces: its label keeps watchlist build from taking it for one.
            cohort: scoring == .fused
                ? cohort.rawValue
                    + (cohortCentroids.map { ", centroids of \($0) (\(centroidGrouping.rawValue))" } ?? "") : nil,
            cohortFaces: study.scoring.cohortFolds.map(\.count).min(),
            identitiesEnrolled: gallery.count, mated: metrics.mated.count,
            nonMated: metrics.nonMated.count, detectionFailures: failures,
            operatingPoints: [1e-2, 1e-3].compactMap { metrics.operatingPoint(fpir: $0) },
            thresholds: try parsedThresholds().map { metrics.rates(at: $0) },
            fixedThreshold: threshold.map { metrics.rates(at: $0) },
            recommendedThreshold: recommended, recommendedFor: recommendFor, listSizes: bySize,
            falseMatchSpread: try fixed.map { try study.falseMatchSpread(for: gallery, threshold: $0) },
            spreadAtFPIR: try metrics.operatingPoint(fpir: 1e-2).map {
                try study.falseMatchSpread(for: gallery, threshold: $0.threshold)
            },
            groups: try labels.flatMap { labels in
                try fixed.map { try study.groupComparison(for: gallery, labels: labels, threshold: $0) }
            },
            enrolmentStudy: enrolments?.reportRows)
        report.detectionFailures.total = failures.enrolment + failures.mated + failures.nonMated
        report.detectionFailures.rate = Double(report.detectionFailures.total) / Double(max(done, 1))

        print(EvaluationTable.render(report))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
        if let det {
            let lines = ["threshold,fpir,fnir"] + metrics.detPoints().map { "\($0.threshold),\($0.fpir),\($0.fnir)" }
            try (lines.joined(separator: "\n") + "\n").write(toFile: det, atomically: true, encoding: .utf8)
        }
        if let detSvg {
            let marked = report.operatingPoints.map {
                ("FPIR \($0.fpir): t=\(String(format: "%.3f", $0.threshold))", $0.measuredFPIR, 1 - $0.tpir)
            }
            try DETPlot.svg(points: metrics.detPoints(), marked: marked).write(
                toFile: detSvg, atomically: true, encoding: .utf8)
        }
    }

    /// `--scoring`.
    enum TemplatePrecision: String, ExpressibleByArgument, CaseIterable {
        case half, single
    }

    enum ScoringChoice: String, ExpressibleByArgument, CaseIterable {
        case fused, dlib

        var defaultThresholds: String {
            switch self {
            case .fused: "0.50,0.55,0.60,0.65,0.68,0.70,0.72,0.74,0.76,0.78,0.80,0.85"
            case .dlib: "0.30,0.34,0.38,0.40,0.42,0.44,0.46,0.48,0.50,0.52,0.55,0.60"
            }
        }
    }

    /// `--centroid-grouping`.
    enum CentroidGrouping: String, ExpressibleByArgument, CaseIterable {
        case inOrder = "in-order", nearest

        var grouping: CohortCentroids.Grouping { self == .nearest ? .nearest : .inOrder }
    }

    /// `--cohort`.
    enum CohortChoice: String, ExpressibleByArgument, CaseIterable {
        case twoFold = "two-fold", watchlist
    }
}

/// Options shared by the commands that load models.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .customLong("models"),
        help: "Folder with the model files (default: $WATCHPOST_MODELS, ./models, /var/lib/watchpost/models).")
    var directory: String?
}
