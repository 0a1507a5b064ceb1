import ArgumentParser
import CommandLineOptions
import CoordinatorRecord
import Enrolment
import Evaluation
import FaceEngine
import FaceTemplates
import Foundation
import Shared

/// `coordinator watchlist`: the intelligence team's tools to build, sign and inspect bundles.
struct WatchlistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchlist", abstract: "Build, sign and inspect signed watchlist bundles.",
        subcommands: [Build.self, Sign.self, Show.self])

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Build an unsigned bundle from a manifest CSV and its photos, through the quality-gated enrolment.")

        @Option(
            help:
                "Manifest CSV: subject_id,display_name,category,reason,image_source,image_paths (';'-separated, relative to the manifest); optional face_boxes, one 'x y width height' (or empty) per photo, marks the subject's face in a group photo; optional warning, an officer-safety note for the operator (at most 200 characters)."
        )
        var manifest: String
        @Option(help: "Deployment the bundle is bound to.")
        var deployment: String
        @Option(help: "Watchlist id.")
        var watchlistID: String
        @Option(help: "Version; must be above the version the nodes hold.")
        var version: UInt64
        @Option(help: "Valid from (ISO 8601, e.g. 2026-12-01T08:00:00Z); default now.")
        var notBefore: String?
        @Option(help: "Valid until (ISO 8601).")
        var expires: String
        @Option(
            help:
                "Match threshold on the fused, cohort-normalised score (about 1 for a stranger); default: chosen from --evaluation for FPIR <= 1e-3 at this list's size."
        )
        var threshold: Float?
        @Option(
            help:
                "Cohort manifest CSV (image_path per line, relative to it): photos of people NOT sought, the force's own lawfully held images, used only to normalise scores. Without it the watchlist is its own cohort, which separates people less well for short lists (README, \"Accuracy\")."
        )
        var cohort: String?
        @Option(
            help:
                "Carry the cohort as centroids, each the mean of this many people's templates (at least 5; each person with the nearest others), so that the bundle holds no stranger's face. The cohort manifest then needs a person column (one photo per person is used), and --evaluation a report made with --cohort-centroids N --centroid-grouping nearest (README, \"A cohort that is nobody\")."
        )
        var cohortCentroids: Int?
        @Option(help: "Bundle file to write.")
        var out: String
        @Flag(help: "Write the bundle even when some photos are refused (they are still listed).")
        var allowRejections = false
        @Option(help: .faceChoice)
        var face: FaceChoice = .only
        @Option(
            help:
                "A subject's several photos: separate (one template each) or fused (one template, their mean: more mated matches at both false-alert rates measured). Either way a list with several photos per subject needs a stricter threshold than one photo each: --evaluation must then be a report made with --enrolment-study (README, \"Several photos per subject\")."
        )
        var photos: PhotoFusion = .separate
        @Option(
            help:
                "Evaluation report (coordinator evaluate --json) to print the expected TPIR/FPIR of this threshold and list size from."
        )
        var evaluation: String?
        @OptionGroup var models: ModelOptions

        func validate() throws {
            if let threshold, !(threshold > 0 && threshold < 2) {
                throw ValidationError("--threshold must be a score between 0 and 2")
            }
            guard !deployment.isEmpty, !watchlistID.isEmpty else {
                throw ValidationError("--deployment and --watchlist-id must not be empty")
            }
            let start = try notBefore.map { try parseTime($0, "--not-before") } ?? Date()
            guard try parseTime(expires, "--expires") > start else {
                throw ValidationError("--expires must be after --not-before")
            }
            if let cohortCentroids {
                if let refusal = CohortCentroids.refusal(peoplePerCentroid: cohortCentroids) {
                    throw ValidationError(refusal)
                }
                guard cohort != nil else {
                    throw ValidationError(
                        "--cohort-centroids needs --cohort: the manifest of people whose templates are averaged")
                }
            }
            guard threshold != nil || evaluation != nil else {
                throw ValidationError(
                    "give --threshold, or --evaluation with a coordinator evaluate --json report to choose it from")
            }
        }

        func run() throws {
            let subjects = try WatchlistManifest(path: manifest).subjects
            let cohortManifest = try cohort.map { try CohortManifest(path: $0) }
            let cohortPhotos = try cohortManifest?.people(forCentroids: cohortCentroids != nil) ?? []
            let perTemplate = cohortCentroids ?? 1
            let cohortKind = ExpectedRates.CohortKind(
                templates: cohortPhotos.count / perTemplate, peoplePerTemplate: perTemplate)
            let enrolment = EvaluationSearches.Enrolment(
                ListEnrolment(photos: photos, severalPhotos: subjects.contains { $0.images.count > 1 }))
            // Read before the slow enrolment, so that a bad report fails first; the manifest's size is the list's.
            let chosen =
                try threshold
                ?? ExpectedRates.threshold(
                    reportPath: evaluation!, fpir: 1e-3, listSize: subjects.count,
                    cohort: cohortKind, enrolment: enrolment)
            let expected = try evaluation.map {
                try ExpectedRates(
                    reportPath: $0, threshold: chosen, listSize: subjects.count, cohort: cohortKind,
                    enrolment: enrolment)
            }
            let builder = WatchlistBuilder(
                enroller: try ModelStore.locate(explicit: models.directory).makeEnroller(), choice: face,
                photos: photos,
                cohortCentroids: cohortCentroids)
            let binding = WatchlistBuilder.Binding(
                deploymentID: deployment, watchlistID: watchlistID, version: version,
                notBefore: try notBefore.map { try parseTime($0, "--not-before") },
                expiresAt: try parseTime(expires, "--expires"),
                threshold: chosen)
            let outcome = builder.build(
                subjects: subjects.map(WatchlistBuilder.Subject.init), cohort: cohortPhotos, binding: binding,
                now: Date())
            for refusal in outcome.refusals { FileHandle.standardError.write(Data("refused \(refusal)\n".utf8)) }
            guard outcome.refusals.isEmpty || allowRejections else {
                throw CommandFailure(
                    "\(outcome.refusals.count) refusal(s) listed above; replace the photos or pass --allow-rejections")
            }
            guard let bundle = outcome.bundle else {
                throw CommandFailure("no subject could be enrolled from \(manifest)")
            }
            try PrivateFile.write(
                SignedBundle(payload: bundle.payloadBytes()).fileBytes(), to: out, mode: .replaceAtomically)
            print(
                "built \(out): \(bundle.entries.count) subjects, \(bundle.templateCount) templates, \(bundle.cohort.count) cohort \(cohortCentroids == nil ? "faces" : "centroids"), threshold \(String(format: "%.3f", chosen)), unsigned; next: coordinator watchlist sign"
            )
            if let expected { print(expected.summary) }
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add your signature to a bundle, with your own key file.")

        @Option(help: "Bundle file (signed in place).")
        var bundle: String
        @Option(help: "Your private key file (0600).")
        var key: String

        func run() throws {
            let key = try SigningKeyFile.loadPrivate(path: key)
            let signed = try readBundle(bundle).signed(with: key)
            try PrivateFile.write(signed.fileBytes(), to: bundle, mode: .replaceAtomically)
            print(
                "signed \(bundle) as \(signerKeyID(Array(key.publicKey.rawRepresentation))); \(signed.signatures.count) signature(s)"
            )
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print who signed a bundle, its validity and counts.")

        @Option(help: "Bundle file.")
        var bundle: String
        @Option(help: "Evaluation report (coordinator evaluate --json) to print the expected TPIR/FPIR from.")
        var evaluation: String?

        func run() throws {
            let signed = try readBundle(bundle)
            let content: WatchlistBundle
            do { content = try WatchlistBundle.decode(payload: signed.payload) } catch {
                throw CommandFailure("bundle \(bundle) has a malformed payload: \(error)")
            }
            let iso = ISO8601DateFormatter()
            print(
                """
                deployment:      \(content.deploymentID)
                watchlist:       \(content.watchlistID) version \(content.version)
                issued:          \(iso.string(from: content.issuedAt))
                valid:           \(iso.string(from: content.notBefore)) to \(iso.string(from: content.expiresAt))
                embedding model: \(content.embeddingModel)
                threshold:       \(content.threshold)
                subjects:        \(content.entries.count) (\(content.templateCount) templates; \(content.enrolment))
                cohort:          \(content.cohortDescription)
                signatures:      \(signed.signatures.count)
                """)
            for s in signed.signatures {
                print("  \(signerKeyID(s.publicKey)) \(signed.isValid(s) ? "valid" : "INVALID")")
            }
            if let evaluation {
                print(
                    try ExpectedRates(
                        reportPath: evaluation, threshold: content.threshold, listSize: content.entries.count,
                        cohort: .init(content),
                        enrolment: .init(content.enrolment)
                    ).summary)
            }
        }
    }
}

private func readBundle(_ path: String) throws -> SignedBundle {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandFailure("bundle \(path) cannot be read")
    }
    do {
        return try SignedBundle.decode(
            fileBytes: Array(data), maxPayloadBytes: WatchlistBundle.Limits().maxPayloadBytes)
    } catch {
        throw CommandFailure("bundle \(path) is not a valid bundle file: \(error)")
    }
}
