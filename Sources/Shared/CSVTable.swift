import Foundation

/// Parses CSV text (RFC 4180: quoted fields may hold commas, quotes as "" and line breaks).
/// Errors name the line; the first row is returned as the header.
public struct CSVTable: Sendable, Equatable {
    public let header: [String]
    /// Data rows with the line each starts on (1-based).
    public let rows: [(line: Int, fields: [String])]

    public static func == (a: CSVTable, b: CSVTable) -> Bool {
        a.header == b.header && a.rows.map(\.line) == b.rows.map(\.line) && a.rows.map(\.fields) == b.rows.map(\.fields)
    }

    public init(text: String, file: String) throws {
        var records: [(Int, [String])] = []
        var field = "", fields: [String] = [], quoted = false, line = 1, recordLine = 1
        var chars = Array(text.replacingOccurrences(of: "\r\n", with: "\n")).makeIterator()
        var pending: Character? = nil
        func endRecord() {
            fields.append(field); field = ""
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []
        }
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = chars.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                fields.append(field); field = ""
            } else if c == "\n" {
                endRecord(); line += 1; recordLine = line
            } else {
                field.append(c)
            }
        }
        guard !quoted else { throw CommandFailure("\(file) line \(recordLine): a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let first = records.first else { throw CommandFailure("\(file) is empty: it needs a header row") }
        header = first.1.map { $0.trimmingCharacters(in: .whitespaces) }
        rows = records.dropFirst().map { (line: $0.0, fields: $0.1) }
        for row in rows where row.fields.count != header.count {
            throw CommandFailure("\(file) line \(row.line): \(row.fields.count) fields, the header has \(header.count)")
        }
    }
}
