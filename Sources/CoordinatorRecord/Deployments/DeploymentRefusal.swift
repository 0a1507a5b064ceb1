import Refusals

/// Why the record refused a request about a deployment's plan or list (the lifecycle's own
/// refusals are `DeploymentTransitionError`): a code, the value at fault, and a description that
/// names it and says what to do. Nothing was written.
public struct DeploymentRefusal: Refusal, Equatable {
    public enum Code: String, Sendable {
        case notFound, exists
        case invalidID, missingField, invalidPlace, windowBackwards, noNodes, nodeNotEnrolled, nodeBusy
        case bundleUnreadable, bundleUnsigned, bundleSignatureInvalid, bundleForAnotherDeployment,
            bundleExpiresBeforeWindow
        case subjectNotInManifest, subjectNotListed, subjectNotMinor
        case overrideWithoutReason, overrideAfterAuthorisation
    }

    public static let area = "deployment"
    public let code: Code
    /// The value at fault as it was given: an id, a node, a subject, a field's name.
    public let value: String
    public let description: String

    public init(_ code: Code, _ value: String, _ description: String) {
        self.code = code
        self.value = value
        self.description = description
    }

    public var kind: RefusalKind {
        switch code {
        case .notFound, .subjectNotListed: .notFound
        case .exists, .nodeBusy, .overrideAfterAuthorisation: .conflict
        default: .invalid
        }
    }
}
