import FaceTemplates

/// Why an enrolment photo was refused.
public enum EnrolmentRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case noFace
    /// Several faces, where each was found.
    case multipleFaces([Box])
    /// Several faces and, under this choice, none clearly the one.
    case ambiguousFaces([Box], FaceChoice)
    case lowQuality(QualityRejection)
    /// A face was marked in the photo, and no detected face lies on the mark.
    case noFaceOnMark
    /// A face was marked, and several detected faces lie on the mark.
    case severalFacesOnMark(Int)

    public var description: String {
        switch self {
        case .unreadable(let why): "unreadable image: \(why)"
        case .noFace: "no face found: use a photo where the face is clearly visible"
        case .multipleFaces(let faces):
            "\(faces.count) faces found: use a photo of this person alone, or say which face (--face largest|central, or mark it)"
        case .ambiguousFaces(let faces, let choice):
            "\(faces.count) faces found and none clearly the \(choice == .largest ? "largest" : "most central"): crop the photo to this person, or mark the face"
        case .lowQuality(let reason):
            "face below the quality bars (\(reason.rawValue)): use a sharper, larger, frontal, well-lit photo"
        case .noFaceOnMark:
            "no face found on the marked box: check the box (x y width height, pixels from the top left)"
        case .severalFacesOnMark(let n): "\(n) faces lie on the marked box: mark this person's face more tightly"
        }
    }

    /// Where the faces were, when the photo was refused for holding several: the boxes a person
    /// picks the subject's face from.
    public var facesFound: [Box] {
        switch self {
        case .multipleFaces(let faces), .ambiguousFaces(let faces, _): faces
        default: []
        }
    }
}

extension FaceChoice {
    /// The index of the subject's face among faces (boxes and inter-eye distances) in an image of
    /// this size, or why none can be chosen.
    public func pick(_ faces: [(box: Box, interEye: Float)], width: Int, height: Int) -> Result<Int, EnrolmentRejection>
    {
        guard !faces.isEmpty else { return .failure(.noFace) }
        guard faces.count > 1 else { return .success(0) }
        switch self {
        case .only:
            return .failure(.multipleFaces(faces.map(\.box)))
        case .largest:
            let order = faces.indices.sorted { faces[$0].interEye > faces[$1].interEye }
            return faces[order[0]].interEye >= 1.25 * faces[order[1]].interEye
                ? .success(order[0]) : .failure(.ambiguousFaces(faces.map(\.box), self))
        case .central:
            let cx = Float(width) / 2, cy = Float(height) / 2
            let distance = faces.map {
                (($0.box.centerX - cx) * ($0.box.centerX - cx) + ($0.box.centerY - cy) * ($0.box.centerY - cy))
                    .squareRoot()
            }
            let order = faces.indices.sorted { distance[$0] < distance[$1] }
            return distance[order[0]] <= 0.6 * distance[order[1]]
                ? .success(order[0]) : .failure(.ambiguousFaces(faces.map(\.box), self))
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

    /// The overlap (IoU) a detected face must have with a marked box to be the marked face: a
    /// hand-drawn box is looser or tighter than the detector's, but a neighbour's face barely overlaps it.
    public static let markOverlap: Float = 0.3

    public init(detector: FaceDetector, embedder: FaceEmbedder, faceNet: FaceNetEmbedder? = nil, gate: QualityGate) {
        self.detector = detector
        self.embedder = embedder
        self.faceNet = faceNet
        self.gate = gate
    }

    /// The template of the one face in an enrolment photo. Faces too small to be matched at all
    /// (below the size bar) do not count as a second face: a crowd far behind the subject is not a reason to refuse.
    /// - Parameter mark: where the subject's face is, when the intelligence team marked it; the
    ///   detected face on it is taken whatever `choice` says, and the photo is refused when none
    ///   or several lie on it.
    public func enrol(imageAt path: String, choice: FaceChoice = .only, mark: Box? = nil) -> Result<
        FaceFeatures, EnrolmentRejection
    > {
        let image: Image
        do { image = try Image(contentsOf: path) } catch { return .failure(.unreadable("\(error)")) }
        return enrol(image: image, choice: choice, mark: mark)
    }

    public func enrol(image: Image, choice: FaceChoice = .only, mark: Box? = nil) -> Result<
        FaceFeatures, EnrolmentRejection
    > {
        do {
            let faces = try detector.detect(in: image)
            let measured = try faces.map { ($0, try gate.measure($0, in: image)) }
            let countable = measured.filter { $0.1.interEye >= gate.settings.minInterEye }
            guard !faces.isEmpty else { return .failure(.noFace) }
            let (face, quality): (Detection, QualityFigures)
            if let mark {
                let onMark = measured.filter { $0.0.box.iou(mark) >= Self.markOverlap }
                guard onMark.count == 1 else {
                    return .failure(onMark.isEmpty ? .noFaceOnMark : .severalFacesOnMark(onMark.count))
                }
                (face, quality) = onMark[0]
            } else if countable.isEmpty {
                (face, quality) = measured[0]
            } else {
                switch choice.pick(
                    countable.map { ($0.0.box, $0.1.interEye) }, width: image.width, height: image.height)
                {
                case .success(let i): (face, quality) = countable[i]
                case .failure(let why): return .failure(why)
                }
            }
            if let reason = gate.rejection(for: quality) { return .failure(.lowQuality(reason)) }
            let dlib = try embedder.embed([face], in: image, flipAveraged: true)[0]
            guard let faceNet else { return .success(FaceFeatures(dlib: dlib)) }
            let second = try FeatureExtractor(embedder: embedder, faceNet: faceNet).faceNetEmbeddings(
                [face], in: image, flipAveraged: true)[0]
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
