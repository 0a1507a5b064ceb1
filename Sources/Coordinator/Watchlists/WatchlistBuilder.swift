import CoordinatorRecord
import FaceEngine
import FaceTemplates
import Foundation
import Shared

/// Builds an unsigned watchlist bundle from a manifest's subjects and a cohort of people not
/// sought, through the quality-gated enrolment. The one implementation behind
/// `coordinator watchlist build`, and what the control room's watchlist page calls.
/// Refused photos are returned with their reason, never silently dropped.
struct WatchlistBuilder {
    /// What the bundle is bound to.
    struct Binding {
        var deploymentID: String
        var watchlistID: String
        var version: UInt64
        var notBefore: Date?
        var expiresAt: Date
        var threshold: Float
    }

    /// A photo to enrol: a file on disk (the CLI's manifest) or the bytes of an uploaded one (the web's).
    enum Photo: Equatable {
        case file(String)
        case uploaded(name: String, bytes: [UInt8])

        var name: String {
            switch self {
            case .file(let path): path
            case .uploaded(let name, _): name
            }
        }
    }

    /// One subject's row: where it is in the manifest, its id, its photos in manifest order and
    /// where its face is marked in them.
    struct Subject {
        let line: Int
        let id: String
        let photos: [Photo]
        /// The marked face of each photo (nil, or fewer marks than photos: none marked).
        let marks: [Box?]

        /// A manifest file's subject, its photos on disk.
        init(_ subject: WatchlistManifest.Subject) {
            self.init(
                line: subject.line, id: subject.id, photos: subject.images.map(Photo.file),
                marks: subject.faceMarks.map { $0.map(Box.init) })
        }

        init(line: Int, id: String, photos: [Photo], marks: [Box?] = []) {
            self.line = line
            self.id = id
            self.photos = photos
            self.marks = marks
        }

        func mark(ofPhoto index: Int) -> Box? { index < marks.count ? marks[index] : nil }
    }

    /// A photo that could not be enrolled, with where it came from and why.
    struct Refusal: Equatable, CustomStringConvertible {
        enum Origin: Equatable {
            case subject(line: Int, id: String)
            case cohort(line: Int)
            /// The cohort as a whole (too few people for one centroid).
            case wholeCohort
        }

        let origin: Origin
        /// The photo, or nil when the whole subject was left out.
        let image: String?
        let reason: String

        var description: String {
            switch (origin, image) {
            case (.subject(let line, let id), let image?): "line \(line), subject \(id), \(image): \(reason)"
            case (.subject(let line, let id), nil): "line \(line), subject \(id): \(reason)"
            case (.cohort(let line), let image): "cohort line \(line), \(image ?? ""): \(reason)"
            case (.wholeCohort, _): "cohort: \(reason)"
            }
        }
    }

    struct Outcome {
        /// Nil when no subject could be enrolled.
        let bundle: WatchlistBundle?
        let refusals: [Refusal]
    }

    let enroller: FaceEnroller
    /// Which face of a photo with several is the subject's.
    var choice: FaceChoice = .only
    /// Whether a subject's several photos make one template or one each.
    var photos: PhotoFusion = .separate
    /// Carry the cohort as centroids of this many people (nearest grouped), so that the bundle
    /// holds no stranger's face; the cohort given must then be one photo per person. Nil: the faces.
    var cohortCentroids: Int?

    /// Enrols every photo and assembles the bundle.
    func build(
        subjects: [Subject], cohort: [(line: Int, path: String)], binding: Binding,
        now: Date = Date()
    ) -> Outcome {
        var entries: [WatchlistEntry] = [], refusals: [Refusal] = []
        var severalPhotos = false
        for subject in subjects {
            var templates: [FaceFeatures] = []
            for (index, photo) in subject.photos.enumerated() {
                switch enrol(photo, mark: subject.mark(ofPhoto: index)) {
                case .success(let t): templates.append(t)
                case .failure(let why):
                    refusals.append(
                        Refusal(
                            origin: .subject(line: subject.line, id: subject.id), image: photo.name,
                            reason: why.description))
                }
            }
            if templates.isEmpty {
                refusals.append(
                    Refusal(
                        origin: .subject(line: subject.line, id: subject.id), image: nil,
                        reason: "no usable photo, subject left out"))
            } else {
                severalPhotos = severalPhotos || templates.count > 1
                entries.append(WatchlistEntry(subject: subject.id, features: photos.templates(templates)))
            }
        }
        var cohortFaces: [FaceFeatures] = []
        for (line, image) in cohort {
            switch enroller.enrol(imageAt: image, choice: choice) {
            case .success(let face): cohortFaces.append(face)
            case .failure(let why):
                refusals.append(Refusal(origin: .cohort(line: line), image: image, reason: "\(why)"))
            }
        }
        if let perCentroid = cohortCentroids {
            let people = cohortFaces.count
            cohortFaces = CohortCentroids.make(from: cohortFaces, peoplePerCentroid: perCentroid, grouping: .nearest)
            if cohortFaces.isEmpty {
                refusals.append(
                    Refusal(
                        origin: .wholeCohort, image: nil,
                        reason:
                            "the faces of \(people) people are fewer than one centroid averages (\(perCentroid)); add people, or build without centroids"
                    ))
                return Outcome(bundle: nil, refusals: refusals)
            }
        }
        guard !entries.isEmpty else { return Outcome(bundle: nil, refusals: refusals) }
        // Whole seconds: the canonical payload stores them so.
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let rule = MatchingRule.recommended
        let bundle = WatchlistBundle(
            deploymentID: binding.deploymentID, watchlistID: binding.watchlistID, version: binding.version,
            issuedAt: issued,
            notBefore: binding.notBefore ?? issued, expiresAt: binding.expiresAt, embeddingModel: rule.embeddingModel,
            threshold: binding.threshold, rule: rule, entries: entries, cohort: cohortFaces,
            enrolment: ListEnrolment(photos: photos, severalPhotos: severalPhotos),
            peoplePerCohortTemplate: cohortCentroids ?? 1)
        return Outcome(bundle: bundle, refusals: refusals)
    }

    private func enrol(_ photo: Photo, mark: Box?) -> Result<FaceFeatures, CommandFailure> {
        switch photo {
        case .file(let path):
            return enroller.enrol(imageAt: path, choice: choice, mark: mark).mapError { CommandFailure("\($0)") }
        case .uploaded(let name, let bytes):
            let image: Image
            do { image = try Image(encoded: bytes, name: name) } catch {
                return .failure(CommandFailure("cannot be decoded as an image (\(error))"))
            }
            defer { image.wipe() }
            return enroller.enrol(image: image, choice: choice, mark: mark).mapError { CommandFailure("\($0)") }
        }
    }
}
