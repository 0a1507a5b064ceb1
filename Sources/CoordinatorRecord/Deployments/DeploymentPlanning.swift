import Foundation
import Shared

/// Plans a deployment: the one use case behind `coordinator deployment create` (a bundle file and
/// its manifest) and the control room's *Plan* (a built, signed draft). It reads the bundle, asks
/// `expected` what the list's threshold means at its size, and records the plan in one
/// transaction (a draft is marked planned in the same one).
public struct DeploymentPlanning {
    /// What the planner gives for the record, as typed in a form or passed as flags.
    public struct Details: Sendable {
        public var placeName: String
        public var latitude: Double
        public var longitude: Double
        public var windowStart: Date
        public var windowEnd: Date
        public var purpose: String
        public var legalBasis: String
        public var nodes: [String]

        public init(
            placeName: String, latitude: Double, longitude: Double, windowStart: Date, windowEnd: Date,
            purpose: String, legalBasis: String, nodes: [String]
        ) {
            self.placeName = placeName
            self.latitude = latitude
            self.longitude = longitude
            self.windowStart = windowStart
            self.windowEnd = windowEnd
            self.purpose = purpose
            self.legalBasis = legalBasis
            self.nodes = nodes
        }
    }

    /// What was planned.
    public struct Planned: Sendable {
        public let bundle: WatchlistBundle
        public let expected: ExpectedPerformance
        /// Subjects under 18 on the list: authorisation waits for a supervisor's override of each.
        public let minorsAwaitingOverride: [String]
        /// When the bundle stops being valid, if after the planned window: the deployment is ended,
        /// and its nodes wipe the list, when the window closes, whatever the bundle says.
        public let bundleValidAfterWindow: Date?
        public let windowEnd: Date

        /// What the planner is told about a bundle that outlives the window; nil when it does not.
        public var windowNotice: String? {
            bundleValidAfterWindow.map {
                "the bundle stays valid until \(iso($0)), after the planned window ends at \(iso(windowEnd)): "
                    + "the deployment is ended, and its nodes wipe the list, when the window closes"
            }
        }
    }

    public let database: CoordinatorDatabase
    /// The expected TPIR and FPIR of a bundle's threshold at its list's size, from an evaluation report.
    public let expected: (WatchlistBundle) throws -> ExpectedPerformance

    public init(database: CoordinatorDatabase, expected: @escaping (WatchlistBundle) throws -> ExpectedPerformance) {
        self.database = database
        self.expected = expected
    }

    /// Plans deployment `id` with a signed bundle file and the manifest's subjects.
    public func plan(
        _ id: String, _ details: Details, bundle: [UInt8], subjects: [ListedSubject], by actor: String, at now: Date
    ) throws -> Planned {
        try record(id, details, bundle: bundle, subjects: subjects, draft: nil, by: actor, at: now)
    }

    /// Plans the deployment a control-room draft was built for, with its signed bundle and subjects.
    public func plan(draft: String, _ details: Details, by actor: String, at now: Date) throws -> Planned {
        guard let built = try WatchlistDraftStore.load(draft, in: database), built.build != nil else {
            throw WatchlistDraftRefusal(.noBundleYet, draft, "no built watchlist \(draft)")
        }
        return try record(
            built.binding.deploymentID, details, bundle: try WatchlistDraftStore.signedBundle(draft, in: database),
            subjects: try WatchlistDraftStore.listedSubjects(draft, in: database), draft: draft, by: actor, at: now)
    }

    private func record(
        _ id: String, _ details: Details, bundle bytes: [UInt8], subjects: [ListedSubject], draft: String?,
        by actor: String, at now: Date
    ) throws -> Planned {
        let bundle: WatchlistBundle
        do {
            bundle = try WatchlistBundle.decode(
                payload: SignedBundle.decode(
                    fileBytes: bytes, maxPayloadBytes: WatchlistBundle.Limits().maxPayloadBytes
                )
                .payload)
        } catch {
            throw DeploymentRefusal(.bundleUnreadable, id, "the bundle is not a valid signed watchlist: \(error)")
        }
        let expected = try expected(bundle)
        let plan = DeploymentPlan(id: id, details: details, bundle: bytes, subjects: subjects, expected: expected)
        try DeploymentStore.create(plan, by: actor, in: database, at: now, fromDraft: draft)
        let listed = Set(bundle.entries.map(\.subject))
        return Planned(
            bundle: bundle, expected: expected,
            minorsAwaitingOverride: subjects.filter { $0.under18 && listed.contains($0.subjectID) }.map(\.subjectID),
            bundleValidAfterWindow: bundle.expiresAt > details.windowEnd ? bundle.expiresAt : nil,
            windowEnd: details.windowEnd)
    }
}
