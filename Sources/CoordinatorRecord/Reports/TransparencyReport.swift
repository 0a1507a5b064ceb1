import Foundation
import GRDB
import Refusals
import Shared

/// What a deployment, or a period, did: faces seen, alerts and what became of them, and the false
/// alerts the evaluation predicted beside those adjudicated. Made from the record only.
public struct TransparencyReport: Sendable, Encodable, Equatable {
    /// Counts for one deployment or the sum of several.
    public struct Figures: Sendable, Encodable, Equatable {
        public var facesSeen = 0
        public var alerts = 0
        public var reviewed = 0
        public var operatorConfirmed = 0
        public var operatorRejected = 0
        public var operatorUnsure = 0
        public var verifiedByEngagement = 0
        public var notThePerson = 0
        public var notEngaged = 0
        public var lostInCrowd = 0
        /// Reviewed `no match` or found `not the person`.
        public var falseAlerts = 0
        public var actions: [String: Int] = [:]
        /// Expected false alerts for these faces at the deployments' thresholds and list sizes, and a 95% range.
        public var expectedFalseAlerts = 0.0
        public var expectedFalseAlertRange = [0, 0]
        /// Seconds from capture to each operator's review and to each field outcome; the report
        /// gives their median and 90th percentile (`timeToReview`, `timeToOutcome`).
        var secondsToReview: [Double] = []
        var secondsToOutcome: [Double] = []

        public var timeToReview: TimeToDecision? { TimeToDecision(seconds: secondsToReview) }
        public var timeToOutcome: TimeToDecision? { TimeToDecision(seconds: secondsToOutcome) }

        /// Confirmed by the operator, of the alerts reviewed.
        public var operatorPrecision: Double? { reviewed > 0 ? Double(operatorConfirmed) / Double(reviewed) : nil }
        /// Verified in the field, of the alerts whose identity was settled by engagement.
        public var fieldPrecision: Double? {
            let settled = verifiedByEngagement + notThePerson
            return settled > 0 ? Double(verifiedByEngagement) / Double(settled) : nil
        }
        public var falseAlertsPerThousandFaces: Double? {
            facesSeen > 0 ? Double(falseAlerts) * 1000 / Double(facesSeen) : nil
        }
        /// The headline: more false alerts than the evaluation's range allows.
        public var observedExceedsExpected: Bool { falseAlerts > expectedFalseAlertRange[1] }

        enum CodingKeys: String, CodingKey {
            case facesSeen = "faces_seen", alerts, reviewed, operatorConfirmed = "operator_confirmed",
                operatorRejected = "operator_rejected"
            case operatorUnsure = "operator_unsure", verifiedByEngagement = "verified_by_engagement", notThePerson =
                "not_the_person"
            case notEngaged = "not_engaged", lostInCrowd = "lost_in_crowd", falseAlerts = "false_alerts", actions
            case expectedFalseAlerts = "expected_false_alerts", expectedFalseAlertRange =
                "expected_false_alert_range_95"
            case operatorPrecision = "operator_precision", fieldPrecision = "field_precision"
            case falseAlertsPerThousandFaces = "false_alerts_per_1000_faces", observedExceedsExpected =
                "observed_exceeds_expected"
            case timeToReview = "time_to_review", timeToOutcome = "time_to_outcome"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(facesSeen, forKey: .facesSeen)
            try c.encode(alerts, forKey: .alerts)
            try c.encode(reviewed, forKey: .reviewed)
            try c.encode(operatorConfirmed, forKey: .operatorConfirmed)
            try c.encode(operatorRejected, forKey: .operatorRejected)
            try c.encode(operatorUnsure, forKey: .operatorUnsure)
            try c.encode(verifiedByEngagement, forKey: .verifiedByEngagement)
            try c.encode(notThePerson, forKey: .notThePerson)
            try c.encode(notEngaged, forKey: .notEngaged)
            try c.encode(lostInCrowd, forKey: .lostInCrowd)
            try c.encode(falseAlerts, forKey: .falseAlerts)
            try c.encode(actions, forKey: .actions)
            try c.encode(expectedFalseAlerts, forKey: .expectedFalseAlerts)
            try c.encode(expectedFalseAlertRange, forKey: .expectedFalseAlertRange)
            try c.encode(operatorPrecision, forKey: .operatorPrecision)
            try c.encode(fieldPrecision, forKey: .fieldPrecision)
            try c.encode(falseAlertsPerThousandFaces, forKey: .falseAlertsPerThousandFaces)
            try c.encode(observedExceedsExpected, forKey: .observedExceedsExpected)
            try c.encode(timeToReview, forKey: .timeToReview)
            try c.encode(timeToOutcome, forKey: .timeToOutcome)
        }

