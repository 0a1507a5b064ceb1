import CoordinatorRecord
import Foundation
import Hummingbird

/// What a reports URL asks for: one deployment's report, a period's (days typed in the form, the
/// `to` day included), or, with neither, the index of deployments.
enum ReportRequest: Equatable {
    case index
    case deployment(String)
    case period(from: Date, to: Date, days: (from: String, to: String))

    static func == (a: ReportRequest, b: ReportRequest) -> Bool {
        switch (a, b) {
        case (.index, .index): true
        case (.deployment(let x), .deployment(let y)): x == y
        case (.period(let f1, let t1, _), .period(let f2, let t2, _)): f1 == f2 && t1 == t2
        default: false
        }
    }

    /// Reads the query; a period with a day that is not one is refused, naming the field.
    init(_ parameters: Parameters) throws {
        func text(_ name: String) -> String? {
            parameters[Substring(name)].map(String.init).flatMap {
                $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0
            }
        }
        if let deployment = text("deployment") {
            self = .deployment(deployment)
            return
        }
        let from = text("from"), to = text("to")
        guard from != nil || to != nil else {
            self = .index
            return
        }
        guard let from, let to else {
            throw FormRefusal(.missingField, from == nil ? "from" : "to", "a period needs both its first and last day")
        }
        func day(_ text: String, _ label: String) throws -> Date {
            try formTime(text.count == 10 ? text + "T00:00" : text, label)
        }
        let start = try day(from, "from"), last = try day(to, "to")
        self = .period(from: start, to: to.count == 10 ? last + 86_400 : last, days: (from, to))
    }

    /// The report it names, or nil for the index.
    func report(in database: CoordinatorDatabase, at now: Date) throws -> TransparencyReport? {
        switch self {
        case .index: nil
        case .deployment(let id): try TransparencyReport.make(deployment: id, in: database, at: now)
        case .period(let from, let to, _): try TransparencyReport.make(from: from, to: to, in: database, at: now)
        }
    }

    /// The query that names it again (for export links), and a file name for its exports.
    var query: (string: String, file: String) {
        var components = URLComponents()
        switch self {
        case .index: return ("", "report")
        case .deployment(let id):
            components.queryItems = [URLQueryItem(name: "deployment", value: id)]
            return (components.percentEncodedQuery ?? "", "report-\(id)")
        case .period(_, _, let days):
            components.queryItems = [
                URLQueryItem(name: "from", value: days.from), URLQueryItem(name: "to", value: days.to),
            ]
            return (components.percentEncodedQuery ?? "", "report-\(days.from)-\(days.to)")
        }
    }
}
