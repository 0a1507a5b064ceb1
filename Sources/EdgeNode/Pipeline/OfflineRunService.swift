import FaceEngine
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// `edge-node run` as a service: frames from the feed through the pipeline, alerts as JSON lines
/// on standard output, health lines on standard error, until the source ends or a graceful
/// shutdown; then every track is wiped and the report written.
actor OfflineRunService: Service {
    struct Output {
        /// Folder for matched faces' crops, if any.
        var crops: String?
        /// File for the run's counters, if any.
        var report: String?
        var healthInterval: Duration?
    }

    private let pipeline: RecognitionPipeline
    private let feed: FrameFeed
    private let output: Output
    private let logger: Logger
    private let encoder: JSONEncoder

    init(pipeline: RecognitionPipeline, feed: FrameFeed, output: Output, logger: Logger) {
        self.pipeline = pipeline
        self.feed = feed
        self.output = output
        self.logger = logger
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
    }

    func run() async throws {
        let started = ContinuousClock.now
        let feed = self.feed
        try await withGracefulShutdownHandler {
            try await processFrames()
        } onGracefulShutdown: {
            feed.stop()
        }
        var summary = pipeline.finish(capture: feed.snapshot, elapsed: ContinuousClock.now - started)
        if let audit = pipeline.audit {
            summary.memoryAudit = try audit.scan()
            logger.info(
                "memory audit",
                metadata: [
                    "non_match_surviving": "\(summary.memoryAudit!.nonMatchSurviving)",
                    "non_match_vectors": "\(summary.memoryAudit!.nonMatchVectors)",
                    "watchlist_templates_found": "\(summary.memoryAudit!.watchlistTemplatesFound)",
                ])
        }
        if let report = output.report { try encoder.encode(summary).write(to: URL(fileURLWithPath: report)) }
        logger.info("run finished", metadata: summaryMetadata(summary))
        if case .failed(let error) = feed.endReason { throw error }
    }

    private func processFrames() async throws {
        var lastHealth = ContinuousClock.now
        while let frame = await feed.next() {
            let alerts = try pipeline.process(frame) { image, box, id in
                output.crops.flatMap { writeCrop(image, box: box, id: id, folder: $0) }
            }
            for alert in alerts {
                FileHandle.standardOutput.write(try encoder.encode(alert) + Data("\n".utf8))
            }
            if let interval = output.healthInterval, ContinuousClock.now - lastHealth >= interval {
                lastHealth = ContinuousClock.now
                let capture = feed.snapshot
                logger.info(
                    "health",
                    metadata: [
                        "frames_processed": "\(pipeline.report.framesProcessed)",
                        "frames_dropped": "\(capture.dropped)",
                        "stream_stalls": "\(capture.stalls)", "faces": "\(pipeline.report.facesDetected)",
                        "alerts": "\(pipeline.report.alerts)",
                    ])
            }
        }
    }

    /// Writes a matched face's crop, readable by its owner only; failures are logged, not fatal.
    private func writeCrop(_ image: Image, box: Box, id: UUID, folder: String) -> String? {
        let path = "\(folder)/\(id.uuidString).jpg"
        do {
            let bytes = try image.jpeg(of: box.expanded(by: 0.2))
            try PrivateFile.write(bytes, to: path, mode: .createNew)
            return path
        } catch {
            logger.error("cannot write alert crop", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

/// The feed as a service in `edge-node run`'s group: its capture thread lives while the group runs.
extension FrameFeed: Service {}
