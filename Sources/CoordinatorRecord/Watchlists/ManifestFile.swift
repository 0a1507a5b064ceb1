import Foundation
import Shared

/// A CSV manifest of the watchlist tooling: read as UTF-8, its header checked for the columns
/// required, fields read by column name. Photo paths are taken relative to the manifest's folder,
/// or, for a manifest uploaded with its photos, as the names of the uploaded files.
public struct ManifestFile: Sendable {
    public let path: String
    public let rows: [(line: Int, fields: [String])]
    private let index: [String: Int]
    /// Nil for an uploaded manifest: photos are named, not found on disk.
    private let folder: String?

    /// Reads a manifest from disk. - Parameter kind: how errors name the file ("manifest", "cohort manifest").
    public init(path: String, kind: String, columns: [String]) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestRefusal(
                .unreadable, file: path, line: 0, "\(kind) \(path) cannot be read: check the path and its permissions")
        }
        try self.init(
            table: try CSVTable(bytes: Array(data), file: path), name: path, kind: kind, columns: columns,
            folder: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Reads a manifest given as text (an upload); `name` is how errors name it.
    public init(text: String, name: String, kind: String, columns: [String], folder: String?) throws {
        try self.init(
            table: try CSVTable(text: text, file: name), name: name, kind: kind, columns: columns, folder: folder)
    }

    private init(table: CSVTable, name: String, kind: String, columns: [String], folder: String?) throws {
        let missing = columns.filter { !table.header.contains($0) }
        guard missing.isEmpty else {
            throw ManifestRefusal(
                .missingColumns, file: name, line: 1,
                "\(kind) \(name) lacks the column(s) \(missing.joined(separator: ", ")); the header must be \(columns.joined(separator: ","))"
            )
        }
        path = name
        rows = table.rows
        index = Dictionary(uniqueKeysWithValues: table.header.enumerated().map { ($1, $0) })
        self.folder = folder
    }

    /// The trimmed field of a required column.
    public func field(_ name: String, of row: (line: Int, fields: [String])) -> String {
        row.fields[index[name]!].trimmingCharacters(in: .whitespaces)
    }

    /// The trimmed field of an optional column, nil when the file has no such column.
    public func optionalField(_ name: String, of row: (line: Int, fields: [String])) -> String? {
        index[name].map { row.fields[$0].trimmingCharacters(in: .whitespaces) }
    }

    /// A photo as written in the manifest: an absolute path on disk, or for an upload the file
    /// name (browsers send the name without its folder).
    /// An uploaded photo's name may not name a folder: `../x.jpg` is refused, not read as `x.jpg`.
    public func resolve(_ image: String, line: Int) throws -> String {
        guard let folder else {
            guard !image.contains("/"), !image.contains("\\"), image != "..", image != "." else {
                throw ManifestRefusal(
                    .photoPathNotAName, file: path, line: line,
                    "\(path) line \(line): photo name '\(CSVTable.shortened(image))' names a folder; an uploaded manifest names its photos by file name only"
                )
            }
            return image
        }
        return image.hasPrefix("/") ? image : folder + "/" + image
    }
}
