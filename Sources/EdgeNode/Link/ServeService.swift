import FaceEngine
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// `edge-node serve` as a service: waits for an authorised watchlist, then runs the camera
/// through the pipeline and puts every alert in the outbox (the link sends it); on shutdown the
/// watchlist and every track are wiped.
actor ServeService: Service {
    private let node: EdgeConfigFile.NodeSettings
    private let pipeline: RecognitionPipeline
    private let holder: WatchlistHolder
    private let outbox: AlertOutbox
    private let health: HealthCounters
    private let deploymentID: String
    private let logger: Logger
    private let clock: WallClock

    init(
        node: EdgeConfigFile.NodeSettings, pipeline: RecognitionPipeline, holder: WatchlistHolder, outbox: AlertOutbox,
        health: HealthCounters, deploymentID: String, logger: Logger,
        clock: WallClock = .system
    ) {
        self.clock = clock
        self.node = node
        self.pipeline = pipeline
        self.holder = holder
        self.outbox = outbox
        self.health = health
        self.deploymentID = deploymentID
        self.logger = logger
    }

    func run() async throws {
        let kind = SourceKind(source: node.source)
        let feed = FrameFeed(
            source: node.source, settings: .defaults(for: kind, realtime: node.realtime, loop: node.loop),
            logger: logger)
        let holder = self.holder
        defer {
            feed.stop()
            holder.wipe()
            logger.info("stopped: watchlist and tracks wiped")
        }
        try await withGracefulShutdownHandler {
            var seen = 0
            logger.info("waiting for an authorised watchlist")
            while !Task.isShuttingDownGracefully {
                if let change = holder.changes(since: seen, now: clock.now()), let current = change.current {
                    seen = change.generation
                    pipeline.replaceWatchlist(current.matcher, threshold: current.threshold)
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            guard !Task.isShuttingDownGracefully else { return }
            let started = ContinuousClock.now
            let publishCounts = { [pipeline, health] in
                var report = pipeline.report
                report.elapsedSeconds = (ContinuousClock.now - started).inSeconds
                let frames = feed.snapshot
                health.update(report, framesCaptured: frames.captured, framesDropped: frames.dropped)
            }
            try feed.open()
            // The capture thread lives as long as this child task: it ends with the source or the service.
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await feed.run() }
                var version = holder.heldVersion
                while let frame = await feed.next() {
                    if let change = holder.changes(since: seen, now: clock.now()) {
                        seen = change.generation
                        pipeline.replaceWatchlist(change.current?.matcher, threshold: change.current?.threshold ?? 0)
                        version = change.current?.version ?? 0
                    }
                    var crops: [UUID: [UInt8]] = [:]
                    let alerts = try pipeline.process(frame) { image, box, id in
                        crops[id] = try? image.jpeg(of: box.expanded(by: 0.2))
                        return nil
                    }
                    for alert in alerts {
                        try outbox.add(
                            .init(
                                alertID: alert.alertID, nodeID: node.id, cameraID: node.cameraID,
                                deploymentID: deploymentID,
                                watchlistVersion: version, subject: alert.subject, score: alert.score,
                                distance: alert.distance, capturedAt: alert.capturedAt, track: UInt64(alert.track),
                                trackFrames: UInt32(clamping: alert.trackFrames),
                                quality: [
                                    alert.quality.interEye, alert.quality.sharpness, alert.quality.lumaMean,
                                    alert.quality.lumaStd, alert.quality.yaw, alert.quality.pitch, alert.quality.roll,
                                ],
                                cropJPEG: crops[alert.alertID] ?? []), now: clock.now())
                        logger.info("alert queued", metadata: ["alert_id": "\(alert.alertID)"])
                    }
                    publishCounts()
                }
                feed.stop()
            }
            // The feed's final counts: a frame read after the last one processed was dropped.
            publishCounts()
            if case .failed(let error) = feed.endReason { throw error }
            logger.info("source ended; serving until stopped")
            try? await gracefulShutdown()
        } onGracefulShutdown: {
            feed.stop()
        }
    }
}
