import CoordinatorRecord
import Enrolment
import FaceEngine
import Foundation
import Shared

/// Photos of people who are not sought, used only to normalise match scores. Each row says where
/// the photo came from, as the watchlist's rows do: a cohort must be lawfully held by the force
/// (research datasets such as LFW are not). Columns: image_path (relative to the manifest),
/// image_source, and optionally person (an opaque id of the person in the photo).
struct CohortManifest {
    static let columns = ["image_path", "image_source"]

    let path: String
    /// (line, absolute path) per photo.
    let images: [(line: Int, path: String)]
    /// The `person` of each photo, in `images`' order; nil when the manifest has no such column.
    let people: [String]?

    init(path: String) throws {
        let file = try ManifestFile(path: path, kind: "cohort manifest", columns: Self.columns)
        self.path = path
        let hasPersonColumn = file.rows.first.map { file.optionalField("person", of: $0) != nil } ?? false
        people =
            hasPersonColumn
            ? try file.rows.map { row in
                let person = file.optionalField("person", of: row) ?? ""
                guard !person.isEmpty else {
                    throw ManifestRefusal(
                        .emptyField, file: path, line: row.line,
                        "cohort manifest \(path) line \(row.line): person is empty; give every photo its person's id")
                }
                return person
            } : nil
        images = try file.rows.map { row in
            let image = file.field("image_path", of: row)
            guard !image.isEmpty else {
                throw ManifestRefusal(
                    .emptyField, file: path, line: row.line,
                    "cohort manifest \(path) line \(row.line): image_path is empty")
            }
            guard !file.field("image_source", of: row).isEmpty else {
                throw ManifestRefusal(
                    .emptyField, file: path, line: row.line,
                    "cohort manifest \(path) line \(row.line): image_source is empty; every cohort photo must say where it came from"
                )
            }
            return (row.line, try file.resolve(image, line: row.line))
        }
        guard !images.isEmpty else {
            throw ManifestRefusal(.noSubjects, file: path, line: 1, "cohort manifest \(path) has no rows")
        }
    }

    /// The first photo of each person, for centroids, which must average people, not photos.
    func firstPhotoPerPerson() throws -> [(line: Int, path: String)] {
        guard let people else {
            throw ManifestRefusal(
                .missingColumns, file: path, line: 1,
                "cohort manifest \(path) has no person column: centroids must average people, not photos, so say whose each photo is"
            )
        }
        var seen = Set<String>()
        return zip(images, people).filter { seen.insert($0.1).inserted }.map(\.0)
    }

    /// The cohort as the builder takes it: every photo, or with centroids each person's first.
    func people(forCentroids centroids: Bool) throws -> [WatchlistBuilder.CohortPerson] {
        try (centroids ? firstPhotoPerPerson() : images).map { .init(line: $0.line, photos: [$0.path]) }
    }
}

extension WatchlistBuilder.Subject {
    /// A manifest file's subject, its photos on disk.
    init(_ subject: WatchlistManifest.Subject) {
        self.init(
            line: subject.line, id: subject.id, photos: subject.images.map(WatchlistBuilder.Photo.file),
            marks: subject.faceMarks.map { $0.map(Box.init) })
    }
}
