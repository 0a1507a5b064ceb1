import FaceTemplates
import Foundation
import Shared

/// Where a watchlist prepared in the control room stands: uploaded with its photos, being
/// enrolled, built into an unsigned bundle (then signed offline and the signatures uploaded),
/// failed to build, or taken into a planned deployment.
public enum WatchlistDraftState: String, Sendable, CaseIterable {
    case uploaded, building, built, failed, planned
}

/// What the bundle is bound to, as the intelligence team gives it at upload.
public struct WatchlistBinding: Sendable, Equatable {
    public var deploymentID: String
    public var watchlistID: String
    public var version: UInt64
    public var notBefore: Date?
    public var expiresAt: Date
    /// Nil: chosen from the evaluation report for FPIR <= 1e-3 at the list's size.
    public var threshold: Float?
    /// Which face of a photo with several is the subject's.
    public var faceChoice: FaceChoice
    /// A subject's several photos: one template each, or one, their mean.
    public var photos: PhotoFusion

    public init(
        deploymentID: String, watchlistID: String, version: UInt64, notBefore: Date?, expiresAt: Date,
        threshold: Float?,
        faceChoice: FaceChoice = .only, photos: PhotoFusion = .separate
    ) {
        self.deploymentID = deploymentID
        self.watchlistID = watchlistID
        self.version = version
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.threshold = threshold
        self.faceChoice = faceChoice
        self.photos = photos
    }

    /// The face choice a form or flag names; any other word is refused with the choices.
    public static func faceChoice(named name: String) throws -> FaceChoice {
        try choice(named: name, .unknownFaceChoice, "face choice")
    }

    /// The photo fusion a form or flag names; any other word is refused with the choices.
    public static func photos(named name: String) throws -> PhotoFusion {
        try choice(named: name, .unknownPhotosChoice, "photos")
    }