        mutating func add(_ other: Figures) {
            facesSeen += other.facesSeen
            alerts += other.alerts
            reviewed += other.reviewed
            operatorConfirmed += other.operatorConfirmed
            operatorRejected += other.operatorRejected
            operatorUnsure += other.operatorUnsure
            verifiedByEngagement += other.verifiedByEngagement
            notThePerson += other.notThePerson
            notEngaged += other.notEngaged
            lostInCrowd += other.lostInCrowd
            falseAlerts += other.falseAlerts
            actions.merge(other.actions, uniquingKeysWith: +)
            secondsToReview += other.secondsToReview
            secondsToOutcome += other.secondsToOutcome
        }
    }

    public struct DeploymentSection: Sendable, Encodable, Equatable {
        public var id: String
        public var place: String
        public var latitude: Double
        public var longitude: Double
        public var windowStart: Date
        public var windowEnd: Date
        public var startedAt: Date?
        public var endedAt: Date?
        public var state: String
        public var listSize: Int
        /// How the list was enrolled and its cohort, in words (nil: not recorded).
        public var enrolment: String?
        public var cohort: String?
        public var threshold: Double
        public var expectedFPIR: Double
        public var expectedFPIRInterval: [Double]
        public var figures: Figures

        enum CodingKeys: String, CodingKey {
            case id, place, latitude, longitude, state, threshold, figures, enrolment, cohort
            case windowStart = "window_start", windowEnd = "window_end", startedAt = "started_at", endedAt = "ended_at"
            case listSize = "list_size", expectedFPIR = "expected_fpir", expectedFPIRInterval = "expected_fpir_interval"
        }
    }

    public var title: String
    public var generatedAt: Date
    public var deployments: [DeploymentSection]
    public var totals: Figures
    /// Stops by recorded group (`EqualityFigures`).
    public var equality: EqualityFigures

    enum CodingKeys: String, CodingKey { case title, deployments, totals, equality, generatedAt = "generated_at" }

