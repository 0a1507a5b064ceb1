import FaceTemplates
import Foundation
import Shared

/// The intelligence team's description of a watchlist: one row per subject, with the reason the
/// person is on the list and where the photos came from. It stays at the coordinator; only the
/// opaque subject ids and templates go into the bundle.
public struct WatchlistManifest: Sendable {
    public static let columns = ["subject_id", "display_name", "category", "reason", "image_source", "image_paths"]
    /// Read when present; a deployment on the record requires them (`Subject.listed`).
    public static let recordColumns = ["legal_basis", "under_18"]
    /// Longest officer-safety warning kept: a line an officer reads on a phone, not a file.
    public static let maxWarningCharacters = 200

    /// Where the subject's face is in a photo that holds several (`face_boxes`).
    public typealias FaceMark = FaceTemplates.FaceMark

    public struct Subject: Sendable {
        public let line: Int
        public let id: String
        public let displayName: String
        public let category: String
        public let reason: String
        /// An officer-safety warning (optional column `warning`); nil when empty or absent.
        public let warning: String?
        public let imageSource: String
        /// Absolute paths (the manifest lists them relative to its own folder, separated by ';').
        public let images: [String]
        /// The marked face of each photo, in `images`' order (nil: none marked); empty without a `face_boxes` column.
        public let faceMarks: [FaceMark?]
        public let legalBasis: String?
        /// From `under_18`: `yes` or `no`.
        public let under18: Bool?

        /// The subject as a deployment records it, with `referencePhoto` (the first photo's bytes);
        /// throws when the manifest lacks what the record needs.
        public func listed(manifest: String, referencePhoto: [UInt8]) throws -> ListedSubject {
            try WatchlistManifest.listed(
                line: line, id: id, displayName: displayName, category: category, reason: reason, warning: warning,
                legalBasis: legalBasis, under18: under18, imageSource: imageSource, manifest: manifest,
                referencePhoto: referencePhoto)
        }
    }

    /// A manifest row as a deployment records it; throws, naming the row, when it lacks the
    /// legal basis or the under-18 answer that the record needs.
    static func listed(
        line: Int, id: String, displayName: String, category: String, reason: String, warning: String?,
        legalBasis: String?, under18: Bool?, imageSource: String, manifest: String, referencePhoto: [UInt8]
    ) throws -> ListedSubject {
        guard let legalBasis, !legalBasis.isEmpty else {
            throw ManifestRefusal(
                .missingLegalBasis, file: manifest, line: line,
                "manifest \(manifest) line \(line): legal_basis is missing or empty for \(id): a deployment records each subject's legal basis"
            )
        }
        guard let under18 else {
            throw ManifestRefusal(
                .missingUnder18, file: manifest, line: line,
                "manifest \(manifest) line \(line): under_18 is missing for \(id): say yes or no")
        }
        return ListedSubject(
            subjectID: id, displayName: displayName.isEmpty ? nil : displayName, category: category, reason: reason,
            warning: warning, legalBasis: legalBasis, imageSource: imageSource, under18: under18,
            referencePhoto: referencePhoto)
    }

    public let subjects: [Subject]

    /// Reads a manifest file; photo paths are relative to its folder.
    public init(path: String) throws {
        try self.init(ManifestFile(path: path, kind: "manifest", columns: Self.columns))
    }

    /// Reads a manifest uploaded with its photos; `image_paths` name the uploaded files.
    public init(uploadedText text: String, name: String) throws {
        try self.init(ManifestFile(text: text, name: name, kind: "manifest", columns: Self.columns, folder: nil))
    }

    private init(_ file: ManifestFile) throws {
        let path = file.path
        var seen = Set<String>()
        subjects = try file.rows.map { row in
            func field(_ name: String) -> String { file.field(name, of: row) }
            let id = field("subject_id")
            guard !id.isEmpty, id.utf8.count <= 128 else {
                throw ManifestRefusal(
                    .invalidSubjectID, file: path, line: row.line,
                    "manifest \(path) line \(row.line): subject_id is empty or longer than 128 bytes")
            }
            guard seen.insert(id).inserted else {
                throw ManifestRefusal(
                    .repeatedSubject, file: path, line: row.line,
                    "manifest \(path) line \(row.line): subject_id \(id) appears twice")
            }
            for required in ["category", "reason", "image_source"] where field(required).isEmpty {
                throw ManifestRefusal(
                    .emptyField, file: path, line: row.line,
                    "manifest \(path) line \(row.line): \(required) is empty; every entry must say why and from where")
            }
            let images = try field("image_paths").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.map { try file.resolve($0, line: row.line) }
            guard !images.isEmpty else {
                throw ManifestRefusal(
                    .noPhotos, file: path, line: row.line, "manifest \(path) line \(row.line): no image_paths for \(id)"
                )
            }
            let faceMarks = try Self.faceMarks(
                file.optionalField("face_boxes", of: row) ?? "", photos: images.count, line: row.line, path: path)
            let under18: Bool?
            switch file.optionalField("under_18", of: row)?.lowercased() {
            case nil, "": under18 = nil
            case "yes": under18 = true
            case "no": under18 = false
            case let other?:
                throw ManifestRefusal(
                    .invalidUnder18, file: path, line: row.line,
                    "manifest \(path) line \(row.line): under_18 is '\(other)'; write yes or no")
            }
            let warning = (file.optionalField("warning", of: row) ?? "").trimmingCharacters(in: .whitespaces)
            guard warning.count <= Self.maxWarningCharacters else {
                throw ManifestRefusal(
                    .warningTooLong, file: path, line: row.line,
                    "manifest \(path) line \(row.line): the warning for \(id) has \(warning.count) characters; keep it to \(Self.maxWarningCharacters), a line an officer can read at a glance"
                )
            }
            return Subject(
                line: row.line, id: id, displayName: field("display_name"), category: field("category"),
                reason: field("reason"), warning: warning.isEmpty ? nil : warning, imageSource: field("image_source"),
                images: images, faceMarks: faceMarks, legalBasis: file.optionalField("legal_basis", of: row),
                under18: under18)
        }
        guard !subjects.isEmpty else {
            throw ManifestRefusal(.noSubjects, file: path, line: 1, "manifest \(path) has no subject rows")
        }
    }

    /// `face_boxes`: one entry per photo, ';'-separated like `image_paths`, each empty or
    /// `x y width height` in pixels.
    private static func faceMarks(_ field: String, photos: Int, line: Int, path: String) throws -> [FaceMark?] {
        guard !field.isEmpty else { return [] }
        let entries = field.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard entries.count == photos else {
            throw ManifestRefusal(
                .faceBoxCount, file: path, line: line,
                "manifest \(path) line \(line): face_boxes has \(entries.count) entries for \(photos) photos; give one per photo, ';'-separated, empty where none is marked"
            )
        }
        return try entries.map { entry in
            guard !entry.isEmpty else { return nil }
            guard let mark = FaceMark(text: entry) else {
                throw ManifestRefusal(
                    .invalidFaceBox, file: path, line: line,
                    "manifest \(path) line \(line): face box '\(entry)' is not \(FaceMark.format)")
            }
            return mark
        }
    }
}
