import CoordinatorRecord
import Foundation
import Hummingbird

/// The audit page's filters as the query string carries them (actor, action, target, from, to,
/// before), turned into the record's query, and back into links that keep them.
struct AuditPageFilters {
    /// Longest value shown whole in a cell; longer ones are cut, saying how long they were.
    static let shownCharacters = 160

    let actor: String?
    let action: String?
    let target: String?
    let from: String?
    let to: String?
    let before: Int64?

    init(_ parameters: Parameters) {
        func text(_ name: String) -> String? {
            parameters[Substring(name)].map(String.init).flatMap {
                $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0
            }
        }
        actor = text("actor")
        action = text("action")
        target = text("target")
        from = text("from")
        to = text("to")
        before = text("before").flatMap(Int64.init)
    }

    /// The record's query; a date that is not one is refused, naming the field.
    func query() throws -> AuditLog.Query {
        func day(_ text: String?, _ label: String) throws -> Date? {
            try text.map { try formTime($0.count == 10 ? $0 + "T00:00" : $0, label) }
        }
        // "to" names a day: entries of that whole day are shown.
        let end = try day(to, "to").map { to?.count == 10 ? $0 + 86_400 : $0 }
        return AuditLog.Query(
            actionPrefix: action, actor: actor, target: target, from: try day(from, "from"), to: end, before: before)
    }

    /// The form's values, to show the filters in force.
    var values: [String: Any] {
        ["actor": actor ?? "", "action": action ?? "", "target": target ?? "", "from": from ?? "", "to": to ?? ""]
    }

    /// This page's filters, starting before `before` (nil: from the newest).
    func link(before: Int64?) -> String {
        var items = [("actor", actor), ("action", action), ("target", target), ("from", from), ("to", to)]
            .compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        if let before { items.append(URLQueryItem(name: "before", value: "\(before)")) }
        var components = URLComponents()
        components.path = "/audit"
        components.queryItems = items.isEmpty ? nil : items
        return components.string ?? "/audit"
    }

    /// One entry as the table shows it: long values cut, the detail as key: value lines.
    static func row(_ entry: AuditEntry) -> [String: Any] {
        let detail =
            (try? JSONSerialization.jsonObject(with: Data(entry.detail.utf8)) as? [String: Any]).map { object in
                object.keys.sorted().map { key in ["key": shown(key), "value": shown("\(object[key] ?? "")")] }
            } ?? [["key": "detail", "value": shown(entry.detail)]]
        return [
            "seq": entry.sequence, "at": displayTime(entry.at), "actor": shown(entry.actor), "action": entry.action,
            "target": shown(entry.target), "detail": detail,
        ]
    }

    /// A value as a cell shows it: whole up to `shownCharacters`, else its start and its length.
    static func shown(_ value: String) -> String {
        value.count <= shownCharacters
            ? value : "\(value.prefix(shownCharacters))… (\(value.count) characters in all)"
    }
}
