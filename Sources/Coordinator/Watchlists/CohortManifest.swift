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
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CommandFailure("cohort manifest \(path) cannot be read as UTF-8 text")
        }
        let table = try CSVTable(text: text, file: path)
        let missing = Self.columns.filter { !table.header.contains($0) }
        guard missing.isEmpty else {
            throw CommandFailure("cohort manifest \(path) lacks the column(s) \(missing.joined(separator: ", ")); the header must be \(Self.columns.joined(separator: ","))")
        }
        let index = Dictionary(uniqueKeysWithValues: table.header.enumerated().map { ($1, $0) })
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        images = try table.rows.map { row in
            func field(_ name: String) -> String { row.fields[index[name]!].trimmingCharacters(in: .whitespaces) }
            let image = field("image_path")
            guard !image.isEmpty else { throw CommandFailure("cohort manifest \(path) line \(row.line): image_path is empty") }
            guard !field("image_source").isEmpty else {
                throw CommandFailure("cohort manifest \(path) line \(row.line): image_source is empty; every cohort photo must say where it came from")
            }
            return (row.line, image.hasPrefix("/") ? image : folder + "/" + image)
        }
        guard !images.isEmpty else { throw CommandFailure("cohort manifest \(path) has no rows") }
    }
}
