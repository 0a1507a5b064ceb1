import FaceEngine
import Foundation
import Logging
import ServiceLifecycle
import Shared
import ZeroMQTransport

/// The edge node's side of the fabric: a CURVE DEALER to the coordinator. It carries out what
/// `LinkStateMachine` decides: announces the node, sends heartbeats (counts only), sends the
/// outbox's alerts until each is acknowledged, installs verified watchlists and obeys commands.
/// A service: its socket's loop starts when the group runs it and stops when the group does.
final class EdgeLink: Service, @unchecked Sendable {
    struct Settings {
        var nodeID: String
        var coordinator: String
        var coordinatorKey: String
        var keys: CurveKeyPair
        var heartbeatInterval: Duration
        var deploymentID: String
    }

    private let outbox: AlertOutbox
    private let holder: WatchlistHolder
    private let witness: AuditWitness
    private let health: HealthCounters
    private let logger: Logger
    private let context = ZMQContext()
    private var loop: SocketLoop!
    private let clock: WallClock
    private let started: Date

    // Guarded by `lock`: the socket's thread and the ticks both drive the machine.
    private let lock = NSLock()
    private var machine: LinkStateMachine

    init(
        settings: Settings, policy: BundlePolicy, outbox: AlertOutbox, holder: WatchlistHolder, witness: AuditWitness,
        health: HealthCounters,
        logger: Logger, clock: WallClock = .system
    ) throws {
        self.clock = clock
        started = clock.now()
        self.outbox = outbox
        self.holder = holder
        self.witness = witness
        self.health = health
        self.logger = logger
        machine = LinkStateMachine(
            settings: .init(
                nodeID: settings.nodeID, deploymentID: settings.deploymentID,
                heartbeatInterval: settings.heartbeatInterval / .seconds(1)),
            policy: policy, now: clock.now())
        let dealer = try ZMQSocket(context, .dealer)
        try dealer.makeCurveClient(settings.keys, serverKey: settings.coordinatorKey)
        try dealer.setMaxMessageSize(Int64(WireMessage.maxFrameBytes))
        try dealer.setReconnectBackoffMaximum(.seconds(10))
        try dealer.connect(settings.coordinator)
        loop = try SocketLoop(socket: dealer, name: "edge-link") { [weak self] frames, _ in self?.handle(frames) }
    }

    /// Hello at once, then a tick every 50 ms (heartbeats, resends, expiry) until the group shuts
    /// down; then the socket's loop stops.
    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.loop.run() }
            let held = self.held
            perform(lock.withLock { machine.start(held: held) })
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                perform(lock.withLock { machine.tick(now: clock.now()) })
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(50)) }
            }
            loop.stop()
        }
    }

    private var held: LinkStateMachine.Held {
        .init(version: holder.heldVersion, refusedAtOrBelow: holder.refusedAtOrBelow)
    }

    private func handle(_ frames: [[UInt8]]) {
        let held = self.held
        perform(lock.withLock { machine.received(frames.count == 1 ? frames[0] : [], held: held, now: clock.now()) })
    }

    private func perform(_ actions: [LinkStateMachine.Action]) {
        for action in actions {
            switch action {
            case .send(let message):
                loop.send([message.encode()])
            case .sendHeartbeat:
                let now = clock.now()
                loop.send([
                    WireMessage.heartbeat(
                        health.heartbeat(
                            uptime: now.timeIntervalSince(started),
                            watchlistVersion: holder.heldVersion)
                    ).encode()
                ])
            case .sendDueAlerts:
                do {
                    let now = clock.now()
                    for (id, frame) in try outbox.due(now: now) {
                        loop.send([frame])
                        try outbox.attempted(id, now: now)
                    }
                } catch {
                    logger.error("outbox unreadable", metadata: ["error": "\(error)"])
                }
            case .deleteFromOutbox(let id):
                do { try outbox.acknowledge(id) } catch {
                    logger.error("cannot delete acknowledged alert", metadata: ["error": "\(error)"])
                }
            case .install(let bundle):
                do {
                    try holder.install(bundle)
                    perform(lock.withLock { machine.installed(bundle) })
                } catch {
                    let held = self.held
                    perform(lock.withLock { machine.installFailed("\(error)", held: held) })
                }
            case .wipeWatchlist:
                holder.wipe()
            case .expireWatchlist:
                if holder.expireIfDue(now: clock.now()) { logger.info("watchlist expired and wiped") }
            case .witness(let bytes):
                do {
                    let (receipt, kept) = try witness.witness(bytes)
                    loop.send([WireMessage.witnessReceipt(receipt).encode()])
                    if case .contradicts(let why) = kept {
                        logger.critical(
                            "audit checkpoint contradicts one this node keeps: the coordinator's log was cut or rewritten",
                            metadata: ["entries": "\(receipt.entries)", "detail": "\(why)"])
                    } else if kept == .new {
                        logger.info("audit checkpoint kept as a witness", metadata: ["entries": "\(receipt.entries)"])
                    }
                } catch {
                    logger.warning("audit checkpoint not kept", metadata: ["error": "\(error)"])
                }
            case .log(let level, let message, let metadata):
                logger.log(level: level, "\(message)", metadata: metadata)
            }
        }
    }
}

/// Counts shared between the pipeline (which updates them) and the link (which reports them).
final class HealthCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var report = PipelineReport()
    private var captured = 0
    private var dropped = 0

    func update(_ report: PipelineReport, framesCaptured: Int, framesDropped: Int) {
        lock.withLock {
            self.report = report
            captured = framesCaptured
            dropped = framesDropped
        }
    }

    /// The totals as the metrics endpoint shows them.
    func metrics(uptime: TimeInterval, watchlistVersion: UInt64, pendingAlerts: Int) -> EdgeMetricsSnapshot {
        lock.withLock {
            EdgeMetricsSnapshot(
                framesCaptured: captured, framesProcessed: report.framesProcessed, framesDropped: dropped,
                facesDetected: report.facesDetected,
                facesTracked: report.tracksStarted, qualityRejections: report.qualityRejections, alerts: report.alerts,
                framesPerSecond: report.elapsedSeconds > 0 ? Double(report.framesProcessed) / report.elapsedSeconds : 0,
                pendingAlerts: pendingAlerts, watchlistVersion: watchlistVersion, uptimeSeconds: uptime)
        }
    }

    func heartbeat(uptime: TimeInterval, watchlistVersion: UInt64) -> WireMessage.Heartbeat {
        lock.withLock {
            let fps = report.elapsedSeconds > 0 ? Float(Double(report.framesProcessed) / report.elapsedSeconds) : 0
            return .init(
                uptimeSeconds: UInt64(uptime), framesPerSecond: fps, facesSeen: UInt64(report.tracksStarted),
                framesDropped: UInt64(dropped), watchlistVersion: watchlistVersion,
                qualityRejections: report.qualityRejections.mapValues(UInt64.init))
        }
    }
}
