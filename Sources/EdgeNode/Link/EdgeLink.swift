import FaceEngine
import Foundation
import Logging
import Shared

/// The edge node's side of the fabric: a CURVE DEALER to the coordinator that announces the
/// node, sends heartbeats (counts only), sends the outbox's alerts until each is acknowledged,
/// verifies pushed watchlists and obeys commands.
final class EdgeLink: @unchecked Sendable {
    struct Settings {
        var nodeID: String
        var coordinator: String
        var coordinatorKey: String
        var keys: CurveKeyPair
        var heartbeatInterval: Duration
        var deploymentID: String
    }

    private let settings: Settings
    private let policy: BundlePolicy
    private let outbox: AlertOutbox
    private let holder: WatchlistHolder
    private let health: HealthCounters
    private let logger: Logger
    private let context = ZMQContext()
    private var loop: SocketLoop!
    private let started = Date()

    // Guarded by `lock`.
    private let lock = NSLock()
    private var running = true
    private var lastHeardFromCoordinator = Date()
    private var coordinatorReachable = true
    private let finished = DispatchSemaphore(value: 0)

    init(settings: Settings, policy: BundlePolicy, outbox: AlertOutbox, holder: WatchlistHolder, health: HealthCounters,
         logger: Logger) throws {
        self.settings = settings; self.policy = policy; self.outbox = outbox; self.holder = holder
        self.health = health; self.logger = logger
        let dealer = try ZMQSocket(context, .dealer)
        try dealer.makeCurveClient(settings.keys, serverKey: settings.coordinatorKey)
        try dealer.setMaxMessageSize(Int64(WireMessage.maxFrameBytes))
        try dealer.setReconnectBackoffMaximum(.seconds(10))
        try dealer.connect(settings.coordinator)
        loop = try SocketLoop(socket: dealer, name: "edge-link") { [weak self] frames, _ in self?.handle(frames) }
        let thread = Thread { [self] in sendLoop() }
        thread.name = "edge-sender"
        thread.start()
    }

    func stop() {
        lock.withLock { running = false }
        finished.wait()
        loop.stop()
    }

    private var isRunning: Bool { lock.withLock { running } }

    /// Hello at once, heartbeats on their interval, due alerts every 50 ms.
    private func sendLoop() {
        defer { finished.signal() }
        loop.send([WireMessage.hello(.init(nodeID: settings.nodeID, software: "watchpost-edge 1",
                                           heldWatchlistVersion: holder.heldVersion)).encode()])
        var lastBeat = Date()
        while isRunning {
            let now = Date()
            if now.timeIntervalSince(lastBeat) >= settings.heartbeatInterval.inSeconds {
                lastBeat = now
                loop.send([WireMessage.heartbeat(health.heartbeat(uptime: now.timeIntervalSince(started),
                                                                  watchlistVersion: holder.heldVersion)).encode()])
                checkCoordinator(now: now)
            }
            if holder.expireIfDue(now: now) { logger.info("watchlist expired and wiped") }
            do {
                for (id, frame) in try outbox.due(now: now) {
                    loop.send([frame])
                    try outbox.attempted(id, now: now)
                }
            } catch {
                logger.error("outbox unreadable", metadata: ["error": "\(error)"])
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The coordinator answers every heartbeat; three intervals of silence are reported once,
    /// and so is its return. Alerts meanwhile wait in the outbox.
    private func checkCoordinator(now: Date) {
        let becameSilent = lock.withLock {
            let silent = now.timeIntervalSince(lastHeardFromCoordinator) > 3 * settings.heartbeatInterval.inSeconds
            defer { if silent { coordinatorReachable = false } }
            return silent && coordinatorReachable
        }
        if becameSilent { logger.warning("coordinator unreachable; alerts are kept in the outbox") }
    }

    private func heardFromCoordinator() {
        let returned = lock.withLock {
            lastHeardFromCoordinator = Date()
            defer { coordinatorReachable = true }
            return !coordinatorReachable
        }
        if returned { logger.info("coordinator reachable again") }
    }

    private func handle(_ frames: [[UInt8]]) {
        guard frames.count == 1, let message = try? WireMessage.decode(frames[0]) else {
            health.countDroppedFrame()
            logger.debug("malformed frame from the coordinator dropped")
            return
        }
        heardFromCoordinator()
        switch message {
        case .ack(let id):
            do { try outbox.acknowledge(id) } catch { logger.error("cannot delete acknowledged alert", metadata: ["error": "\(error)"]) }
        case .watchlistBundle(let bytes):
            let status: WireMessage.WatchlistStatus
            let verdict = policy.verify(bytes, heldVersion: holder.refusedAtOrBelow, now: Date())
                .flatMap { bundle in Result { try holder.install(bundle) }.map { bundle }.mapError { BundleRefusal.malformed("\($0)") } }
            switch verdict {
            case .success(let bundle):
                status = .init(accepted: true, version: bundle.version, reasonCode: "", reason: "")
                logger.info("watchlist accepted", metadata: ["version": "\(bundle.version)", "subjects": "\(bundle.entries.count)"])
            case .failure(let refusal):
                status = .init(accepted: false, version: holder.heldVersion, reasonCode: refusal.code, reason: refusal.description)
                logger.warning("watchlist refused", metadata: ["reason": "\(refusal.code)", "detail": "\(refusal)"])
            }
            loop.send([WireMessage.watchlistStatus(status).encode()])
        case .command(.wipeWatchlist):
            holder.wipe()
            logger.info("watchlist wiped on command")
        case .command(.endDeployment(let deployment)) where deployment == settings.deploymentID:
            holder.wipe()
            logger.info("deployment ended on command: watchlist wiped", metadata: ["deployment": "\(deployment)"])
        case .heartbeat:
            break  // the coordinator's answer: it is alive
        case .command, .hello, .alert, .watchlistStatus:
            health.countDroppedFrame()
            logger.debug("unexpected message from the coordinator dropped")
        }
    }
}

/// Counts shared between the pipeline (which updates them) and the link (which reports them).
final class HealthCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var report = PipelineReport()
    private var dropped = 0
    private var droppedFrames = 0

    func update(_ report: PipelineReport, framesDropped: Int) { lock.withLock { self.report = report; dropped = framesDropped } }
    func countDroppedFrame() { lock.withLock { droppedFrames += 1 } }

    func heartbeat(uptime: TimeInterval, watchlistVersion: UInt64) -> WireMessage.Heartbeat {
        lock.withLock {
            let fps = report.elapsedSeconds > 0 ? Float(Double(report.framesProcessed) / report.elapsedSeconds) : 0
            return .init(uptimeSeconds: UInt64(uptime), framesPerSecond: fps, facesSeen: UInt64(report.facesDetected),
                         framesDropped: UInt64(dropped), watchlistVersion: watchlistVersion,
                         qualityRejections: report.qualityRejections.mapValues(UInt64.init))
        }
    }
}
