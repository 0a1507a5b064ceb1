import Refusals

/// Why the record refused a request about a deployment's plan or list (the lifecycle's own
/// refusals are `DeploymentTransitionError`), with the value at fault: an id, a node, a subject,
/// a field's name. Nothing was written.
public typealias DeploymentRefusal = Refused<DeploymentRefusalCode>

public enum DeploymentRefusalCode: String, RefusalCode {
    case notFound, exists
    case invalidID, missingField, invalidPlace, windowBackwards, noNodes, nodeNotEnrolled, nodeBusy
    case bundleUnreadable, bundleUnsigned, bundleSignatureInvalid, bundleForAnotherDeployment, bundleExpiresBeforeWindow
    case subjectNotInManifest, subjectNotListed, subjectNotMinor
    case overrideWithoutReason, overrideAfterAuthorisation

    public static let area = "deployment"

    public var kind: RefusalKind {
        switch self {
        case .notFound, .subjectNotListed: .notFound
        case .exists, .nodeBusy, .overrideAfterAuthorisation: .conflict
        default: .invalid
        }
    }
}
