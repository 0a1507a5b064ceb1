import Foundation

/// What the evaluation report predicts for a list of this size at this threshold (with 95% intervals),
/// recorded with the deployment so that the report can set observed false alerts beside it.
public struct ExpectedPerformance: Sendable, Equatable, Codable {
    public var tpir: Double
    public var tpirInterval: [Double]
    public var fpir: Double
    public var fpirInterval: [Double]
    /// The list size the figures were evaluated at, and the report they come from.
    public var evaluatedListSize: Int
    public var report: String
    /// The evaluation's FPIR by group of probe identity as [rate, 95% low, 95% high], when it was
    /// made with groups at this threshold (`coordinator evaluate --groups`); nil otherwise.
    public var fpirByGroup: [String: [Double]]?

    public init(
        tpir: Double, tpirInterval: [Double], fpir: Double, fpirInterval: [Double], evaluatedListSize: Int,
        report: String, fpirByGroup: [String: [Double]]? = nil
    ) {
        self.fpirByGroup = fpirByGroup
        self.tpir = tpir
        self.tpirInterval = tpirInterval
        self.fpir = fpir
        self.fpirInterval = fpirInterval
        self.evaluatedListSize = evaluatedListSize
        self.report = report
    }
}

/// One subject on a deployment's list, with what the manifest says about them.
public struct ListedSubject: Sendable, Equatable {
    public var subjectID: String
    /// The name the operator reads (the manifest's `display_name`); nil once the bundle is destroyed.
    public var displayName: String?
    public var category: String
    public var reason: String
    /// An officer-safety warning (the manifest's optional `warning`); nil when there is none or the
    /// bundle is destroyed.
    public var warning: String?
    public var legalBasis: String
    public var imageSource: String
    public var under18: Bool
    /// A supervisor's override for a subject under 18: who and why.
    public var overrideBy: String?
    public var overrideReason: String?
    /// The enrolment photo the operator compares probes with (kept at the coordinator only, while
    /// it holds the bundle). Not loaded with the deployment: see `DeploymentStore.referencePhoto`.
    public var referencePhoto: [UInt8]?

    public init(
        subjectID: String, displayName: String? = nil, category: String, reason: String, warning: String? = nil,
        legalBasis: String, imageSource: String, under18: Bool, overrideBy: String? = nil,
        overrideReason: String? = nil, referencePhoto: [UInt8]? = nil
    ) {
        self.subjectID = subjectID
        self.displayName = displayName
        self.category = category
        self.reason = reason
        self.warning = warning
        self.legalBasis = legalBasis
        self.imageSource = imageSource
        self.under18 = under18
        self.overrideBy = overrideBy
        self.overrideReason = overrideReason
        self.referencePhoto = referencePhoto
    }
}

/// What a deployment is planned to be, as the intelligence team submits it: the planner's details
/// (read through them, `plan.placeName`), the signed list and what it is expected to do.
@dynamicMemberLookup
public struct DeploymentPlan: Sendable {
    public var id: String
    public var details: DeploymentPlanning.Details
    /// The signed bundle file's bytes.
    public var bundle: [UInt8]
    public var subjects: [ListedSubject]
    public var expected: ExpectedPerformance

    public init(
        id: String, details: DeploymentPlanning.Details, bundle: [UInt8], subjects: [ListedSubject],
        expected: ExpectedPerformance
    ) {
        self.id = id
        self.details = details
        self.bundle = bundle
        self.subjects = subjects
        self.expected = expected
    }

    public subscript<Value>(dynamicMember detail: WritableKeyPath<DeploymentPlanning.Details, Value>) -> Value {
        get { details[keyPath: detail] }
        set { details[keyPath: detail] = newValue }
    }
}

/// A deployment as recorded.
public struct Deployment: Sendable, Equatable {
    public var id: String
    public var lifecycle: DeploymentLifecycle
    public var placeName: String
    public var latitude: Double
    public var longitude: Double
    public var purpose: String
    public var legalBasis: String
    public var createdBy: String
    public var authorisingOfficer: String?
    public var startedBy: String?
    public var endedBy: String?
    public var nodes: [String]
    public var bundleSHA256: String
    public var watchlistID: String
    public var bundleVersion: UInt64
    /// Key ids of the valid signatures on the bundle.
    public var signers: [String]
    public var threshold: Double
    public var listSize: Int
    /// How the list's subjects were enrolled, in words; nil for lists recorded before this was.
    public var enrolment: String?
    /// The list's normalising cohort, in words; nil for lists recorded before this was.
    public var cohort: String?
    public var expected: ExpectedPerformance
    public var subjects: [ListedSubject]
    /// Whether the coordinator still holds the bundle's bytes.
    public var holdsBundle: Bool

    public var state: DeploymentState { lifecycle.state }
}

/// Which list each node should hold, as decided by the deployments' states.
public enum NodeAssignment: Sendable, Equatable {
    /// Serve this deployment's signed bundle.
    case watchlist(deploymentID: String, bundle: [UInt8], version: UInt64)
    /// The node's deployment has ended: it is told to wipe its list.
    case ended(deploymentID: String)
}
