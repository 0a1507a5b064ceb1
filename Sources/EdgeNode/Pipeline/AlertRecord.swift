import FaceEngine
import Foundation

/// One alert: a face on the watchlist seen by this camera. Printed as one JSON line in offline mode.
struct AlertRecord: Codable {
    var alertID: UUID
    var subject: String
    var score: Float
    var distance: Float
    var margin: Float?
    var runnerUp: String?
    var frame: Int
    var time: Double
    var capturedAt: Date
    var track: Int
    /// The track's frames whose embeddings the match was made on (its mean).
    var trackFrames: Int
    var box: Box
    var quality: QualityFigures
    var latencyMs: Double
    var crop: String?

    enum CodingKeys: String, CodingKey {
        case alertID = "alert_id", subject, score, distance, margin, runnerUp = "runner_up", frame, time
        case capturedAt = "captured_at", track, trackFrames = "track_frames", box, quality, latencyMs = "latency_ms",
            crop
    }
}
