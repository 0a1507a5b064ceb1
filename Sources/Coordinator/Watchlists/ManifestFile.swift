import Foundation
import Shared

/// A CSV manifest of the watchlist tooling: read as UTF-8, its header checked for the columns
/// required, fields read by column name and photo paths taken relative to the manifest's folder.
struct ManifestFile {
    let path: String
    let rows: [(line: Int, fields: [String])]
    private let index: [String: Int]
    private let folder: String

    /// - Parameter kind: how errors name the file ("manifest", "cohort manifest").
    init(path: String, kind: String, columns: [String]) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CommandFailure("\(kind) \(path) cannot be read as UTF-8 text")
        }
        let table = try CSVTable(text: text, file: path)
        let missing = columns.filter { !table.header.contains($0) }
        guard missing.isEmpty else {
            throw CommandFailure("\(kind) \(path) lacks the column(s) \(missing.joined(separator: ", ")); the header must be \(columns.joined(separator: ","))")
        }
        self.path = path
        rows = table.rows
        index = Dictionary(uniqueKeysWithValues: table.header.enumerated().map { ($1, $0) })
        folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    /// The trimmed field of a required column.
    func field(_ name: String, of row: (line: Int, fields: [String])) -> String {
        row.fields[index[name]!].trimmingCharacters(in: .whitespaces)
    }

    /// The trimmed field of an optional column, nil when the file has no such column.
    func optionalField(_ name: String, of row: (line: Int, fields: [String])) -> String? {
        index[name].map { row.fields[$0].trimmingCharacters(in: .whitespaces) }
    }

    /// A photo path as written in the manifest, made absolute.
    func resolve(_ image: String) -> String { image.hasPrefix("/") ? image : folder + "/" + image }
}
