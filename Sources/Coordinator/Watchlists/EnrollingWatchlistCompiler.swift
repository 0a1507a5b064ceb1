import CoordinatorRecord
import Enrolment
import Evaluation
import FaceEngine
import FaceTemplates
import Foundation
import Shared

/// The vision work behind the control room's watchlist pages: enrols an uploaded draft through
/// the same `WatchlistBuilder` as `coordinator watchlist build`, with the configured cohort, and
/// reads expected rates from the configured evaluation report. Enrolment runs on its own serial
/// queue (seconds per list), never on the web server's threads; the models load on first use.
final class EnrollingWatchlistCompiler: WatchlistCompiling, @unchecked Sendable {
    struct Settings: Sendable {
        /// Models folder; nil: `ModelStore.locate` (WATCHPOST_MODELS or the installed models).
        var modelDirectory: String?
        /// Cohort manifest (`watchlists.cohort`): people not sought, to normalise scores.
        var cohortManifest: String?
        /// Carry the cohort as centroids of this many people each (`watchlists.cohort_centroids`),
        /// as `watchlist build --cohort-centroids` does; nil: the faces.
        var cohortCentroids: Int?
        /// `coordinator evaluate --json` report (`watchlists.evaluation`).
        var evaluationReport: String?
    }

    private let settings: Settings
    private let clock: WallClock
    private let queue = DispatchQueue(label: "watchpost.watchlist-enrolment")
    /// Touched only on `queue`.
    private var builder: WatchlistBuilder?

    init(settings: Settings, clock: WallClock = .system) {
        self.settings = settings
        self.clock = clock
    }

    func compile(_ input: WatchlistBuildInput) async throws -> WatchlistCompilation {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try self.compileOnQueue(input) }) }
        }
    }

    func expectedPerformance(threshold: Float, listSize: Int, enrolment: ListEnrolment, cohortFaces: Int) throws
        -> ExpectedPerformance
    {
        try ExpectedRates(
            reportPath: try evaluationReport(), threshold: threshold, listSize: listSize,
            cohort: cohortKind(templates: cohortFaces), enrolment: .init(enrolment)
        ).performance
    }

    /// A cohort of this many templates under the configured cohort; none is the list's own.
    private func cohortKind(templates: Int) -> ExpectedRates.CohortKind {
        .init(templates: templates, peoplePerTemplate: templates > 0 ? settings.cohortCentroids ?? 1 : 1)
    }

    private func evaluationReport() throws -> String {
        guard let report = settings.evaluationReport else {
            throw CommandFailure(
                "no evaluation report is configured: set watchlists.evaluation to a coordinator evaluate --json report")
        }
        return report
    }

    private func compileOnQueue(_ input: WatchlistBuildInput) throws -> WatchlistCompilation {
        let manifest = try settings.cohortManifest.map { try CohortManifest(path: $0) }
        let cohort = try manifest?.people(forCentroids: settings.cohortCentroids != nil) ?? []
        let threshold: Float
        if let given = input.binding.threshold {
            threshold = given
        } else {
            let enrolment = ListEnrolment(
                photos: input.binding.photos,
                severalPhotos: input.subjects.contains { $0.photos.count > 1 })
            threshold = try ExpectedRates.threshold(
                reportPath: try evaluationReport(), fpir: 1e-3, listSize: input.subjects.count,
                cohort: cohortKind(templates: cohort.count / (settings.cohortCentroids ?? 1)),
                enrolment: .init(enrolment))
        }
        if builder == nil {
            builder = WatchlistBuilder(
                enroller: try ModelStore.locate(explicit: settings.modelDirectory).makeEnroller())
        }
        let b = input.binding
        builder!.choice = b.faceChoice
        builder!.photos = b.photos
        builder!.cohortCentroids = settings.cohortCentroids
        let outcome = builder!.build(
            subjects: input.subjects.map { s in
                WatchlistBuilder.Subject(
                    line: s.line, id: s.subjectID, photos: s.photos.map { .uploaded(name: $0.name, bytes: $0.bytes) },
                    marks: s.photos.map { $0.mark.map(Box.init) })
            },
            cohort: cohort,
            binding: .init(
                deploymentID: b.deploymentID, watchlistID: b.watchlistID, version: b.version, notBefore: b.notBefore,
                expiresAt: b.expiresAt, threshold: threshold), now: clock.now())
        let photoNames = Dictionary(
            input.subjects.map { ($0.subjectID, $0.photos.map(\.name)) }, uniquingKeysWith: { first, _ in first })
        let refusals = outcome.refusals.map { r -> WatchlistCompilation.Refusal in
            switch r.origin {
            case .subject(_, let id):
                WatchlistCompilation.Refusal(
                    subjectID: id, position: r.image.flatMap { photoNames[id]?.firstIndex(of: $0) }, reason: r.reason,
                    facesFound: r.facesFound)
            case .cohort, .wholeCohort:
                WatchlistCompilation.Refusal(subjectID: nil, position: nil, reason: r.description)
            }
        }
        return WatchlistCompilation(
            bundleFile: outcome.bundle.map { SignedBundle(payload: $0.payloadBytes()).fileBytes() }, refusals: refusals,
            templates: outcome.bundle?.templateCount ?? 0, cohortFaces: outcome.bundle?.cohort.count ?? 0,
            threshold: threshold)
    }
}
