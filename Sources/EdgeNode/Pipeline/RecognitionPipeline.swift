import FaceEngine
import FaceTemplates
import Foundation
import Logging

/// Settings of the recognition path from frame to alert.
struct PipelineSettings {
    var detector = DetectorSettings()
    /// Detect faces on one frame in this many and follow tracks across the frames between
    /// (`detection.interval_frames`): detection is most of a frame's cost, and a face walking past
    /// is in view for dozens of frames.
    var detectionInterval = 2
    var quality = QualitySettings()
    var tracker = TrackerSettings()
    var embedding = TrackBook.Policy()
    /// Score at or below which a face matches (config `matching.threshold`); nil: the watchlist's
    /// own, else the measured default for its rule (`MeasuredThresholds`).
    var threshold: Float?
    /// Under the fused rule, the second look (flip-averaged dlib and FaceNet embeddings, as
    /// templates are made) runs only on faces whose dlib-only normalised score is at most
    /// this multiple of the threshold. On lfw_dev lists of 2 and 10 without a cohort, 1.15 passed
    /// every mated search the fused rule accepts at FPIR 1e-3 and about 2% of strangers, so the
    /// second model costs little in a crowd.
    var faceNetGate: Float = 1.15
    /// A subject's matches on this camera within this many seconds of its last one are the same
    /// pass and raise no second alert (`RepeatAlertGate`); 0 turns this off.
    var repeatAlertWindow: Double = 5
}

/// Detect → quality → track → embed → match, one frame at a time. Owns the native detector and
/// embedder, so one task drives it. Faces that do not match stay in RAM only and are wiped with
/// their frame and, for embeddings, when their track ends.
final class RecognitionPipeline {
    private let detector: FaceDetector
    private let embedder: FaceEmbedder
    private let extractor: FeatureExtractor
    private let gate: QualityGate
    /// The watchlist in RAM; nil before one is accepted or after it is wiped (faces are then only counted).
    private var matcher: Matcher?
    private var settings: PipelineSettings
    private var threshold: Float
    private var tracker: Tracker
    private var book: TrackBook
    private var repeats: RepeatAlertGate
    /// Index of the last frame faces were detected on.
    private var lastDetectedFrame: Int?
    private(set) var report = PipelineReport()
    /// Notes every vector computed for a face, for `edge-node run --audit-memory`.
    var audit: MemoryAudit?
    /// Receives each track's trace when the track ends, for `edge-node run --trace`; nil: no tracing.
    var traced: ((TrackTrace) -> Void)? {
        didSet { traces = traced == nil ? nil : TrackTraceBook() }
    }
    private var traces: TrackTraceBook?
    /// Capture to alert, for every alert.
    private var alertLatencies = DurationSummary()
    /// Capture to match decision, for every embedded face (what an alert's latency would be).
    private var decisionLatencies = DurationSummary()
    private let logger: Logger

    init(models: ModelStore, matcher: Matcher?, settings: PipelineSettings, threshold: Float, logger: Logger) throws {
        // FaceNet first: loaded before the other nets, its TensorFlow graph parse leaves the heap
        // less fragmented, and peak RSS measured 60 MiB lower (364 vs 425 MiB on the Hamilton clip).
        let faceNet = try models.makeFaceNetEmbedder()
        detector = try models.makeDetector(settings: settings.detector)
        embedder = try models.makeEmbedder()
        extractor = FeatureExtractor(embedder: embedder, faceNet: faceNet)
        self.threshold = threshold
        gate = try QualityGate(settings: settings.quality)
        try settings.tracker.validate()
        tracker = Tracker(settings: settings.tracker)
        book = TrackBook(policy: settings.embedding)
        repeats = RepeatAlertGate(window: settings.repeatAlertWindow)
        self.matcher = matcher
        self.settings = settings
        self.logger = logger
    }

    /// Replaces (or, with nil, wipes) the watchlist the pipeline matches against.
    func replaceWatchlist(_ matcher: Matcher?, threshold: Float) {
        self.matcher = matcher
        self.threshold = threshold
        repeats.reset()
    }

