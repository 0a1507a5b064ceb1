import ArgumentParser
import CommandLineOptions
import Evaluation
import FaceEngine
import Foundation
import Logging

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
    var scoring: EvaluationRun.Scoring = .fused

    @Option(
        help:
            "Precision of the enrolled FaceNet templates: half (16-bit, as signed bundles carry them) or single (32-bit, as before bundle format 3)."
    )
    var facenetTemplates: EvaluationRun.TemplatePrecision = .half

    @Option(
        help:
            "Precision of the enrolled dlib templates: half (16-bit, as signed bundles carry them) or single (32-bit, as before bundle format 4)."
    )
    var dlibTemplates: EvaluationRun.TemplatePrecision = .half

    @Option(
        help:
            "Cohort for --scoring fused: two-fold (one-image identities, each half scoring the other) or watchlist (the list alone)."
    )
    var cohort: EvaluationRun.Cohort = .twoFold

    @Option(
        help:
            "With --cohort two-fold, replace each cohort fold by centroids, each the mean of this many people's templates (at least 5), to measure a cohort that is nobody."
    )
    var cohortCentroids: Int?

    @Option(
        help:
            "How --cohort-centroids groups people: in-order (random groups) or nearest (each face with its nearest ungrouped neighbours)."
    )
    var centroidGrouping: EvaluationRun.CentroidGrouping = .inOrder

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
        if let refusal = try settings().refusal { throw ValidationError(refusal) }
    }

    /// The flags as the evaluation's settings.
    private func settings() throws -> EvaluationRun.Settings {
        var settings = EvaluationRun.Settings(dataset: dataset)
        settings.matedCap = matedCap
        settings.thresholds = try thresholds.map { try numbers($0, flag: "--thresholds", as: Float.self) }
        settings.fixedThreshold = threshold
        settings.scoring = scoring
        settings.faceNetTemplates = facenetTemplates
        settings.dlibTemplates = dlibTemplates
        settings.cohort = cohort
        settings.cohortCentroids = cohortCentroids
        settings.centroidGrouping = centroidGrouping
        settings.listSizes = try numbers(listSizes, flag: "--list-sizes", as: Int.self)
        settings.recommendFor = recommendFor
        settings.enrolFraction = enrolFraction
        settings.featuresCache = featuresCache
        settings.ablation = ablation
        settings.enrolmentStudy = enrolmentStudy
        return settings
    }

    private func numbers<Number: LosslessStringConvertible>(_ list: String, flag: String, as: Number.Type) throws
        -> [Number]
    {
        let values = list.split(separator: ",").map { Number($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
            throw ValidationError("\(flag) \"\(list)\" must be comma-separated numbers")
        }
        return values.map { $0! }
    }

    func run() throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        FaceDetector.setThreads(threads)
        var settings = try settings()
        settings.groups = try groups.map { try GroupLabels.load(path: $0) }
        let evaluation = try EvaluationRun(settings: settings, models: ModelStore.locate(explicit: models.directory))
        var progress: ProgressBar?
        let outcome = try evaluation.run { done, total in
            if progress == nil { progress = ProgressBar(total: total, label: "evaluate") }
            progress?.update(done)
        }
        if let ablation = outcome.ablation { print(ablation) }
        if let enrolmentStudy = outcome.enrolmentStudy { print(enrolmentStudy) }
        print(EvaluationTable.render(outcome.report))
        if let json { try outcome.json().write(to: URL(fileURLWithPath: json)) }
        if let det { try outcome.detCSV.write(toFile: det, atomically: true, encoding: .utf8) }
        if let detSvg { try outcome.detSVG.write(toFile: detSvg, atomically: true, encoding: .utf8) }
    }
}

extension EvaluationRun.Scoring: ExpressibleByArgument {}
extension EvaluationRun.TemplatePrecision: ExpressibleByArgument {}
extension EvaluationRun.Cohort: ExpressibleByArgument {}
extension EvaluationRun.CentroidGrouping: ExpressibleByArgument {}