    /// The report of one deployment.
    public static func make(deployment id: String, in database: CoordinatorDatabase, at now: Date) throws
        -> TransparencyReport
    {
        try database.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM deployment WHERE id = ?", arguments: [id]) ?? false else {
                throw DeploymentRefusal(.notFound, id, "no deployment \(id): see coordinator deployment list")
            }
            return try make(title: "Deployment \(id)", filter: "id = ?", arguments: [id], db: db, now: now)
        }
    }

    /// The report of every deployment that went live (or was planned to) from `from` until before `to`.
    /// - Parameter timesToDecision: whether to read every decision's time for the medians (an
    ///   index of deployments leaves them out: it shows counts only).
    public static func make(
        from: Date, to: Date, in database: CoordinatorDatabase, at now: Date, timesToDecision: Bool = true
    ) throws -> TransparencyReport {
        guard to > from else {
            throw ReportRefusal(
                .periodBackwards, "\(iso(from)) to \(iso(to))", "a report's period must end after it starts")
        }
        return try database.read { db in
            try make(
                title: "Deployments from \(iso(from)) to \(iso(to))",
                filter:
                    "COALESCE(started_at_ms, window_start_ms) >= ? AND COALESCE(started_at_ms, window_start_ms) < ?",
                arguments: [milliseconds(from), milliseconds(to)], db: db, now: now, timesToDecision: timesToDecision)
        }
    }

    private static func make(
        title: String, filter: String, arguments: StatementArguments, db: Database, now: Date,
        timesToDecision: Bool = true
    ) throws -> TransparencyReport {
        let scope = "SELECT id FROM deployment WHERE \(filter)"
        var figures: [String: Figures] = [:]
        // From the tallies the triggers keep (migration v16): a few rows per deployment, not every alert.
        let alertRows = try Row.fetchAll(
            db,
            sql: """
                SELECT deployment_id, SUM(alerts) AS alerts, SUM(CASE WHEN review <> '' THEN alerts END) AS reviewed,
                    SUM(CASE WHEN review = 'match' THEN alerts END) AS confirmed,
                    SUM(CASE WHEN review = 'no match' THEN alerts END) AS rejected,
                    SUM(CASE WHEN review = 'unsure' THEN alerts END) AS unsure,
                    SUM(CASE WHEN outcome = 'identity verified' THEN alerts END) AS verified,
                    SUM(CASE WHEN outcome = 'not the person' THEN alerts END) AS not_person,
                    SUM(CASE WHEN outcome = 'not engaged' THEN alerts END) AS not_engaged,
                    SUM(CASE WHEN outcome = 'lost in crowd' THEN alerts END) AS lost,
                    SUM(CASE WHEN review = 'no match' OR outcome = 'not the person' THEN alerts END) AS false_alerts
                FROM alert_tally WHERE deployment_id IN (\(scope)) GROUP BY deployment_id HAVING SUM(alerts) > 0
                """, arguments: arguments)
        for row in alertRows {
            var f = Figures()
            f.alerts = row["alerts"]
            f.reviewed = row["reviewed"] ?? 0
            f.operatorConfirmed = row["confirmed"] ?? 0
            f.operatorRejected = row["rejected"] ?? 0
            f.operatorUnsure = row["unsure"] ?? 0
            f.verifiedByEngagement = row["verified"] ?? 0
            f.notThePerson = row["not_person"] ?? 0
            f.notEngaged = row["not_engaged"] ?? 0
            f.lostInCrowd = row["lost"] ?? 0
            f.falseAlerts = row["false_alerts"] ?? 0
            figures[row["deployment_id"]] = f
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT deployment_id, outcome_action, SUM(alerts) AS n FROM alert_tally
                WHERE deployment_id IN (\(scope)) AND outcome_action <> '' GROUP BY deployment_id, outcome_action
                HAVING SUM(alerts) > 0
                """, arguments: arguments)
        {
            figures[row["deployment_id"], default: Figures()].actions[row["outcome_action"]] = row["n"]
        }
        // Times to decision, one per decision: a median is not a sum, so the rows come back whole.
        if timesToDecision {
            // The WHERE repeats the partial index's (`alert_decision_times`, v16), so that SQLite reads the index alone.
            for row in try Row.fetchAll(db, sql: decisionTimesSQL(scope: scope), arguments: arguments) {
                let captured: Int64 = row["captured_at_ms"]
                let seconds = { (at: Int64?) in at.map { Double($0 - captured) / 1000 } }
                let id: String = row["deployment_id"]
                if let review = seconds(row["review_at_ms"]) {
                    figures[id, default: Figures()].secondsToReview.append(review)
                }
                if let outcome = seconds(row["outcome_at_ms"]) {
                    figures[id, default: Figures()].secondsToOutcome.append(outcome)
                }
            }
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT deployment_id, SUM(faces_seen) AS faces FROM node_deployment_counts WHERE deployment_id IN (\(scope)) GROUP BY deployment_id
                """, arguments: arguments)
        {
            figures[row["deployment_id"], default: Figures()].facesSeen = row["faces"]
        }
        var totals = Figures()
        var lowMean = 0.0, highMean = 0.0
        var evaluatedByGroup: [[String: [Double]]] = []
        let sections = try Row.fetchAll(
            db,
            sql: """
                SELECT id, place_name, latitude, longitude, window_start_ms, window_end_ms, started_at_ms,
                ended_at_ms, state, list_size,
                    enrolment, cohort, threshold, expected FROM deployment WHERE \(filter) ORDER BY COALESCE(started_at_ms, window_start_ms), id
                """, arguments: arguments
        ).map { row -> DeploymentSection in
            let id: String = row["id"]
            let expected = try JSONDecoder().decode(
                ExpectedPerformance.self, from: Data((row["expected"] as String).utf8))
            var f = figures[id] ?? Figures()
            let faces = Double(f.facesSeen)
            f.expectedFalseAlerts = faces * expected.fpir
            f.expectedFalseAlertRange = PoissonInterval.range(
                lowMean: faces * expected.fpirInterval[0], highMean: faces * expected.fpirInterval[1])
            evaluatedByGroup.append(expected.fpirByGroup ?? [:])
            lowMean += faces * expected.fpirInterval[0]
            highMean += faces * expected.fpirInterval[1]
            totals.add(f)
            totals.expectedFalseAlerts += f.expectedFalseAlerts
            return DeploymentSection(
                id: id, place: row["place_name"], latitude: row["latitude"], longitude: row["longitude"],
                windowStart: date(milliseconds: row["window_start_ms"]),
                windowEnd: date(milliseconds: row["window_end_ms"]),
                startedAt: (row["started_at_ms"] as Int64?).map(date(milliseconds:)),
                endedAt: (row["ended_at_ms"] as Int64?).map(date(milliseconds:)), state: row["state"],
                listSize: row["list_size"], enrolment: row["enrolment"], cohort: row["cohort"],
                threshold: row["threshold"], expectedFPIR: expected.fpir,
                expectedFPIRInterval: expected.fpirInterval, figures: f)
        }
        totals.expectedFalseAlertRange = PoissonInterval.range(lowMean: lowMean, highMean: highMean)
        // The evaluation's rates by group stand beside the stops only when every deployment has the same ones.
        let evaluated = Set(evaluatedByGroup).count == 1 ? evaluatedByGroup[0] : [:]
        let equality = EqualityFigures.make(
            try EqualityFigures.stops(scope: scope, arguments: arguments, db), evaluated: evaluated)
        return TransparencyReport(
            title: title, generatedAt: now, deployments: sections, totals: totals, equality: equality)
    }
}

extension TransparencyReport {
    static func decisionTimesSQL(scope: String) -> String {
        """
        SELECT deployment_id, captured_at_ms, review_at_ms, outcome_at_ms FROM alert
        WHERE (review_at_ms IS NOT NULL OR outcome_at_ms IS NOT NULL) AND deployment_id IN (\(scope))
        """
    }
}

/// Why a report was refused, with the value at fault.
public typealias ReportRefusal = Refused<ReportRefusalCode>

public enum ReportRefusalCode: String, RefusalCode {
    case periodBackwards

    public static let area = "report"
    public var kind: RefusalKind { .invalid }
}
