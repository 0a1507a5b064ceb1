import FaceEngine
import FaceTemplates
import Foundation
import Shared

/// Enrols a list's subjects and a cohort of people not sought through the quality-gated
/// enrolment, and builds an unsigned watchlist bundle from them. The one implementation behind
/// `coordinator watchlist build`, the control room's watchlist page and `edge-node enrol`.
/// Refused photos are returned with their reason, never silently dropped.
public struct WatchlistBuilder {
    /// What the bundle is bound to.
    public struct Binding: Sendable {
        public var deploymentID: String
        public var watchlistID: String
        public var version: UInt64
        public var notBefore: Date?
        public var expiresAt: Date
        public var threshold: Float

        public init(
            deploymentID: String, watchlistID: String, version: UInt64, notBefore: Date?, expiresAt: Date,
            threshold: Float
        ) {
            self.deploymentID = deploymentID
            self.watchlistID = watchlistID
            self.version = version
            self.notBefore = notBefore
            self.expiresAt = expiresAt
            self.threshold = threshold
        }
    }

    /// A photo to enrol: a file on disk (the CLI's manifest) or the bytes of an uploaded one (the web's).
    public enum Photo: Equatable, Sendable {
        case file(String)
        case uploaded(name: String, bytes: [UInt8])

        public var name: String {
            switch self {
            case .file(let path): path
            case .uploaded(let name, _): name
            }
        }
    }

    /// One subject's row: where it is in the manifest, its id, its photos in manifest order and
    /// where its face is marked in them.
    public struct Subject: Sendable {
        public let line: Int
        public let id: String
        public let photos: [Photo]
        /// The marked face of each photo (nil, or fewer marks than photos: none marked).
        public let marks: [Box?]

        public init(line: Int, id: String, photos: [Photo], marks: [Box?] = []) {
            self.line = line
            self.id = id
            self.photos = photos
            self.marks = marks
        }

        func mark(ofPhoto index: Int) -> Box? { index < marks.count ? marks[index] : nil }
    }

    /// One person of the cohort: where they are listed and their photos. Without centroids every
    /// photo is a cohort face; with them, the person's first accepted photo is.
    public struct CohortPerson: Sendable {
        public let line: Int
        public let photos: [String]

        public init(line: Int, photos: [String]) {
            self.line = line
            self.photos = photos
        }
    }

    /// A photo that could not be enrolled, with where it came from and why.
    public struct Refusal: Equatable, Sendable, CustomStringConvertible {
        public enum Origin: Equatable, Sendable {
            case subject(line: Int, id: String)
            case cohort(line: Int)
            /// The cohort as a whole (too few people for one centroid).
            case wholeCohort
        }

        public let origin: Origin
        /// The photo, or nil when the whole subject was left out.
        public let image: String?
        public let reason: String
        /// Where the faces were, when the photo was refused for holding several (for picking one).
        public var facesFound: [FaceMark] = []

        public var description: String {
            switch (origin, image) {
            case (.subject(let line, let id), let image?): "line \(line), subject \(id), \(image): \(reason)"
            case (.subject(let line, let id), nil): "line \(line), subject \(id): \(reason)"
            case (.cohort(let line), let image): "cohort line \(line), \(image ?? ""): \(reason)"
            case (.wholeCohort, _): "cohort: \(reason)"
            }
        }
    }

    /// The templates of a list and its cohort, before they are bound into a bundle or a file.
    public struct EnrolledList {
        public let entries: [WatchlistEntry]
        /// The cohort's faces, or its centroids.
        public let cohort: [FaceFeatures]
        public let refusals: [Refusal]
        /// Cohort faces enrolled before any centroid averaged them (with centroids: people).
        public let cohortFacesEnrolled: Int
        /// Whether some subject has more than one accepted photo.
        public let severalPhotos: Bool

        /// Too few cohort people for one centroid: nothing can be built from it.
        public var cohortTooSmall: Bool { refusals.contains { $0.origin == .wholeCohort } }
    }

    /// What `build` made.
    public struct Outcome {
        /// Nil when no subject could be enrolled.
        public let bundle: WatchlistBundle?
        public let refusals: [Refusal]
    }

