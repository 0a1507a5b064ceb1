import ArgumentParser
import FaceEngine
import Foundation
import Logging
import Shared

/// `edge-node run`: offline mode on a file, RTSP stream or V4L2 camera with a watchlist file.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the recognition pipeline on a source and print one JSON object per alert."
    )

    @Option(help: "Video file, rtsp:// URL or /dev/videoN device.")
    var source: String

    @Option(help: "Watchlist file (from `edge-node enrol`).")
    var watchlist: String

    @Option(help: "Folder to write the JPEG crop of each alert into (0600 files).")
    var crops: String?

    @Option(help: "Pipeline settings file (JSON; see config/edge-node.example.json).")
    var config: String?

    @Option(help: "Match threshold (L2 distance); overrides the config file and the watchlist.")
    var threshold: Float?

    @Flag(help: "Pace a file at its frame rate and drop frames when behind, as with a live camera.")
    var realtime = false

    @Option(help: "Write the run's counters (no faces) as JSON to this file at the end.")
    var report: String?

    @Option(help: "Seconds between health lines (counts only) on standard error; 0 turns them off.")
    var healthInterval: Double = 30

    @Option(help: "OpenCV worker threads.")
    var threads: Int = 2

    @OptionGroup var models: ModelOptions

    @Flag(help: "Debug logging.")
    var verbose = false

    func validate() throws {
        if let threshold, !(threshold > 0 && threshold < 2) {
            throw ValidationError("--threshold \(threshold) is out of range: use an L2 distance between 0 and 2 (recommended \(EdgeDefaults.threshold))")
        }
        guard healthInterval >= 0 else { throw ValidationError("--health-interval must be >= 0 seconds") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads \(threads) is out of range: use 1...64") }
    }

    func run() async throws {
        let logger = bootstrapLogging(verbose: verbose)
        FaceDetector.setThreads(threads)
        let list = try TemplateWatchlist.load(path: watchlist)
        var settings = try config.map { try EdgeConfigFile.load(path: $0).pipelineSettings() } ?? PipelineSettings()
        if let t = threshold ?? (config == nil ? list.threshold : nil) { settings.threshold = t }
        if let crops { try makePrivateFolder(crops) }

        let pipeline = try RecognitionPipeline(models: ModelStore.locate(explicit: models.directory),
                                               matcher: Matcher(entries: list.entries), settings: settings, logger: logger)
        let kind = SourceKind(source: source)
        let feed = FrameFeed(source: source, settings: .defaults(for: kind, realtime: realtime), logger: logger)
        try feed.start()
        let stopSignals = SignalWatch(signals: [SIGINT, SIGTERM]) { feed.stop() }
        logger.info("running", metadata: ["subjects": "\(list.entries.count)", "threshold": "\(settings.threshold)"])

        let started = ContinuousClock.now
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var lastHealth = started
        while let frame = await feed.next() {
            let alerts = try pipeline.process(frame) { image, box, id in
                crops.flatMap { writeCrop(image, box: box, id: id, folder: $0, logger: logger) }
            }
            for alert in alerts {
                FileHandle.standardOutput.write(try encoder.encode(alert) + Data("\n".utf8))
            }
            if healthInterval > 0, ContinuousClock.now - lastHealth >= .seconds(healthInterval) {
                lastHealth = ContinuousClock.now
                let capture = feed.snapshot
                logger.info("health", metadata: [
                    "frames_processed": "\(pipeline.report.framesProcessed)", "frames_dropped": "\(capture.dropped)",
                    "stream_stalls": "\(capture.stalls)", "faces": "\(pipeline.report.facesDetected)",
                    "alerts": "\(pipeline.report.alerts)"])
            }
        }
        stopSignals.cancel()
        let summary = pipeline.finish(capture: feed.snapshot, elapsed: ContinuousClock.now - started)
        if let report { try encoder.encode(summary).write(to: URL(fileURLWithPath: report)) }
        logger.info("run finished", metadata: summaryMetadata(summary))
        if case .failed(let error) = feed.endReason { throw error }
    }
}

/// Defaults chosen from measurements (see README, "Accuracy").
enum EdgeDefaults {
    static let threshold: Float = PipelineSettings().threshold
    /// The largest watchlist for which the default threshold keeps FPIR <= 1e-3.
    static let thresholdListSize = 10
}

func summaryMetadata(_ r: PipelineReport) -> Logger.Metadata {
    var m: Logger.Metadata = [
        "frames_processed": "\(r.framesProcessed)", "frames_dropped": "\(r.framesDropped)",
        "faces": "\(r.facesDetected)", "embeddings": "\(r.embeddingsComputed)", "tracks": "\(r.tracksStarted)",
        "alerts": "\(r.alerts)", "fps": "\(String(format: "%.1f", r.framesPerSecond))",
        "peak_rss_mib": "\(Int(r.peakRSSMiB))",
    ]
    for (reason, count) in r.qualityRejections where count > 0 { m["rejected_\(reason)"] = "\(count)" }
    if let max = r.nonMatchDataLifetimeMaxSeconds { m["non_match_data_lifetime_max_s"] = "\(String(format: "%.2f", max))" }
    return m
}

/// Creates a folder readable by its owner only (alert crops are biometric evidence).
func makePrivateFolder(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o700])
}

private func writeCrop(_ image: Image, box: Box, id: UUID, folder: String, logger: Logger) -> String? {
    let path = "\(folder)/\(id.uuidString).jpg"
    do {
        let bytes = try image.jpeg(of: box.expanded(by: 0.2))
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            logger.error("cannot write alert crop", metadata: ["file": "\(path)"])
            return nil
        }
        return path
    } catch {
        logger.error("cannot encode alert crop", metadata: ["error": "\(error)"])
        return nil
    }
}
