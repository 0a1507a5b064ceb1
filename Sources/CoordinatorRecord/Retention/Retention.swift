import Foundation
import GRDB

/// How long the coordinator keeps what it holds about people (config section `retention`).
public struct RetentionPolicy: Sendable, Equatable {
    /// Alerts and their crops, counted from receipt.
    public var alertDays: Int = 31
    /// Alerts the operator reviewed as `no match` or the field found `not the person`: sooner.
    public var rejectedAlertDays: Int = 7
    /// The coordinator's copy of an ended deployment's bundle.
    public var bundleDestroyDelay: TimeInterval = 24 * 3600
    /// Watchlists uploaded in the control room and never planned into a deployment, with their photos.
    public var watchlistDraftDays: Int = 14
    /// How often `coordinator serve` runs the purge.
    public var checkInterval: TimeInterval = 3600

    public init() {}
}

/// What one purge removed.
public struct PurgeResult: Sendable, Equatable {
    public var alertsPurged = 0
    public var rejectedAlertsPurged = 0
    /// Alerts past their time but kept because they are marked for a case.
    public var keptForCases = 0
    public var bundlesDestroyed: [String] = []
    public var watchlistDraftsDestroyed: [String] = []
    /// Deployments whose lists no longer hold subject ids.
    public var listsPseudonymised: [String] = []

    public init() {}
}

/// Runs the retention policy: an alert past its time loses its subject, scores, quality figures,
/// crop and notes (its decisions stay, anonymous, so that reports still count it); case-marked
/// alerts are kept until unmarked; ended deployments' bundles are destroyed, and so are uploaded
/// watchlists never planned into a deployment; a list whose bundle is destroyed and whose alerts
/// are all purged keeps no subject id. Audited with counts.
public enum Retention {
    public static func purge(_ policy: RetentionPolicy, in database: CoordinatorDatabase, at now: Date, actor: String)
        throws -> PurgeResult
    {
        var result = PurgeResult()
        let day: Int64 = 86_400_000
        let cutoff = milliseconds(now) - Int64(policy.alertDays) * day
        let rejectedCutoff = milliseconds(now) - Int64(policy.rejectedAlertDays) * day
        typealias Alert = AlertRow.Columns
        let rejected =
            Alert.review == ReviewDecision.noMatch.rawValue || Alert.outcome == FieldOutcome.notThePerson.rawValue
        let kept = AlertRow.filter(Alert.purgedAtMs == nil)
        let due = { (cases: Bool) in
            kept.filter(cases ? Alert.caseReference != nil : Alert.caseReference == nil)
        }
        try database.change { db, audit in
            result.keptForCases = try due(true).filter(
                Alert.receivedAtMs < cutoff || (rejected && Alert.receivedAtMs < rejectedCutoff)
            ).fetchCount(db)
            // The personal fields go; the decisions stay, anonymous, for the reports.
            let clear = [
                Alert.subject.set(to: nil), Alert.score.set(to: nil), Alert.distance.set(to: nil),
                Alert.quality.set(to: nil), Alert.crop.set(to: nil), Alert.commitmentSalt.set(to: nil),
                Alert.reviewNote.set(to: nil), Alert.outcomeNote.set(to: nil),
                Alert.purgedAtMs.set(to: milliseconds(now)),
            ]
            result.rejectedAlertsPurged = try due(false).filter(rejected && Alert.receivedAtMs < rejectedCutoff)
                .updateAll(db, clear)
            result.alertsPurged = try due(false).filter(Alert.receivedAtMs < cutoff).updateAll(db, clear)
            guard result.alertsPurged + result.rejectedAlertsPurged + result.keptForCases > 0 else { return }
            try audit.append(
                AuditEvent(
                    actor: actor, action: .retentionPurged, target: "alerts",
                    detail: [
                        "alerts_purged": "\(result.alertsPurged)",
                        "rejected_alerts_purged": "\(result.rejectedAlertsPurged)",
                        "kept_for_cases": "\(result.keptForCases)", "alert_days": "\(policy.alertDays)",
                        "rejected_alert_days": "\(policy.rejectedAlertDays)",
                    ]), at: now)
        }
        // Crops of purged rows may still sit in the write-ahead log: fold it into the zeroed main file.
        if result.alertsPurged + result.rejectedAlertsPurged > 0 { try database.truncateLog() }
        result.bundlesDestroyed = try DeploymentStore.destroyDueBundles(
            delay: policy.bundleDestroyDelay, in: database, at: now, actor: actor)
        result.watchlistDraftsDestroyed = try WatchlistDraftStore.destroyUnplanned(
            uploadedBefore: now - TimeInterval(policy.watchlistDraftDays) * 86_400, in: database, at: now, actor: actor)
        result.listsPseudonymised = try DeploymentStore.pseudonymiseLists(in: database, at: now, actor: actor)
        return result
    }
}
