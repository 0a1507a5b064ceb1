import CFaceEngine
import FaceTemplates
import Foundation

/// Why a face was not matched. The counts per reason tell the control room how well a camera
/// is placed (too far, too dark, faces turned away).
public enum QualityRejection: String, Sendable, CaseIterable, Codable {
    case tooSmall = "too_small"
    case blurred
    case underexposed
    case overexposed
    case lowContrast = "low_contrast"
    case turnedAway = "turned_away"
}

/// Measured quality of one face.
public struct QualityFigures: Sendable, Equatable, Codable {
    /// Distance between the eye centres, in frame pixels.
    public var interEye: Float
    /// Variance of the Laplacian of the face resized to 96x96 grey.
    public var sharpness: Float
    /// Mean and standard deviation of the face's luminance, 0...255.
    public var lumaMean: Float
    public var lumaStd: Float
    /// Head yaw proxy: nose offset from the eye midline as a fraction of the eye distance (0 = frontal).
    public var yaw: Float
    /// Head pitch proxy: nose height between eye line (0) and mouth line (1); about 0.5 when level.
    public var pitch: Float
    /// In-plane rotation of the eye line, degrees.
    public var roll: Float

    /// A single figure to rank a track's faces: bigger, sharper and more frontal is better.
    public var rank: Float {
        let size = min(interEye / 60, 1)
        let sharp = min(sharpness / 400, 1)
        let frontal = max(0, 1 - abs(yaw) * 2)
        return size * (0.5 + 0.5 * sharp) * frontal
    }

    enum CodingKeys: String, CodingKey {
        case interEye = "inter_eye", sharpness, lumaMean = "luma_mean", lumaStd = "luma_std", yaw, pitch, roll
    }
}

extension QualitySettings {
    /// Refuses bars that would let nothing, or everything, through.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw FaceEngineError(.invalidArgument, message) }
        }
        try check(minInterEye >= 0, "quality min_inter_eye must be >= 0 pixels")
        try check(minSharpness >= 0, "quality min_sharpness must be >= 0")
        try check(
            minLumaMean >= 0 && maxLumaMean <= 255 && minLumaMean < maxLumaMean,
            "quality luminance bars need 0 <= min_luma_mean < max_luma_mean <= 255")
        try check(minLumaStd >= 0, "quality min_luma_std must be >= 0")
        try check(maxYaw > 0, "quality max_yaw must be > 0")
        try check(maxRoll > 0 && maxRoll <= 180, "quality max_roll must be in (0, 180] degrees")
    }
}

/// Measures faces and decides which are good enough to match.
public struct QualityGate: Sendable {
    public let settings: QualitySettings

    public init(settings: QualitySettings = QualitySettings()) throws {
        try settings.validate()
        self.settings = settings
    }

    /// Measures a detected face in its frame.
    public func measure(_ face: Detection, in image: Image) throws -> QualityFigures {
        var stats = wp_region_stats()
        _ = try callEngine { wp_region_stats_compute(image.handle, face.box.cRect, &stats, $0) == 0 ? true : nil }
        return Self.figures(for: face, stats: stats)
    }

    /// The geometric figures follow from the landmarks alone, so they are testable without images.
    static func figures(for face: Detection, stats: wp_region_stats) -> QualityFigures {
        let le = face.leftEye, re = face.rightEye, nose = face.nose
        let dx = re.x - le.x, dy = re.y - le.y
        let interEye = (dx * dx + dy * dy).squareRoot()
        let eyeMid = Point(x: (le.x + re.x) / 2, y: (le.y + re.y) / 2)
        let mouthMid = Point(
            x: (face.mouthLeft.x + face.mouthRight.x) / 2, y: (face.mouthLeft.y + face.mouthRight.y) / 2)
        let yaw = interEye > 0 ? (nose.x - eyeMid.x) / interEye : 0
        let span = mouthMid.y - eyeMid.y
        let pitch = span > 0 ? (nose.y - eyeMid.y) / span : 0
        let roll = atan2(dy, dx) * 180 / .pi
        return QualityFigures(
            interEye: interEye, sharpness: stats.laplacian_variance, lumaMean: stats.luma_mean,
            lumaStd: stats.luma_std, yaw: yaw, pitch: pitch, roll: roll)
    }

    /// The first bar a face fails, or nil when it may be matched.
    public func rejection(for q: QualityFigures) -> QualityRejection? {
        if q.interEye < settings.minInterEye { return .tooSmall }
        if abs(q.yaw) > settings.maxYaw || !settings.pitchRange.contains(q.pitch) || abs(q.roll) > settings.maxRoll {
            return .turnedAway
        }
        if q.lumaMean < settings.minLumaMean { return .underexposed }
        if q.lumaMean > settings.maxLumaMean { return .overexposed }
        if q.lumaStd < settings.minLumaStd { return .lowContrast }
        if q.sharpness < settings.minSharpness { return .blurred }
        return nil
    }
}
