import Refusals

/// A stored value the record cannot read as what it must be (an alert id that is not a UUID, a
/// role nobody knows): the database was changed outside Watchpost or is damaged. Thrown rather
/// than replaced by a default, which would put a made-up value on the record.
public struct DamagedRow: Refusal, Equatable {
    public enum Code: String, Sendable { case unreadableValue }
    public static let area = "record"
    public var code: Code { .unreadableValue }
    public var kind: RefusalKind { .damaged }
    public let table: String
    public let column: String
    /// The row's key, for whoever repairs it (never a subject id: alerts are named by their id).
    public let key: String
    public let value: String

    public var description: String {
        "the \(table) row \(key) holds '\(value.prefix(64))' in \(column), which Watchpost never writes: "
            + "run coordinator audit verify to see whether the record was changed, and restore it from a backup"
    }
}

extension DamagedRow {
    /// A stored word of one of the record's own vocabularies (a state, a decision, a choice) as its
    /// type; any other word is a damaged row, never a default.
    static func known<Value: RawRepresentable<String>>(
        _ text: String, table: String, column: String, key: String
    ) throws -> Value {
        guard let value = Value(rawValue: text) else {
            throw DamagedRow(table: table, column: column, key: key, value: text)
        }
        return value
    }
}
