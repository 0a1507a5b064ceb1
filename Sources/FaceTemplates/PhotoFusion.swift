/// How a subject's several enrolment photos become templates. On lfw_dev's identities with three
/// or more photos (README, "Several photos per subject"), two photos fused into one template found
/// 0.886 of mated searches at FPIR 1e-3, two separate templates 0.793, one photo 0.689. Both ways
/// of using a second photo need a stricter threshold than one photo for the same FPIR (40-person
/// lists: 0.81 fused, 0.83 separate, 0.84 one photo), and the default thresholds were measured on
/// one photo per subject; so `separate`, as before, stays the default until defaults are measured
/// for fused lists, and `fused` is chosen with its threshold.
public enum PhotoFusion: String, CaseIterable, Sendable {
    /// One template per subject: the mean of its photos' embeddings, model by model.
    case fused
    /// One template per photo.
    case separate

    /// The templates a subject's photos make.
    public func templates(_ faces: [FaceFeatures]) -> [FaceFeatures] {
        guard self == .fused, faces.count > 1 else { return faces }
        let faceNet = faces.compactMap(\.faceNet)
        return [
            FaceFeatures(dlib: .mean(faces.map(\.dlib)), faceNet: faceNet.count == faces.count ? .mean(faceNet) : nil)
        ]
    }
}

/// How a list's subjects are enrolled, which sets the evaluation figures its threshold and
/// expected rates come from (and the edge's default thresholds).
public enum ListEnrolment: Sendable, Equatable, CustomStringConvertible {
    /// One photo per subject.
    case onePhoto
    /// Some subject has several photos, each its own template.
    case severalTemplates
    /// Some subject has several photos, fused into one template.
    case fused

    /// - Parameter severalPhotos: whether some subject has more than one photo.
    public init(photos: PhotoFusion, severalPhotos: Bool) {
        self = !severalPhotos ? .onePhoto : photos == .fused ? .fused : .severalTemplates
    }

    public var description: String {
        switch self {
        case .onePhoto: "one photo per subject"
        case .severalTemplates: "several photos per subject, one template each"
        case .fused: "several photos per subject, fused into one template"
        }
    }
}
