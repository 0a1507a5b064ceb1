import CFaceEngine

/// A face found by the detector: box, confidence and five landmarks.
public struct Detection: Sendable, Equatable {
    public var box: Box
    public var confidence: Float
    /// Left eye, right eye, nose tip, left and right mouth corners (as seen in the image).
    public var landmarks: [Point]

    public init(box: Box, confidence: Float, landmarks: [Point]) {
        self.box = box
        self.confidence = confidence
        self.landmarks = landmarks
    }

    public var leftEye: Point { landmarks[0] }
    public var rightEye: Point { landmarks[1] }
    public var nose: Point { landmarks[2] }
    public var mouthLeft: Point { landmarks[3] }
    public var mouthRight: Point { landmarks[4] }

    var cFace: wp_face {
        var face = wp_face()
        face.box = box.cRect
        face.score = confidence
        withUnsafeMutableBytes(of: &face.landmarks) { raw in
            let floats = raw.bindMemory(to: Float.self)
            for (i, p) in landmarks.enumerated() {
                floats[2 * i] = p.x
                floats[2 * i + 1] = p.y
            }
        }
        return face
    }

    init(_ face: wp_face) {
        let points = withUnsafeBytes(of: face.landmarks) { raw in
            let f = raw.bindMemory(to: Float.self)
            return (0..<5).map { Point(x: f[2 * $0], y: f[2 * $0 + 1]) }
        }
        self.init(box: Box(face.box), confidence: face.score, landmarks: points)
    }
}

/// Settings of the CenterFace detector.
public struct DetectorSettings: Sendable, Equatable {
    /// Longest side, in pixels, that a frame is scaled down to before detection (rounded up to a multiple of 32).
    public var maxSide: Int = 640
    /// Minimum heatmap confidence for a face, 0...1.
    public var threshold: Float = 0.5
    /// Overlap above which the weaker of two boxes is dropped.
    public var nmsIoU: Float = 0.3
    /// Most faces reported per frame.
    public var maxFaces: Int = 64

    public init(maxSide: Int = 640, threshold: Float = 0.5, nmsIoU: Float = 0.3, maxFaces: Int = 64) {
        self.maxSide = maxSide
        self.threshold = threshold
        self.nmsIoU = nmsIoU
        self.maxFaces = maxFaces
    }

    /// Checks the ranges; the message names the setting and its bounds.
    public func validate() throws {
        guard (32...4096).contains(maxSide) else {
            throw FaceEngineError(
                .invalidArgument, "detection max side \(maxSide) is out of range: use 32...4096 pixels")
        }
        guard threshold > 0, threshold < 1 else {
            throw FaceEngineError(
                .invalidArgument, "detection threshold \(threshold) is out of range: use a value between 0 and 1")
        }
        guard nmsIoU > 0, nmsIoU <= 1 else {
            throw FaceEngineError(
                .invalidArgument, "detection NMS IoU \(nmsIoU) is out of range: use a value in (0, 1]")
        }
        guard maxFaces > 0 else {
            throw FaceEngineError(.invalidArgument, "detection max faces must be at least 1")
        }
    }
}

/// CenterFace through OpenCV DNN. Not thread-safe: one owner calls `detect` at a time.
public final class FaceDetector {
    private let handle: OpaquePointer
    public let settings: DetectorSettings

    public init(modelPath: String, settings: DetectorSettings = DetectorSettings()) throws {
        try settings.validate()
        self.handle = try callEngine { wp_detector_create(modelPath, $0) }
        self.settings = settings
    }

    deinit { wp_detector_free(handle) }

    /// Faces in the image, strongest first, in image coordinates.
    public func detect(in image: Image) throws -> [Detection] {
        var faces = [wp_face](repeating: wp_face(), count: settings.maxFaces)
        let count = try faces.withUnsafeMutableBufferPointer { buffer in
            try callEngine { error -> Int32? in
                let n = wp_detector_detect(
                    handle, image.handle, Int32(settings.maxSide), settings.threshold,
                    settings.nmsIoU, buffer.baseAddress, Int32(buffer.count), error)
                return n >= 0 ? n : nil
            }
        }
        return faces.prefix(Int(count)).map(Detection.init)
    }

    /// Sets how many threads OpenCV uses for the whole process.
    public static func setThreads(_ count: Int) { wp_set_threads(Int32(count)) }
}
