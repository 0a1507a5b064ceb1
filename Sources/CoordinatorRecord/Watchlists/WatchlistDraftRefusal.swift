import Refusals

/// Why the record refused an upload, a build or a signature of a control-room watchlist, with the
/// value at fault: a photo's name, a key, a field. Nothing was written.
public typealias WatchlistDraftRefusal = Refused<WatchlistDraftRefusalCode>

public enum WatchlistDraftRefusalCode: String, RefusalCode {
    case photoNotUploaded, photoTooLarge, photoNotJPEGOrPNG, strayPhoto
    case invalidDeploymentID, invalidWatchlistID, invalidVersion, expiresBeforeValid, invalidThreshold
    case unknownFaceChoice, unknownPhotosChoice
    case notFound, notBuildable, notBuilding, beingBuilt, noBundleYet, alreadySigned, notSignable
    case notABundle, bundleUnsigned, signatureInvalid, untrustedSigner, bundleNotBuiltHere
    case photoNotFound, noSuchFace

    public static let area = "watchlist"

    public var kind: RefusalKind {
        switch self {
        case .notFound, .photoNotFound: .notFound
        case .notBuildable, .notBuilding, .beingBuilt, .noBundleYet, .alreadySigned, .notSignable: .conflict
        default: .invalid
        }
    }
}
