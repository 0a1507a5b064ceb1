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
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CommandFailure("\(kind) \(path) cannot be read as UTF-8 text")
        }
        try self.init(text: text, name: path, kind: kind, columns: columns, folder: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Reads a manifest given as text (an upload); `name` is how errors name it.
    public init(text: String, name: String, kind: String, columns: [String], folder: String?) throws {
        let table = try CSVTable(text: text, file: name)
        let missing = columns.filter { !table.header.contains($0) }
        guard missing.isEmpty else {
            throw CommandFailure("\(kind) \(name) lacks the column(s) \(missing.joined(separator: ", ")); the header must be \(columns.joined(separator: ","))")
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
    public func resolve(_ image: String) -> String {
        guard let folder else { return URL(fileURLWithPath: image).lastPathComponent }
        return image.hasPrefix("/") ? image : folder + "/" + image
    }
}