    private static func choice<Choice: RawRepresentable<String> & CaseIterable>(
        named name: String, _ code: WatchlistDraftRefusalCode, _ what: String
    ) throws -> Choice {
        guard let choice = Choice(rawValue: name) else {
            throw WatchlistDraftRefusal(
                code, name,
                "\(what) '\(name)' must be one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }
}

/// A manifest and its photos as uploaded.
public struct WatchlistUpload: Sendable {
    public var binding: WatchlistBinding
    public var manifestName: String
    public var manifestText: String
    /// Photo bytes by file name.
    public var photos: [String: [UInt8]]

    public init(binding: WatchlistBinding, manifestName: String, manifestText: String, photos: [String: [UInt8]]) {
        self.binding = binding
        self.manifestName = manifestName
        self.manifestText = manifestText
        self.photos = photos
    }
}

/// A prepared watchlist as recorded (photo bytes are loaded one at a time: `WatchlistDraftStore.photo`).
public struct WatchlistDraft: Sendable {
    public struct Photo: Sendable, Equatable {
        public var position: Int
        public var fileName: String
        /// Why enrolment refused it; nil when it was enrolled or not yet built.
        public var refusal: String?
        /// The subject's face marked in the manifest's `face_boxes`, or picked on the watchlist
        /// page; nil: none marked.
        public var mark: FaceMark?
        /// The faces found in a photo refused for holding several, for picking the subject's.
        public var facesFound: [FaceMark] = []
    }

    /// How the built list enrolled its subjects: by the photos enrolment accepted, once built.
    public var enrolment: ListEnrolment {
        ListEnrolment(
            photos: binding.photos,
            severalPhotos: subjects.contains { s in
                s.photos.filter { $0.refusal == nil }.count > 1
            })
    }

    public struct Subject: Sendable {
        public var subjectID: String
        public var line: Int
        public var displayName: String
        public var category: String
        public var reason: String
        /// An officer-safety warning from the manifest; nil when none.
        public var warning: String?
        public var imageSource: String
        public var legalBasis: String?
        public var under18: Bool?
        /// Nil until built; false when no photo could be enrolled and the subject was left out.
        public var enrolled: Bool?
        public var photos: [Photo]
    }

    /// What the build produced.
    public struct Build: Sendable, Equatable {
        public var at: Date
        public var subjects: Int
        public var templates: Int
        public var cohortFaces: Int
        public var threshold: Float
    }

    /// One valid signature on the bundle, and who uploaded it.
    public struct Signature: Sendable, Equatable {
        public var keyID: String
        public var publicKey: [UInt8]
        public var uploadedBy: String
        public var uploadedAt: Date
    }

    public var id: String
    public var binding: WatchlistBinding
    public var state: WatchlistDraftState
    public var failure: String?
    public var manifestName: String
    public var createdBy: String
    public var createdAt: Date
    public var build: Build?
    public var subjects: [Subject]
    public var signatures: [Signature]

    public var refusedPhotos: Int { subjects.reduce(0) { $0 + $1.photos.filter { $0.refusal != nil }.count } }
}

/// The keys whose signatures the nodes accept, by name (the config's `watchlists.signers`), and
/// how many the nodes require: what the watchlist page checks signatures against.
public struct WatchlistSigners: Sendable {
    public var names: [[UInt8]: String]
    public var required: Int

    public init(names: [[UInt8]: String] = [:], required: Int = 1) {
        self.names = names
        self.required = required
    }

    /// Whether the nodes would trust this key: a named one, or any key when none are named.
    public func trusts(_ publicKey: [UInt8]) -> Bool { names.isEmpty || names[publicKey] != nil }

    /// The signer's name, or the key's short id when the config does not name it.
    public func name(of publicKey: [UInt8]) -> String { names[publicKey] ?? "key \(signerKeyID(publicKey))" }

    /// Whether the signatures reach the number the nodes require.
    public func suffice(_ signatures: [WatchlistDraft.Signature]) -> Bool {
        signatures.filter { trusts($0.publicKey) }.count >= required
    }
}

/// What enrolling a draft produced: the unsigned bundle file (nil when nobody could be enrolled)
/// and every refused photo with its reason.
public struct WatchlistCompilation: Sendable {
    public struct Refusal: Sendable, Equatable {
        public var subjectID: String?
        /// The photo's position in its subject's list; nil when the whole subject was left out.
        public var position: Int?
        public var reason: String
        /// Where the faces were, when the photo was refused for holding several.
        public var facesFound: [FaceMark]

        public init(subjectID: String?, position: Int?, reason: String, facesFound: [FaceMark] = []) {
            self.subjectID = subjectID
            self.position = position
            self.reason = reason
            self.facesFound = facesFound
        }
    }

    public var bundleFile: [UInt8]?
    public var refusals: [Refusal]
    public var templates: Int
    public var cohortFaces: Int
    public var threshold: Float

    public init(bundleFile: [UInt8]?, refusals: [Refusal], templates: Int, cohortFaces: Int, threshold: Float) {
        self.bundleFile = bundleFile
        self.refusals = refusals
        self.templates = templates
        self.cohortFaces = cohortFaces
        self.threshold = threshold
    }
}

/// A draft's subjects with their photo bytes, handed to the enrolment.
public struct WatchlistBuildInput: Sendable {
    public struct Subject: Sendable {
        public var subjectID: String
        public var line: Int
        /// (file name, bytes, the face marked in it) in manifest order.
        public var photos: [(name: String, bytes: [UInt8], mark: FaceMark?)]
    }

    public var draftID: String
    public var binding: WatchlistBinding
    public var subjects: [Subject]
}

/// Enrols a draft's photos and computes the expected rates of a list: vision work the
/// coordinator provides to the control room, which links no vision code itself.
public protocol WatchlistCompiling: Sendable {
    func compile(_ input: WatchlistBuildInput) async throws -> WatchlistCompilation
    /// The expected TPIR/FPIR at this threshold and list size, from the configured evaluation report
    /// (its enrolment study when some subject has several photos).
    func expectedPerformance(threshold: Float, listSize: Int, enrolment: ListEnrolment, cohortFaces: Int) throws
        -> ExpectedPerformance
}
