import Foundation
import Refusals

/// Parses CSV text (RFC 4180: quoted fields may hold commas, quotes as "" and line breaks).
/// The first row is the header. Whatever a user's file holds, it either parses or is refused with
/// a `CSVRefusal` naming the file, line and column: repeated or empty column names, more than
/// `maxColumns` columns, fields over `maxFieldCharacters`, NUL characters, invalid UTF-8 and
/// unclosed quotes are refused; a leading byte-order mark is skipped.
public struct CSVTable: Sendable, Equatable {
    /// More columns than any manifest of ours has, by far; a header beyond it is not a manifest.
    public static let maxColumns = 64
    /// A reason or a list of photo names fits many times over.
    public static let maxFieldCharacters = 16 << 10

    public let header: [String]
    /// Data rows with the line each starts on (1-based).
    public let rows: [(line: Int, fields: [String])]

    public static func == (a: CSVTable, b: CSVTable) -> Bool {
        a.header == b.header && a.rows.map(\.line) == b.rows.map(\.line) && a.rows.map(\.fields) == b.rows.map(\.fields)
    }

    /// Parses a file's bytes, refusing invalid UTF-8 with the line it is on.
    public init(bytes: [UInt8], file: String) throws(CSVRefusal) {
        try self.init(text: try Self.utf8Text(bytes, file: file), file: file)
    }

    /// A file's bytes as text; invalid UTF-8 is refused with the line it is on, never replaced.
    public static func utf8Text(_ bytes: [UInt8], file: String) throws(CSVRefusal) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        let valid = validUTF8Prefix(bytes)
        let line = bytes[..<valid].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        throw CSVRefusal(
            .invalidUTF8, file: file, line: line, "is not UTF-8 text (byte \(valid + 1)): save it as UTF-8 CSV")
    }

    public init(text: String, file: String) throws(CSVRefusal) {
        var records: [(Int, [String])] = []
        var field = "", fieldLength = 0, fields: [String] = [], quoted = false, line = 1, recordLine = 1
        var body = Substring(text)
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        var chars = Array(body.replacingOccurrences(of: "\r\n", with: "\n")).makeIterator()
        var pending: Character? = nil
        func append(_ c: Character) throws(CSVRefusal) {
            fieldLength += 1
            guard fieldLength <= Self.maxFieldCharacters else {
                throw CSVRefusal(
                    .fieldTooLong, file: file, line: recordLine, column: fields.count + 1,
                    "has a field longer than \(Self.maxFieldCharacters) characters")
            }
            field.append(c)
        }
        func endField() throws(CSVRefusal) {
            fields.append(field)
            field = ""
            fieldLength = 0
            guard fields.count <= Self.maxColumns else {
                throw CSVRefusal(
                    .tooManyColumns, file: file, line: recordLine, "has more than \(Self.maxColumns) columns")
            }
        }
        func endRecord() throws(CSVRefusal) {
            try endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []
        }
        while let c = pending ?? chars.next() {
            pending = nil
            if c == "\0" {
                throw CSVRefusal(
                    .nulCharacter, file: file, line: line, column: fields.count + 1,
                    "holds a NUL character: it is not a text CSV file")
            }
            if quoted {
                if c == "\"" {
                    let next = chars.next()
                    if next == "\"" {
                        try append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    if c == "\n" { line += 1 }
                    try append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                try endField()
            } else if c == "\n" {
                try endRecord()
                line += 1
                recordLine = line
            } else {
                try append(c)
            }
        }
        guard !quoted else {
            throw CSVRefusal(
                .unclosedQuote, file: file, line: recordLine, column: fields.count + 1,
                "has a quoted field that is not closed")
        }
        if !field.isEmpty || !fields.isEmpty { try endRecord() }
        guard let first = records.first else {
            throw CSVRefusal(.empty, file: file, line: 1, "is empty: it needs a header row")
        }
        header = first.1.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            guard !name.isEmpty else {
                throw CSVRefusal(
                    .emptyColumnName, file: file, line: first.0, column: index + 1, "has a column without a name")
            }
            if let earlier = seen.updateValue(index, forKey: name) {
                throw CSVRefusal(
                    .repeatedColumn, file: file, line: first.0, column: index + 1,
                    "names the column '\(Self.shortened(name))' twice (columns \(earlier + 1) and \(index + 1)): keep one"
                )
            }
        }
        rows = records.dropFirst().map { (line: $0.0, fields: $0.1) }
        for row in rows where row.fields.count != header.count {
            throw CSVRefusal(
                .wrongFieldCount, file: file, line: row.line,
                "has \(row.fields.count) fields, the header has \(header.count)")
        }
    }

    /// How many leading bytes are valid UTF-8.
    private static func validUTF8Prefix(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser(), input = bytes.makeIterator(), valid = 0
        while case .valid(let scalar) = parser.parseScalar(from: &input) { valid += scalar.count }
        return valid
    }

    /// A name as an error may quote it: at most 40 characters.
    public static func shortened(_ text: String) -> String { text.count <= 40 ? text : text.prefix(40) + "…" }
}

/// Why a CSV file was refused, with where: the file, the line and, where it is one field's
/// fault, the column. `code` is what tests and callers match; `description` is what a user reads.
public struct CSVRefusal: Refusal, Equatable {
    public enum Code: String, Sendable {
        case empty, invalidUTF8, nulCharacter, unclosedQuote, fieldTooLong, tooManyColumns, emptyColumnName,
            repeatedColumn, wrongFieldCount
    }
    public static let area = "csv"
    public var kind: RefusalKind { .invalid }

    public let code: Code
    public let file: String
    public let line: Int
    public let column: Int?
    private let problem: String

    public init(_ code: Code, file: String, line: Int, column: Int? = nil, _ problem: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem
    }

    public var description: String {
        "\(file) line \(line)\(column.map { " column \($0)" } ?? "") \(problem)"
    }
}
