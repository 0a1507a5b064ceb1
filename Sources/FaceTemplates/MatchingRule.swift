/// How a probe is scored against a watchlist; lower scores are closer, and a probe matches when
/// its score is at or below the watchlist's threshold.
public enum MatchingRule: Sendable, Equatable {
    /// L2 distance between dlib embeddings (about 0.6 separates people).
    case distance
    /// The dlib and FaceNet distances fused, then divided by how close the probe comes to a cohort
    /// of other faces (the rest of the watchlist and any cohort templates): the mean of its
    /// `cohortSize` nearest. A face that resembles many people scores near 1 even when its nearest
    /// entry is close, which is what keeps "hub" entries from drawing false alerts.
    case fusedCohort(FusionSettings)

    /// The rule `coordinator evaluate` measured best on lfw_dev (README, "Accuracy").
    public static let recommended = MatchingRule.fusedCohort(FusionSettings())

    /// The embedding models a watchlist under this rule is bound to (bundles and nodes must agree).
    public var embeddingModel: String {
        switch self {
        case .distance: "dlib_face_recognition_resnet_model_v1"
        case .fusedCohort: "dlib_face_recognition_resnet_model_v1+facenet_20180408-102900"
        }
    }
}

/// Parameters of the fused, cohort-normalised score.
public struct FusionSettings: Sendable, Equatable {
    /// Share of the dlib distance in the fused distance (the rest is FaceNet's).
    public var dlibWeight: Float
    /// The dlib distance is divided by this so that both models' distances run on similar scales.
    public var dlibScale: Float
    /// How many of the nearest cohort faces make the normaliser.
    public var cohortSize: Int
    /// Stands in for missing cohort faces when fewer than `cohortSize` exist (a short list without a
    /// cohort): 1.35 is the median fused distance between two strangers on lfw_dev, what a missing
    /// face would most likely have scored. A one-entry list then scores its fused distance / 1.35.
    public var priorDistance: Float

    public init(dlibWeight: Float = 0.7, dlibScale: Float = 0.6, cohortSize: Int = 10, priorDistance: Float = 1.35) {
        self.dlibWeight = dlibWeight
        self.dlibScale = dlibScale
        self.cohortSize = cohortSize
        self.priorDistance = priorDistance
    }
}
