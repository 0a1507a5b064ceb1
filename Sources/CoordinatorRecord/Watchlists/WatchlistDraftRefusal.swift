import Refusals

/// Why the record refused an upload, a build or a signature of a control-room watchlist: a code,
/// the value at fault (a photo's name, a key, a field), and what to do. Nothing was written.
public struct WatchlistDraftRefusal: Refusal, Equatable {
    public enum Code: String, Sendable {
        case photoNotUploaded, photoTooLarge, photoNotJPEGOrPNG, strayPhoto
        case invalidDeploymentID, invalidWatchlistID, invalidVersion, expiresBeforeValid, invalidThreshold,
            unknownFaceChoice, unknownPhotosChoice
        case notFound, notBuildable, notBuilding, beingBuilt, noBundleYet, alreadySigned, notSignable
        case notABundle, bundleUnsigned, signatureInvalid, untrustedSigner, bundleNotBuiltHere
    }

    public static let area = "watchlist"
    public let code: Code
    public let value: String
    public let description: String

    public init(_ code: Code, _ value: String, _ description: String) {
        self.code = code
        self.value = value
        self.description = description
    }

    public var kind: RefusalKind {
        switch code {
        case .notFound: .notFound
        case .notBuildable, .notBuilding, .beingBuilt, .noBundleYet, .alreadySigned, .notSignable: .conflict
        default: .invalid
        }
    }
}