    /// Processes one frame and returns its alerts; the frame's pixels are wiped afterwards.
    /// `crop` turns a matched face into the stored evidence (called only for matches).
    func process(_ frame: Frame, crop: (Image, Box, UUID) -> String?) throws -> [AlertRecord] {
        defer { frame.image.wipe() }
        report.framesProcessed += 1
        // A looping file starts its indices again: that frame is detected as a new start.
        let since = lastDetectedFrame.map { frame.index - $0 } ?? 0
        if since > 0, since < settings.detectionInterval { return [] }
        lastDetectedFrame = frame.index
        report.framesDetected += 1
        let detections = try detector.detect(in: frame.image)
        report.facesDetected += detections.count
        let update = tracker.update(with: detections.map(\.box), frames: since)
        let now = ContinuousClock.now
        for id in update.ended { endTrack(id, at: now) }
        for id in update.started { book.start(id, at: frame.capturedAt) }
        report.tracksStarted += update.started.count

        var candidates: [(detection: Detection, track: TrackID, quality: QualityFigures, priority: Float)] = []
        for (detection, track) in zip(detections, update.assignments) {
            traces?.update(track, frame: frame.index) { $0.saw(detection.box, frame: frame.index) }
            if book.hasAlerted(track) {
                repeats.stillInView(book.alertedSubjects(track), at: frame.streamTime)
                continue
            }
            let quality = try gate.measure(detection, in: frame.image)
            if let reason = gate.rejection(for: quality) {
                report.qualityRejections[reason.rawValue, default: 0] += 1
                traces?.update(track, frame: frame.index) { $0.qualityRejections[reason.rawValue, default: 0] += 1 }
                logger.debug(
                    "face below quality bar",
                    metadata: [
                        "frame": "\(frame.index)", "track": "\(track)", "reason": "\(reason.rawValue)",
                        "box":
                            "\(Int(detection.box.x)),\(Int(detection.box.y)),\(Int(detection.box.width))x\(Int(detection.box.height))",
                        "inter_eye": "\(Int(quality.interEye))", "luma": "\(Int(quality.lumaMean))",
                        "sharpness": "\(Int(quality.sharpness))", "yaw": "\(quality.yaw)",
                    ])
                continue
            }
            if let priority = book.embeddingPriority(track, rank: quality.rank) {
                candidates.append((detection, track, quality, priority))
            }
        }
        let batch = candidates.sorted { $0.priority > $1.priority }.prefix(settings.embedding.maxPerFrame)
        guard !batch.isEmpty, let matcher else { return [] }
        let embeddings = try embedder.embed(batch.map(\.detection), in: frame.image)
        report.embeddingsComputed += embeddings.count
        let decided = (ContinuousClock.now - frame.capturedAt).inSeconds * 1000
        for _ in embeddings { decisionLatencies.record(milliseconds: decided) }

        var alerts: [AlertRecord] = []
        var faceNetRuns = 0
        for (item, embedding) in zip(batch, embeddings) {
            let trackMean = book.add(
                embedding, rank: item.quality.rank, to: item.track, capturedAt: frame.capturedAt,
                now: ContinuousClock.now)
            audit?.note(embedding.storage, track: item.track.rawValue)
            audit?.note(trackMean.storage, track: item.track.rawValue)
            var probes = [FaceFeatures(dlib: embedding), FaceFeatures(dlib: trackMean)]
            var candidates = probes.compactMap { matcher.nearest(to: $0) }
            let firstLook = candidates.map(\.distance).min()
            var secondLook = false
            if matcher.wantsFaceNet {
                // The second model only for faces the first already finds close to someone, on the
                // track's first such faces; later ones reuse the track's FaceNet mean.
                let promising = (candidates.map(\.distance).min() ?? .infinity) <= threshold * settings.faceNetGate
                if promising, faceNetRuns < settings.embedding.maxFaceNetPerFrame, book.wantsFaceNet(item.track) {
                    // Flip-averaged, like the templates and the evaluated probes.
                    let closer = try extractor.features([item.detection], in: frame.image, flipAveraged: true)[0]
                    faceNetRuns += 1
                    secondLook = true
                    report.faceNetEmbeddingsComputed += 1
                    let secondMean = book.addFaceNet(closer.faceNet!, to: item.track)
                    for v in [closer.dlib.storage, closer.faceNet!.storage, secondMean.storage] {
                        audit?.note(v, track: item.track.rawValue)
                    }
                    probes = [closer, FaceFeatures(dlib: trackMean, faceNet: secondMean)]
                } else if promising, let secondMean = book.faceNetMean(item.track) {
                    probes = [FaceFeatures(dlib: trackMean, faceNet: secondMean)]
                } else {
                    probes = []  // a dlib-only score is a first look, never grounds for an alert
                }
                candidates = probes.compactMap { matcher.nearest(to: $0) }
            }
            let decidedScore = candidates.map(\.distance).min()
            traces?.update(item.track, frame: frame.index) { t in
                t.embedded += 1
                t.secondLooks += secondLook ? 1 : 0
                t.bestFirstLook = [t.bestFirstLook, firstLook].compactMap { $0 }.min()
                t.bestScore = [t.bestScore, decidedScore].compactMap { $0 }.min()
            }
            logger.debug(
                "track embedded",
                metadata: [
                    "frame": "\(frame.index)", "track": "\(item.track)",
                    "box":
                        "\(Int(item.detection.box.x)),\(Int(item.detection.box.y)),\(Int(item.detection.box.width))x\(Int(item.detection.box.height))",
                    "nearest_score": "\(candidates.map(\.distance).min() ?? .infinity)",
                ])
            guard let best = candidates.min(by: { $0.distance < $1.distance }), best.distance <= threshold,
                book.recordAlert(best.subject, for: item.track)
            else { continue }
            traces?.update(item.track, frame: frame.index) { $0.matched = true }
            guard repeats.admit(best.subject, at: frame.streamTime) else {
                report.repeatAlertsSuppressed += 1
                continue
            }
            audit?.trackAlerted(item.track.rawValue)
            let id = UUID()
            let latency = (ContinuousClock.now - frame.capturedAt).inSeconds * 1000
            alertLatencies.record(milliseconds: latency)
            report.alerts += 1
            alerts.append(
                AlertRecord(
                    alertID: id, subject: best.subject, score: best.score(threshold: threshold),
                    distance: best.distance, margin: best.margin, runnerUp: best.runnerUp, frame: frame.index,
                    // The frame's capture on the wall clock, from its monotonic instant: not the decision's time.
                    time: frame.streamTime, capturedAt: Date(timeIntervalSinceNow: -latency / 1000),
                    track: item.track.rawValue, trackFrames: book.embeddingCount(item.track),
                    box: item.detection.box,
                    quality: item.quality, latencyMs: latency, crop: crop(frame.image, item.detection.box, id)))
        }
        return alerts
    }

