import CoordinatorRecord
import Foundation
import Shared

/// Photos of people who are not sought, used only to normalise match scores. Each row says where
/// the photo came from, as the watchlist's rows do: a cohort must be lawfully held by the force
/// (research datasets such as LFW are not). Columns: image_path (relative to the manifest), image_source.
struct CohortManifest {
    static let columns = ["image_path", "image_source"]

    /// (line, absolute path) per photo.
    let images: [(line: Int, path: String)]

    init(path: String) throws {
        let file = try ManifestFile(path: path, kind: "cohort manifest", columns: Self.columns)
        images = try file.rows.map { row in
            let image = file.field("image_path", of: row)
            guard !image.isEmpty else { throw CommandFailure("cohort manifest \(path) line \(row.line): image_path is empty") }
            guard !file.field("image_source", of: row).isEmpty else {
                throw CommandFailure("cohort manifest \(path) line \(row.line): image_source is empty; every cohort photo must say where it came from")
            }
            return (row.line, file.resolve(image))
        }
        guard !images.isEmpty else { throw CommandFailure("cohort manifest \(path) has no rows") }
    }
}