    public let enroller: FaceEnroller
    /// Which face of a photo with several is the subject's.
    public var choice: FaceChoice = .only
    /// Whether a subject's several photos make one template or one each.
    public var photos: PhotoFusion = .separate
    /// Carry the cohort as centroids of this many people (nearest grouped), so that the list
    /// holds no stranger's face. Nil: the faces.
    public var cohortCentroids: Int?

    public init(
        enroller: FaceEnroller, choice: FaceChoice = .only, photos: PhotoFusion = .separate, cohortCentroids: Int? = nil
    ) {
        self.enroller = enroller
        self.choice = choice
        self.photos = photos
        self.cohortCentroids = cohortCentroids
    }

    /// Enrols every photo and assembles the bundle, issued `now`.
    public func build(subjects: [Subject], cohort: [CohortPerson], binding: Binding, now: Date) -> Outcome {
        let list = enrol(subjects: subjects, cohort: cohort)
        guard !list.entries.isEmpty, !list.cohortTooSmall else { return Outcome(bundle: nil, refusals: list.refusals) }
        // Whole seconds: the canonical payload stores them so.
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let rule = MatchingRule.recommended
        let bundle = WatchlistBundle(
            deploymentID: binding.deploymentID, watchlistID: binding.watchlistID, version: binding.version,
            issuedAt: issued,
            notBefore: binding.notBefore ?? issued, expiresAt: binding.expiresAt, embeddingModel: rule.embeddingModel,
            threshold: binding.threshold, rule: rule, entries: list.entries, cohort: list.cohort,
            enrolment: ListEnrolment(photos: photos, severalPhotos: list.severalPhotos),
            peoplePerCohortTemplate: cohortCentroids ?? 1)
        return Outcome(bundle: bundle, refusals: list.refusals)
    }

    /// Enrols every subject's photos and the cohort, without binding them to anything.
    public func enrol(subjects: [Subject], cohort: [CohortPerson]) -> EnrolledList {
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
                            reason: why.description, facesFound: why.faces.map(\.mark)))
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
        for person in cohort {
            for image in person.photos {
                switch enroller.enrol(imageAt: image, choice: choice) {
                case .success(let face): cohortFaces.append(face)
                case .failure(let why):
                    refusals.append(Refusal(origin: .cohort(line: person.line), image: image, reason: "\(why)"))
                    continue
                }
                // A centroid averages people, not photos: then one face per person.
                if cohortCentroids != nil { break }
            }
        }
        let enrolled = cohortFaces.count
        if let perCentroid = cohortCentroids {
            cohortFaces = CohortCentroids.make(from: cohortFaces, peoplePerCentroid: perCentroid, grouping: .nearest)
            if cohortFaces.isEmpty {
                refusals.append(
                    Refusal(
                        origin: .wholeCohort, image: nil,
                        reason:
                            "the faces of \(enrolled) people are fewer than one centroid averages (\(perCentroid)); add people, or build without centroids"
                    ))
            }
        }
        return EnrolledList(
            entries: entries, cohort: cohortFaces, refusals: refusals, cohortFacesEnrolled: enrolled,
            severalPhotos: severalPhotos)
    }

    /// Why one photo gave no template.
    private struct PhotoRefused: Error, CustomStringConvertible {
        let description: String
        var faces: [Box] = []
    }

    private func enrol(_ photo: Photo, mark: Box?) -> Result<FaceFeatures, PhotoRefused> {
        switch photo {
        case .file(let path):
            return enroller.enrol(imageAt: path, choice: choice, mark: mark).mapError {
                PhotoRefused(description: "\($0)", faces: $0.facesFound)
            }
        case .uploaded(let name, let bytes):
            let image: Image
            do { image = try Image(encoded: bytes, name: name) } catch {
                return .failure(PhotoRefused(description: "cannot be decoded as an image (\(error))"))
            }
            defer { image.wipe() }
            return enroller.enrol(image: image, choice: choice, mark: mark).mapError {
                PhotoRefused(description: "\($0)", faces: $0.facesFound)
            }
        }
    }
}
