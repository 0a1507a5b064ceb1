import FaceTemplates
import Foundation

/// An alert's seven quality figures as the operator reads them: each named, with its unit, beside
/// the bar the edge's quality gate holds it to (the gate's defaults: a node configured otherwise
/// says so in its config, not in the alert).
enum AlertQuality {
    /// One row of the table: what the figure is, its value, and the gate's bar.
    struct Row: Equatable {
        let label: String
        let value: String
        let bar: String
    }

    /// Rows in the order nodes send the figures (inter-eye, sharpness, luminance mean and spread,
    /// yaw, pitch, roll); none when the figures are purged or not seven.
    static func rows(_ figures: [Float]?, bars: QualitySettings = QualitySettings()) -> [Row] {
        guard let figures, figures.count == 7 else { return [] }
        func number(_ value: Float, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
        return [
            Row(
                label: "Face size (distance between the eyes)", value: number(figures[0], 0) + " px",
                bar: "at least \(number(bars.minInterEye, 0)) px"),
            Row(label: "Sharpness", value: number(figures[1], 0), bar: "at least \(number(bars.minSharpness, 0))"),
            Row(
                label: "Brightness (mean, 0 to 255)", value: number(figures[2], 0),
                bar: "\(number(bars.minLumaMean, 0)) to \(number(bars.maxLumaMean, 0))"),
            Row(
                label: "Contrast (spread of brightness)", value: number(figures[3], 0),
                bar: "at least \(number(bars.minLumaStd, 0))"),
            Row(
                label: "Head turned sideways (0 is facing the camera)", value: number(figures[4], 2),
                bar: "at most \(number(bars.maxYaw, 2)) either way"),
            Row(
                label: "Head tilted up or down (0.5 is level)", value: number(figures[5], 2),
                bar: "\(number(bars.pitchRange.lowerBound, 2)) to \(number(bars.pitchRange.upperBound, 2))"),
            Row(
                label: "Head rolled (degrees)", value: number(figures[6], 1) + "°",
                bar: "at most \(number(bars.maxRoll, 0))° either way"),
        ]
    }
}
