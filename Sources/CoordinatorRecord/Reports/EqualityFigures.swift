import Foundation
import GRDB
import Shared

/// Alerts by the group recorded at the stop (self-defined ethnicity, sex), as the equality duty
/// asks a force to monitor: for each group the stops, how many the operator had confirmed, how
/// many were the person sought, and the false alerts (not the person), with 95% intervals; and a
/// flag when a group's share of the false alerts is outside what its share of stops predicts.
/// Only a stop records a group: alerts the operator rejected, or nobody engaged, have none.
public struct EqualityFigures: Sendable, Encodable, Equatable {
    /// One recorded group.
    public struct Group: Sendable, Encodable, Equatable {
        public var group: String
        /// Alerts that ended in a stop recording this group.
        public var stops = 0
        /// Of those, the operator's review had been `match` (not `unsure`).
        public var operatorConfirmed = 0
        public var verified = 0
        /// Stops of a person who was not the one sought.
        public var falseAlerts = 0
        /// False alerts per stop of this group, with its 95% (Clopper-Pearson) interval.
        public var falseRate: Double?
        public var falseRateInterval: [Double] = [0, 1]
        /// This group's share of all stops recording a group, and of all their false alerts (95% interval).
        public var shareOfStops = 0.0
        public var shareOfFalseAlerts: Double?
        public var shareOfFalseAlertsInterval: [Double] = [0, 1]
        /// The group's share of false alerts is outside what its share of stops predicts: its
        /// share of stops lies outside the 95% interval of its share of false alerts.
        public var flagged = false
        /// The evaluation's FPIR for this group with its 95% interval, when the deployment's
        /// evaluation had groups of this name (`coordinator evaluate --groups`).
        public var evaluatedFPIR: [Double]?

        enum CodingKeys: String, CodingKey {
            case group, stops, verified, flagged
            case operatorConfirmed = "operator_confirmed", falseAlerts = "false_alerts", falseRate = "false_rate"
            case falseRateInterval = "false_rate_ci95", shareOfStops = "share_of_stops"
            case shareOfFalseAlerts = "share_of_false_alerts"
            case shareOfFalseAlertsInterval = "share_of_false_alerts_ci95", evaluatedFPIR = "evaluated_fpir"
        }
    }

    public var bySex: [Group]
    /// By the broad groups of the self-defined categories (`SelfDefinedEthnicity.broadGroup`).
    public var byEthnicity: [Group]
    /// Stops with no group recorded (each of sex and ethnicity is optional).
    public var stopsWithoutSex: Int
    public var stopsWithoutEthnicity: Int

    public var anyFlagged: Bool { (bySex + byEthnicity).contains(where: \.flagged) }

    enum CodingKeys: String, CodingKey {
        case bySex = "by_sex", byEthnicity = "by_ethnicity", stopsWithoutSex = "stops_without_sex"
        case stopsWithoutEthnicity = "stops_without_ethnicity"
    }

    /// One stop as the record holds it.
    struct Stop {
        var ethnicity: SelfDefinedEthnicity?
        var sex: RecordedSex?
        var confirmed: Bool
        var verified: Bool
        var falseAlert: Bool
    }

    /// The figures of these stops; `evaluated` gives the evaluation's FPIR interval by group name.
    static func make(_ stops: [Stop], evaluated: [String: [Double]] = [:]) -> EqualityFigures {
        let sexes = RecordedSex.allCases.map(\.rawValue)
        return EqualityFigures(
            bySex: groups(stops, names: sexes, of: { $0.sex?.rawValue }, evaluated: evaluated),
            byEthnicity: groups(stops, names: SelfDefinedEthnicity.broadGroups, of: { $0.ethnicity?.broadGroup }),
            stopsWithoutSex: stops.filter { $0.sex == nil }.count,
            stopsWithoutEthnicity: stops.filter { $0.ethnicity == nil }.count)
    }

    /// The stops of `db`'s alerts on deployments matching `scope` (an `IN (...)` subquery). The
    /// WHERE repeats the partial index's (`alert_stops`, v16), so that SQLite reads the index alone.
    static func stops(scope: String, arguments: StatementArguments, _ db: Database) throws -> [Stop] {
        try Row.fetchAll(db, sql: stopsSQL(scope: scope), arguments: arguments).map { row in
            let outcome: String? = row["outcome"]
            return Stop(
                ethnicity: (row["stop_ethnicity"] as String?).flatMap(SelfDefinedEthnicity.init),
                sex: (row["stop_sex"] as String?).flatMap(RecordedSex.init),
                confirmed: row["review"] == ReviewDecision.match.rawValue,
                verified: outcome == FieldOutcome.identityVerified.rawValue,
                falseAlert: outcome == FieldOutcome.notThePerson.rawValue)
        }
    }

    static func stopsSQL(scope: String) -> String {
        """
        SELECT review, outcome, stop_sex, stop_ethnicity FROM alert
        WHERE (stop_sex IS NOT NULL OR stop_ethnicity IS NOT NULL) AND deployment_id IN (\(scope))
        """
    }

    private static func groups(
        _ stops: [Stop], names: [String], of group: (Stop) -> String?, evaluated: [String: [Double]] = [:]
    ) -> [Group] {
        let recorded = stops.filter { group($0) != nil }
        let falseTotal = recorded.filter(\.falseAlert).count
        return names.compactMap { name -> Group? in
            let mine = recorded.filter { group($0) == name }
            guard !mine.isEmpty || evaluated[name] != nil else { return nil }
            var g = Group(group: name)
            g.stops = mine.count
            g.operatorConfirmed = mine.filter(\.confirmed).count
            g.verified = mine.filter(\.verified).count
            g.falseAlerts = mine.filter(\.falseAlert).count
            if g.stops > 0 {
                g.falseRate = Double(g.falseAlerts) / Double(g.stops)
                g.falseRateInterval = ClopperPearson.interval(successes: g.falseAlerts, trials: g.stops)
                g.shareOfStops = Double(g.stops) / Double(recorded.count)
            }
            if falseTotal > 0 {
                g.shareOfFalseAlerts = Double(g.falseAlerts) / Double(falseTotal)
                g.shareOfFalseAlertsInterval = ClopperPearson.interval(successes: g.falseAlerts, trials: falseTotal)
                g.flagged =
                    g.shareOfStops < g.shareOfFalseAlertsInterval[0] || g.shareOfStops > g.shareOfFalseAlertsInterval[1]
            }
            g.evaluatedFPIR = evaluated[name]
            return g
        }
    }
}
