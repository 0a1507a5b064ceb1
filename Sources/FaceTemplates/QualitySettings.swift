/// Bars a face must clear before it is embedded and matched (the edge's quality gate), as plain
/// values, so that the control room can show an alert's figures beside the bars they cleared.
public struct QualitySettings: Sendable, Equatable {
    public var minInterEye: Float = 18
    public var minSharpness: Float = 4
    public var minLumaMean: Float = 25
    public var maxLumaMean: Float = 225
    public var minLumaStd: Float = 12
    /// Largest |yaw| (see `QualityFigures.yaw`).
    public var maxYaw: Float = 0.45
    /// Allowed pitch proxy range.
    public var pitchRange: ClosedRange<Float> = 0.15...0.85
    public var maxRoll: Float = 35

    public init() {}
}
