import FaceTemplates

/// Why an enrolment photo was refused.
public enum EnrolmentRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case noFace
    case multipleFaces(Int)
    case lowQuality(QualityRejection)

    public var description: String {
        switch self {
        case .unreadable(let why): "unreadable image: \(why)"
        case .noFace: "no face found: use a photo where the face is clearly visible"
        case .multipleFaces(let n): "\(n) faces found: use a photo of this person alone"
        case .lowQuality(let reason): "face below the quality bars (\(reason.rawValue)): use a sharper, larger, frontal, well-lit photo"
        }
    }
}

/// Turns photos into templates through the same detector and quality gate as live video.
/// Templates are flip-averaged (the face and its mirror image), which makes them steadier; with a
/// FaceNet embedder they also carry the second model's template for the fused rule.
public final class FaceEnroller {
    public let detector: FaceDetector
    public let embedder: FaceEmbedder
    public let faceNet: FaceNetEmbedder?
    public let gate: QualityGate

    public init(detector: FaceDetector, embedder: FaceEmbedder, faceNet: FaceNetEmbedder? = nil, gate: QualityGate) {
        self.detector = detector; self.embedder = embedder; self.faceNet = faceNet; self.gate = gate
    }

    /// The template of the one face in an enrolment photo. Faces too small to be matched at all
    /// (below the size bar) do not count as a second face: a crowd far behind the subject is not a reason to refuse.
    public func enrol(imageAt path: String) -> Result<FaceFeatures, EnrolmentRejection> {
        let image: Image
        do { image = try Image(contentsOf: path) } catch { return .failure(.unreadable("\(error)")) }
        return enrol(image: image)
    }

    public func enrol(image: Image) -> Result<FaceFeatures, EnrolmentRejection> {
        do {
            let faces = try detector.detect(in: image)
            let measured = try faces.map { ($0, try gate.measure($0, in: image)) }
            let countable = measured.filter { $0.1.interEye >= gate.settings.minInterEye }
            guard !faces.isEmpty else { return .failure(.noFace) }
            guard countable.count <= 1 else { return .failure(.multipleFaces(countable.count)) }
            let (face, quality) = countable.first ?? measured[0]
            if let reason = gate.rejection(for: quality) { return .failure(.lowQuality(reason)) }
            let dlib = try embedder.embed([face], in: image, flipAveraged: true)[0]
            guard let faceNet else { return .success(FaceFeatures(dlib: dlib)) }
            let second = try FeatureExtractor(embedder: embedder, faceNet: faceNet).faceNetEmbeddings([face], in: image, flipAveraged: true)[0]
            return .success(FaceFeatures(dlib: dlib, faceNet: second))
        } catch {
            return .failure(.unreadable("\(error)"))
        }
    }

    /// The face nearest the image centre, for evaluation on datasets of centred faces; nil if none.
    public func centralFace(in image: Image) throws -> Detection? {
        let cx = Float(image.width) / 2, cy = Float(image.height) / 2
        return try detector.detect(in: image).min { a, b in
            let da = (a.box.centerX - cx) * (a.box.centerX - cx) + (a.box.centerY - cy) * (a.box.centerY - cy)
            let db = (b.box.centerX - cx) * (b.box.centerX - cx) + (b.box.centerY - cy) * (b.box.centerY - cy)
            return da < db
        }
    }
}
