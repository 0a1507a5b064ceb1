import CoordinatorRecord
import Foundation
import Logging
import ServiceLifecycle
import Shared
import ZeroMQTransport

/// The coordinator's side of the fabric: a CURVE ROUTER that admits enrolled nodes only, stores
/// their alerts idempotently (attributed to the key that sent them) and acknowledges each one,
/// records their heartbeats, and pushes each node the list its deployment assigns it.
/// A service: its socket and ZAP handler are bound when it is made (a wrong endpoint fails at
/// start-up) and served, each on a thread of its own, while the group runs it.
final class CoordinatorServer: Service, @unchecked Sendable {
    struct Settings {
        var bind: String
        var keys: CurveKeyPair
        var nodes: [EnrolledNode]
        var stateDirectory: String
        /// The config file's standing signed bundle, for nodes no deployment assigns.
        var bundle: [UInt8]?
        /// Audit/test mode: append every frame received from nodes (after decryption) to this file.
        var recordFrames: String?
        /// A config-file deployment that has ended: its nodes are told to wipe their watchlist.
        var endedDeployment: String?
        var retention = RetentionPolicy()
    }

    /// Two I/O threads: a push encrypts one copy of the bundle per node, and one thread made that
    /// the bottleneck (10,000 subjects to 50 nodes: 1.57 s with one, 1.32 s with two; README, "Fabric").
    private let context = ZMQContext(ioThreads: 2)
    private let zap: ZAPAuthenticator
    let database: CoordinatorDatabase
    /// Alerts as they are stored, for the control room's live pages.
    let feed = AlertFeed()
    private let alerts: AlertStore
    private let logger: Logger
    private let clock: WallClock
    private let recording: FileHandle?
    private var loop: SocketLoop!
    /// The endpoint actually bound (the port, when the config asks for `:*`).
    let endpoint: String

    // Guarded by `lock`: the socket thread and the reload (SIGHUP) both drive the machine.
    private let lock = NSLock()
    private var machine: ServerStateMachine

