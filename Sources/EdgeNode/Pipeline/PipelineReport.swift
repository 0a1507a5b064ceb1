import FaceEngine

/// Counts and rates of a run: no faces, no embeddings, nothing that identifies anyone.
struct PipelineReport: Codable {
    var framesCaptured = 0
    var framesProcessed = 0
    var framesDropped = 0
    /// Processed frames that faces were detected on (one in `detection.interval_frames`); on the
    /// others the tracks are followed.
    var framesDetected = 0
    var streamStalls = 0
    var facesDetected = 0
    var qualityRejections: [String: Int] = Dictionary(
        uniqueKeysWithValues: QualityRejection.allCases.map { ($0.rawValue, 0) })
    var embeddingsComputed = 0
    /// Faces that passed the first look and were embedded by the second model too.
    var faceNetEmbeddingsComputed = 0
    var tracksStarted = 0
    /// Tracks that passed from one person to another (their first person's data wiped at once).
    var trackIdentitySwitches = 0
    var alerts = 0
    /// Matches held back as repeats of an alert already raised for the same pass (`RepeatAlertGate`).
    var repeatAlertsSuppressed = 0
    var elapsedSeconds = 0.0
    var framesPerSecond = 0.0
    var alertLatencyMsP50: Double?
    var alertLatencyMsP95: Double?
    var decisionLatencyMsP50: Double?
    var decisionLatencyMsP95: Double?
    var nonMatchDataLifetimeMaxSeconds: Double?
    var nonMatchDataLifetimeP95Seconds: Double?
    var peakRSSMiB = 0.0
    /// With `--audit-memory`: how many of the run's face vectors were still in the process's memory at its end.
    var memoryAudit: MemoryAudit.Findings?

    enum CodingKeys: String, CodingKey {
        case framesCaptured = "frames_captured", framesProcessed = "frames_processed", framesDropped = "frames_dropped"
        case framesDetected = "frames_detected"
        case streamStalls = "stream_stalls", facesDetected = "faces_detected", qualityRejections = "quality_rejections"
        case embeddingsComputed = "embeddings_computed", faceNetEmbeddingsComputed = "facenet_embeddings_computed",
            tracksStarted = "tracks_started", alerts
        case repeatAlertsSuppressed = "repeat_alerts_suppressed"
        case trackIdentitySwitches = "track_identity_switches"
        case elapsedSeconds = "elapsed_seconds", framesPerSecond = "frames_per_second"
        case alertLatencyMsP50 = "alert_latency_ms_p50", alertLatencyMsP95 = "alert_latency_ms_p95"
        case decisionLatencyMsP50 = "decision_latency_ms_p50", decisionLatencyMsP95 = "decision_latency_ms_p95"
        case nonMatchDataLifetimeMaxSeconds = "non_match_data_lifetime_max_s"
        case nonMatchDataLifetimeP95Seconds = "non_match_data_lifetime_p95_s"
        case peakRSSMiB = "peak_rss_mib", memoryAudit = "memory_audit"
    }
}
