import ArgumentParser
import CommandLineOptions
import Enrolment
import FaceEngine
import FaceTemplates
import Foundation
import Shared

/// `edge-node enrol`: builds a plain watchlist file from a folder of `<subject>/<images>`.
struct EnrolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrol",
        abstract:
            "Build a watchlist file from a folder of <subject>/<images>: one template per accepted photo, or one per subject fused from its photos (--photos fused)."
    )

    @Option(help: "Folder holding one sub-folder per subject (the folder name is the opaque subject id).")
    var from: String

    @Option(help: "Watchlist file to write (permissions 0600).")
    var out: String

    @Option(
        help:
            "Match threshold to store in the watchlist (fused score; default: chosen when the list is run, the measured one for its size and cohort, README \"Accuracy\")."
    )
    var threshold: Float?

    @Option(
        help: "Folder of photos of people NOT sought (<any>/<images>), lawfully held, used only to normalise scores.")
    var cohortFrom: String?

    @Option(
        help:
            "Carry the cohort as centroids, each the mean of this many people's templates (at least 5; each person with the nearest others), so that the watchlist holds no stranger's face. The first accepted photo of each sub-folder of --cohort-from is that person's. Without --threshold, the threshold measured for centroid cohorts is stored (README, \"A cohort that is nobody\")."
    )
    var cohortCentroids: Int?

    @Flag(help: "Write the watchlist even when some photos are refused (they are still listed).")
    var allowRejections = false

    @Option(help: .faceChoice)
    var face: FaceChoice = .only

    @Option(
        help:
            "CSV of image_path,face_box marking the subject's face in photos of --from that hold several people: image_path relative to --from (<subject>/<file>), face_box 'x y width height' in pixels. The face on the mark is enrolled whatever --face says; the photo is refused when no face, or more than one, lies on it."
    )
    var faceBoxes: String?

    @Option(
        help:
            "A subject's several photos: separate (one template each) or fused (one template, their mean: more mated matches at both false-alert rates measured; without --threshold, the stricter one measured for fused lists is stored; README, \"Several photos per subject\")."
    )
    var photos: PhotoFusion = .separate

    @OptionGroup var models: ModelOptions

    func validate() throws {
        if let threshold, !(threshold > 0 && threshold < 2) {
            throw ValidationError("--threshold \(threshold) is out of range: use a score between 0 and 2")
        }
        if let cohortCentroids {
            if let refusal = CohortCentroids.refusal(peoplePerCentroid: cohortCentroids) {
                throw ValidationError(refusal)
            }
            guard cohortFrom != nil else {
                throw ValidationError(
                    "--cohort-centroids needs --cohort-from: the folder of people whose templates are averaged")
            }
        }
    }

    func run() throws {
        let logger = bootstrapLogging(verbose: false)
        let folder = try LabelledImageFolder(root: from, option: "--from")
        for empty in folder.emptyFolders { printError("skipped \(empty): no image files (jpg, png, ...)") }
        let cohortFolder = try cohortFrom.map { try LabelledImageFolder(root: $0, option: "--cohort-from") }
        let marks = try faceBoxes.map { try FaceBoxFile(path: $0, folder: folder).marks } ?? [:]
        let builder = WatchlistBuilder(
            enroller: try ModelStore.locate(explicit: models.directory).makeEnroller(), choice: face, photos: photos,
            cohortCentroids: cohortCentroids)
        let list = builder.enrol(
            subjects: folder.labels.enumerated().map { index, label in
                WatchlistBuilder.Subject(
                    line: index + 1, id: label.name, photos: label.images.map(WatchlistBuilder.Photo.file),
                    marks: label.images.map { marks[$0].map(Box.init) })
            },
            cohort: (cohortFolder?.labels ?? []).enumerated().map { .init(line: $0 + 1, photos: $1.images) })
        let refused = list.refusals.filter { $0.image != nil }
        for refusal in refused { printError("refused \(refusal.image ?? ""): \(refusal.reason)") }
        guard refused.isEmpty || allowRejections else {
            throw CommandFailure(
                "\(refused.count) photo(s) refused (listed above); replace them, or pass --allow-rejections to enrol the rest"
            )
        }
        let entries = list.entries, cohort = list.cohort
        guard !entries.isEmpty else { throw CommandFailure("no subject could be enrolled from \(from)") }
        let fusedSeveral = photos == .fused && list.severalPhotos
        var table = MeasuredThresholds.table(for: .recommended, cohortFaces: cohort.count)
        var stored = threshold
        if let perCentroid = cohortCentroids {
            guard !list.cohortTooSmall else {
                throw CommandFailure(
                    "--cohort-centroids \(perCentroid): --cohort-from \(cohortFrom ?? "") gave the faces of \(list.cohortFacesEnrolled) people, fewer than one centroid averages; add people, or leave out --cohort-centroids"
                )
            }
            guard !fusedSeveral || threshold != nil else {
                throw CommandFailure(
                    "--photos fused with --cohort-centroids has no measured default threshold: give --threshold, or enrol one of the two ways"
                )
            }
            // A plain file does not say its cohort is centroids, so the threshold measured for them travels in it.
            table = MeasuredThresholds.centroidCohort
            stored = stored ?? table.threshold(listSize: entries.count)
        } else if fusedSeveral {
            // Nor that its templates are fused: the stricter threshold measured for fused lists travels in it too.
            stored =
                stored
                ?? MeasuredThresholds.threshold(
                    for: .recommended, cohortFaces: cohort.count, listSize: entries.count, enrolment: .fused)
        }
        if threshold == nil, entries.count > table.largestSize {
            logger.warning(
                "the default threshold was measured for lists of up to \(table.largestSize) people; false alerts grow with the list: evaluate a list of \(entries.count) (coordinator evaluate --list-sizes) and pass --threshold"
            )
        }
        try TemplateWatchlist(threshold: stored, rule: .recommended, entries: entries, cohort: cohort).save(path: out)
        logger.info(
            "watchlist written",
            metadata: [
                "file": "\(out)", "subjects": "\(entries.count)",
                "templates": "\(entries.reduce(0) { $0 + $1.templates.count })",
                "cohort": "\(cohort.count)\(cohortCentroids.map { " centroids of \($0)+ people" } ?? "")",
                "threshold": "\(stored.map { "\($0)" } ?? "chosen when run")", "refused": "\(refused.count)",
            ])
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