    init(settings: Settings, logger: Logger, clock: WallClock = .system) throws {
        self.logger = logger
        self.clock = clock
        database = try CoordinatorDatabase(stateDirectory: settings.stateDirectory)
        alerts = AlertStore(database: database)
        recording = try settings.recordFrames.map { path in
            try PrivateFile.write([], to: path, mode: .replaceAtomically)
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw CommandFailure("cannot write frame record \(path)")
            }
            return handle
        }
        try NodeRegistry.sync(settings.nodes, in: database, actor: "config", at: clock.now())
        machine = ServerStateMachine(configuration: try Self.configuration(settings, database), startedAt: clock.now())
        let refusals = HandshakeRefusals(database: database, logger: logger, clock: clock)
        zap = try ZAPAuthenticator(context: context, enrolled: Set(settings.nodes.map(\.publicKey))) { key, address in
            refusals.refused(key: key, address: address)
        }
        let router = try ZMQSocket(context, .router)
        try router.makeCurveServer(settings.keys, domain: "watchpost")
        try router.setMaxMessageSize(Int64(WireMessage.maxFrameBytes))
        try router.bind(settings.bind)
        endpoint = router.lastEndpoint
        loop = try SocketLoop(socket: router, name: "coordinator-router") { [weak self] frames, sender in
            self?.handle(frames, sender: sender)
        }
        logger.info(
            "coordinator listening",
            metadata: [
                "endpoint": "\(endpoint)", "database": "\(database.path)",
                "assigned_nodes": "\(machine.configuration.assignments.count)",
            ])
    }

    private static func configuration(_ settings: Settings, _ database: CoordinatorDatabase) throws
        -> ServerStateMachine.Configuration
    {
        let standing = try settings.bundle.map {
            try WatchlistBundle.decode(
                payload: SignedBundle.decode(fileBytes: $0, maxPayloadBytes: WireMessage.maxFrameBytes).payload)
        }
        return .init(
            nodes: Dictionary(uniqueKeysWithValues: settings.nodes.map { ($0.publicKey, $0) }),
            assignments: try DeploymentStore.assignments(in: database),
            standingBundle: settings.bundle, standingVersion: standing?.version ?? 0,
            standingDeploymentID: standing?.deploymentID,
            standingEnded: settings.endedDeployment)
    }

    /// Applies a reloaded configuration and the deployment record without a restart: newly
    /// enrolled nodes are admitted, removed ones revoked (refused at their next handshake, and their
    /// messages dropped from now on), and each connected node is sent the list it should now hold
    /// (a started deployment's, or the command to wipe an ended one's).
    func reload(_ settings: Settings) throws {
        try NodeRegistry.sync(settings.nodes, in: database, actor: "config", at: clock.now())
        let next = try Self.configuration(settings, database)
        try database.change { _, audit in
            try audit.append(
                AuditEvent(
                    actor: "coordinator", action: .configReloaded, target: "coordinator",
                    detail: [
                        "enrolled": "\(next.nodes.count)", "assigned_nodes": "\(next.assignments.count)",
                    ]), at: clock.now())
        }
        perform(lock.withLock { machine.reload(next, now: clock.now()) })
    }

    /// Sends a new audit checkpoint to every node (and to each that connects later), to keep as witnesses.
    func publish(_ checkpoint: AuditCheckpoint) {
        guard let bytes = try? checkpoint.fileBytes() else { return }
        perform(lock.withLock { machine.checkpointPublished(bytes) })
    }

    /// Serves nodes until the group shuts down gracefully (or cancels), then stops both threads.
    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.zap.run() }
            group.addTask { await self.loop.run() }
            try? await gracefulShutdown()
            loop.stop()
            zap.stop()
        }
    }

    private func handle(_ frames: [[UInt8]], sender: String?) {
        if let recording, frames.count >= 2 {
            // Each record: 4-byte little-endian length, then the frame as the node sent it.
            var length = UInt32(frames[1].count).littleEndian
            recording.write(Data(bytes: &length, count: 4) + Data(frames[1]))
        }
        perform(lock.withLock { machine.received(frames, sender: sender, now: clock.now()) })
    }

    private func audit(_ event: AuditEvent) { database.audit(event, at: clock.now(), logger: logger) }

    /// Carries out what the machine decided; storing an alert feeds its outcome back.
    private func perform(_ actions: [ServerStateMachine.Action]) {
        for action in actions {
            switch action {
            case .send(let peer, let message):
                loop.send([peer, message.encode()])
            case .store(let peer, let alert, let node):
                do {
                    let standing = lock.withLock { machine.configuration.standingDeploymentID }
                    let new = try alerts.store(alert, from: node, receivedAt: clock.now(), standingDeployment: standing)
                    if new { feed.publish(.init(alertID: alert.alertID, deploymentID: alert.deploymentID)) }
                    perform(lock.withLock { machine.alertStored(alert, peer: peer, new: new) })
                } catch let refusal as AlertRefusal {
                    perform(lock.withLock { machine.alertRefused(alert, peer: peer, reason: refusal.reason) })
                } catch {
                    perform(lock.withLock { machine.alertNotStored(alert, error: "\(error)") })
                }
            case .recordHeartbeat(let node, let beat, let deployment):
                do {
                    try NodeRegistry.recordHeartbeat(
                        beat, from: node, deploymentID: deployment, in: database, at: clock.now())
                } catch {
                    logger.error("heartbeat not recorded", metadata: ["node": "\(node)", "error": "\(error)"])
                }
            case .recordReceipt(let node, let receipt):
                do {
                    if try AuditWitnessReceipts.record(receipt, from: node, in: database, at: clock.now()) {
                        logger.info(
                            "audit checkpoint witnessed",
                            metadata: ["node": "\(node)", "entries": "\(receipt.entries)"])
                    } else {
                        logger.warning("witness receipt with a bad signature dropped", metadata: ["node": "\(node)"])
                    }
                } catch {
                    logger.error("witness receipt not recorded", metadata: ["node": "\(node)", "error": "\(error)"])
                }
            case .recordRefusal(let node, let reason):
                do { try NodeRegistry.recordRefusal(reason, from: node, in: database) } catch {
                    logger.error("watchlist status not recorded", metadata: ["node": "\(node)", "error": "\(error)"])
                }
            case .audit(let event):
                audit(event)
            case .enrol(let key):
                zap.enrol(key)
            case .revoke(let key):
                zap.revoke(key)
            case .log(let level, let message, let metadata):
                logger.log(level: level, "\(message)", metadata: metadata)
            }
        }
    }
}

/// Handshakes from keys that are not enrolled (reported by the ZAP handler's thread): logged each
/// time, audited at most once a minute per key so that a stray node cannot flood the log.
private final class HandshakeRefusals: @unchecked Sendable {
    private let database: CoordinatorDatabase
    private let logger: Logger
    private let clock: WallClock
    private let lock = NSLock()
    private var lastAudit: [String: Date] = [:]

    init(database: CoordinatorDatabase, logger: Logger, clock: WallClock) {
        self.database = database
        self.logger = logger
        self.clock = clock
    }

    func refused(key: String, address: String) {
        logger.warning("node refused: key not enrolled", metadata: ["node_key": "\(key)", "address": "\(address)"])
        let now = clock.now()
        let due = lock.withLock {
            guard now.timeIntervalSince(lastAudit[key] ?? .distantPast) >= 60 else { return false }
            lastAudit = lastAudit.filter { now.timeIntervalSince($0.value) < 60 }
            lastAudit[key] = now
            return true
        }
        if due {
            database.audit(
                AuditEvent(
                    actor: "coordinator", action: .nodeRefused, target: key.isEmpty ? "unknown key" : key,
                    detail: ["address": address]), at: now, logger: logger)
        }
    }
}