    private func endTrack(_ id: TrackID, at now: ContinuousClock.Instant) {
        book.end(id, at: now)
        if let trace = traces?.end(id) { traced?(trace) }
    }

    /// Ends every track (end of stream or shutdown), wiping what they held, and completes the report.
    func finish(capture: CaptureCounters, elapsed: Duration) -> PipelineReport {
        let now = ContinuousClock.now
        for id in tracker.endAll() { endTrack(id, at: now) }
        report.framesCaptured = capture.captured
        report.framesDropped = capture.dropped
        report.streamStalls = capture.stalls
        report.elapsedSeconds = elapsed.inSeconds
        report.framesPerSecond = report.elapsedSeconds > 0 ? Double(report.framesProcessed) / report.elapsedSeconds : 0
        report.alertLatencyMsP50 = alertLatencies.milliseconds(atFraction: 0.5)
        report.alertLatencyMsP95 = alertLatencies.milliseconds(atFraction: 0.95)
        report.decisionLatencyMsP50 = decisionLatencies.milliseconds(atFraction: 0.5)
        report.decisionLatencyMsP95 = decisionLatencies.milliseconds(atFraction: 0.95)
        report.nonMatchDataLifetimeMaxSeconds = book.nonMatchLifetimes.maximumSeconds
        report.nonMatchDataLifetimeP95Seconds = book.nonMatchLifetimes.seconds(atFraction: 0.95)
        report.trackIdentitySwitches = book.identitySwitches
        report.peakRSSMiB = peakResidentMiB()
        return report
    }
}

/// Peak resident set size of this process (VmHWM), in MiB.
func peakResidentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return 0 }
    return kb / 1024
}
