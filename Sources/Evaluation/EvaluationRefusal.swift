import Refusals

/// Why an evaluation, its inputs or a report made by one was refused.
public typealias EvaluationRefusal = Refused<EvaluationRefusalCode>

public enum EvaluationRefusalCode: String, RefusalCode {
    /// Settings that make no meaningful evaluation (the flag to change is named).
    case settingsRefused
    /// The dataset holds no identity with two or more images.
    case nothingToProbe
    case groupsFileUnreadable, groupsLineMalformed, groupsIdentityInTwoGroups, groupsFileEmpty
    case featureCacheUnreadable, featureCacheNotWritable
    case reportUnreadable, reportNotThisVersion
    /// The report was made with another scoring or cohort than the list needs.
    case reportMadeDifferently
    /// The report's cohort is much larger than the list's: its false-alert rate would be understated.
    case reportCohortLarger
    case reportLacksEnrolmentStudy, reportLacksListSizes, reportLacksThreshold, reportLacksRate

    public static let area = "evaluation"

    public var kind: RefusalKind {
        switch self {
        case .featureCacheNotWritable: .unavailable
        default: .invalid
        }
    }
}
