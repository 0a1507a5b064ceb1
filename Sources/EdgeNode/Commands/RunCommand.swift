import ArgumentParser
import CommandLineOptions
import Enrolment
import FaceEngine
import FaceTemplates
import Foundation
import Logging
import ServiceLifecycle
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

    @Option(help: "Match threshold (a score under the watchlist's rule); overrides the config file and the watchlist.")
    var threshold: Float?

    @Flag(help: "Pace a file at its frame rate and drop frames when behind, as with a live camera.")
    var realtime = false

    @Flag(help: "Start a file again when it ends (an endless camera; stop with Ctrl-C).")
    var loop = false

    @Option(
        help:
            "Evaluation clips only: write one JSON line per track (counts, scores and where it was; no faces, no subject ids) to this file, to see where missed passes were lost."
    )
    var trace: String?

    @Option(help: "Write the run's counters (no faces) as JSON to this file at the end.")
    var report: String?

    @Option(help: "Seconds between health lines (counts only) on standard error; 0 turns them off.")
    var healthInterval: Double = 30

    @Option(help: "OpenCV worker threads.")
    var threads: Int = 2

    @OptionGroup var models: ModelOptions

    @Flag(help: "Debug logging.")
    var verbose = false

    @Flag(
        help:
            "At the end, scan this process's memory for the face vectors the run computed and report how many survive (--report, memory_audit)."
    )
    var auditMemory = false

    func validate() throws {
        if let threshold, !(threshold > 0 && threshold < 2) {
            throw ValidationError(
                "--threshold \(threshold) is out of range: use a score between 0 and 2 (README, \"Accuracy\")")
        }
        guard healthInterval >= 0 else { throw ValidationError("--health-interval must be >= 0 seconds") }
        guard (1...64).contains(threads) else {
            throw ValidationError("--threads \(threads) is out of range: use 1...64")
        }
    }

    func run() async throws {
        let logger = bootstrapLogging(verbose: verbose)
        FaceDetector.setThreads(threads)
        let edgeConfig = try config.map { try EdgeConfigFile.load(path: $0) }
        let settings = edgeConfig?.pipeline ?? PipelineSettings()
        let list = try LoadedWatchlist.load(path: watchlist, policy: edgeConfig?.bundlePolicy, now: Date())
        if list.isSigned, threshold != nil {
            throw ValidationError(
                "--threshold cannot override a signed watchlist: its threshold is part of what was authorised")
        }
        // A signed list's threshold was authorised with it; otherwise the flag, the config, the list, the measured default.
        let chosen =
            (list.isSigned ? list.threshold : threshold ?? settings.threshold ?? list.threshold)
            ?? MeasuredThresholds.threshold(
                for: list.matcher.rule, cohortFaces: list.cohortFaces, listSize: list.matcher.subjects.count,
                enrolment: list.matcher.templateCount > list.matcher.subjects.count ? .severalTemplates : .onePhoto)
        if let crops { try makePrivateFolder(crops) }

        let pipeline = try RecognitionPipeline(
            models: ModelStore.locate(explicit: models.directory),
            matcher: list.matcher, settings: settings, threshold: chosen, logger: logger)
        if auditMemory {
            let audit = MemoryAudit()
            for entry in list.entries { for t in entry.templates { audit.noteTemplate(t.storage) } }
            pipeline.audit = audit
        }
        if let trace {
            let out = try TraceFile(path: trace, threshold: chosen, faceNetGate: settings.faceNetGate)
            pipeline.traced = { out.write($0) }
        }
        let kind = SourceKind(source: source)
        let feed = FrameFeed(
            source: source, settings: .defaults(for: kind, realtime: realtime, loop: loop), logger: logger)
        try feed.open()
        logger.info("running", metadata: ["subjects": "\(list.matcher.subjects.count)", "threshold": "\(chosen)"])

        let service = OfflineRunService(
            pipeline: pipeline, feed: feed,
            output: OfflineRunService.Output(
                crops: crops, report: report, healthInterval: healthInterval > 0 ? .seconds(healthInterval) : nil),
            logger: logger)
        // SIGTERM (systemd stop) and SIGINT end the run gracefully: tracks are wiped and the report written.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    // The feed first, so that a graceful stop reaches the run (which stops the feed) before it.
                    .init(service: feed, successTerminationBehavior: .ignore),
                    .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

func summaryMetadata(_ r: PipelineReport) -> Logger.Metadata {
    var m: Logger.Metadata = [
        "frames_processed": "\(r.framesProcessed)", "frames_dropped": "\(r.framesDropped)",
        "faces": "\(r.facesDetected)", "embeddings": "\(r.embeddingsComputed)", "tracks": "\(r.tracksStarted)",
        "alerts": "\(r.alerts)", "fps": "\(String(format: "%.1f", r.framesPerSecond))",
        "peak_rss_mib": "\(Int(r.peakRSSMiB))",
    ]
    for (reason, count) in r.qualityRejections where count > 0 { m["rejected_\(reason)"] = "\(count)" }
    if let max = r.nonMatchDataLifetimeMaxSeconds {
        m["non_match_data_lifetime_max_s"] = "\(String(format: "%.2f", max))"
    }
    return m
}

/// Creates a folder readable by its owner only (alert crops are biometric evidence).
func makePrivateFolder(_ path: String) throws {
    try FileManager.default.createDirectory(
        atPath: path, withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
}
