import Foundation
import Shared

/// Demographic (or any other) group of each identity, from a CSV of `identity,group` lines, so
/// that error rates can be compared between groups as the NPL study of police LFR did.
public struct GroupLabels: Sendable, Equatable {
    public let groupOf: [String: String]

    public var groups: [String] { Set(groupOf.values).sorted() }

    public init(groupOf: [String: String]) { self.groupOf = groupOf }

    /// Parses the CSV; a first line `identity,group` is a header. Errors name the file and line.
    public init(csv: String, file: String) throws {
        var groupOf: [String: String] = [:]
        for (index, raw) in csv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || (index == 0 && line.lowercased() == "identity,group") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw EvaluationRefusal(
                    .groupsLineMalformed, file,
                    "groups file \(file) line \(index + 1): expected \"identity,group\", got \"\(line)\"")
            }
            if let earlier = groupOf[fields[0]], earlier != fields[1] {
                throw EvaluationRefusal(
                    .groupsIdentityInTwoGroups, fields[0],
                    "groups file \(file) line \(index + 1): \(fields[0]) is already in group \(earlier)")
            }
            groupOf[fields[0]] = fields[1]
        }
        guard !groupOf.isEmpty else {
            throw EvaluationRefusal(.groupsFileEmpty, file, "groups file \(file) has no identity,group lines")
        }
        self.groupOf = groupOf
    }

    public static func load(path: String) throws -> GroupLabels {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EvaluationRefusal(.groupsFileUnreadable, path, "groups file \(path) cannot be read as UTF-8 text")
        }
        return try GroupLabels(csv: text, file: path)
    }
}

/// Rates of one group at one threshold.
public struct GroupRates: Codable, Equatable, Sendable {
    public var group: String
    public var mated: Int
    public var nonMated: Int
    public var rates: RatePoint

    enum CodingKeys: String, CodingKey { case group, mated, nonMated = "non_mated", rates }
}

/// Per-group rates and the ratios between the best and worst group.
public struct GroupComparison: Codable, Equatable, Sendable {
    public var groups: [GroupRates]
    /// Highest TPIR over lowest (nil when a group has TPIR 0).
    public var tpirRatio: Double?
    /// Highest FPIR over lowest (nil when a group has FPIR 0: too few false alerts to compare).
    public var fpirRatio: Double?

    enum CodingKeys: String, CodingKey { case groups, tpirRatio = "tpir_ratio", fpirRatio = "fpir_ratio" }

    /// - Parameters: searches tagged with the probe's identity.
    public static func compare(
        mated: [(identity: String, search: MatedSearch)], nonMated: [(identity: String, distance: Float?)],
        labels: GroupLabels, threshold: Float
    ) -> GroupComparison {
        let rows = labels.groups.map { group -> GroupRates in
            let m = mated.filter { labels.groupOf[$0.identity] == group }.map(\.search)
            let n = nonMated.filter { labels.groupOf[$0.identity] == group }.map(\.distance)
            let metrics = IdentificationMetrics(mated: m, nonMatedDistances: n)
            return GroupRates(
                group: group, mated: metrics.mated.count, nonMated: metrics.nonMated.count,
                rates: metrics.rates(at: threshold))
        }
        func ratio(_ values: [Double]) -> Double? {
            guard let lo = values.min(), let hi = values.max(), lo > 0 else { return nil }
            return hi / lo
        }
        return GroupComparison(
            groups: rows, tpirRatio: ratio(rows.filter { $0.mated > 0 }.map(\.rates.tpir)),
            fpirRatio: ratio(rows.filter { $0.nonMated > 0 }.map(\.rates.fpir)))
    }
}
