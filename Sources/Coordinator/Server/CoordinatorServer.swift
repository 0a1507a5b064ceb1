import Foundation
import Logging
import Shared

/// The coordinator's side of the fabric: a CURVE ROUTER that admits enrolled nodes only, stores
/// their alerts idempotently and acknowledges each one, and pushes the current signed watchlist
/// to any node that holds an older one.
final class CoordinatorServer: @unchecked Sendable {
    struct Settings {
        var bind: String
        var keys: CurveKeyPair
        var enrolledNodes: Set<String>
        var stateDirectory: String
        /// The current signed bundle for this deployment, if any.
        var bundle: [UInt8]?
        /// Audit/test mode: append every frame received from nodes (after decryption) to this file.
        var recordFrames: String?
        /// A deployment that has ended: its nodes are told to wipe their watchlist, and nothing is pushed.
        var endedDeployment: String?
    }

    private let context = ZMQContext()
    private let zap: ZAPAuthenticator
    private let store: AlertStore
    private let logger: Logger
    private let recording: FileHandle?
    private var loop: SocketLoop!
    /// The endpoint actually bound (the port, when the config asks for `:*`).
    let endpoint: String
    private let started = Date()
    private var currentVersion: UInt64 { lock.withLock { bundleVersion } }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var lastPush: [PushKey: Date] = [:]
    private var bundle: [UInt8]?
    private var bundleVersion: UInt64 = 0
    /// Peers seen, with the watchlist version each last reported, for pushes after a reload.
    private var peers: [[UInt8]: UInt64] = [:]
    private var enrolled: Set<String>
    private var endedDeployment: String?
    private(set) var droppedFrames = 0

    init(settings: Settings, logger: Logger) throws {
        self.logger = logger
        store = try AlertStore(path: settings.stateDirectory + "/alerts.sqlite")
        enrolled = settings.enrolledNodes
        endedDeployment = settings.endedDeployment
        recording = try settings.recordFrames.map { path in
            try PrivateFile.write([], to: path, mode: .replaceAtomically)
            guard let handle = FileHandle(forWritingAtPath: path) else { throw CommandFailure("cannot write frame record \(path)") }
            return handle
        }
        bundleVersion = try Self.version(of: settings.bundle)
        bundle = settings.bundle
        zap = try ZAPAuthenticator(context: context, enrolled: settings.enrolledNodes) { key, address in
            logger.warning("node refused: key not enrolled", metadata: ["node_key": "\(key)", "address": "\(address)"])
        }
        let router = try ZMQSocket(context, .router)
        try router.makeCurveServer(settings.keys, domain: "watchpost")
        try router.setMaxMessageSize(Int64(WireMessage.maxFrameBytes))
        try router.bind(settings.bind)
        endpoint = router.lastEndpoint
        loop = try SocketLoop(socket: router, name: "coordinator-router") { [weak self] frames, sender in
            self?.handle(frames, sender: sender)
        }
        logger.info("coordinator listening", metadata: ["endpoint": "\(endpoint)", "watchlist_version": "\(bundleVersion)"])
    }

    private static func version(of bundle: [UInt8]?) throws -> UInt64 {
        try bundle.map {
            try WatchlistBundle.decode(payload: SignedBundle.decode(fileBytes: $0, maxPayloadBytes: WireMessage.maxFrameBytes).payload).version
        } ?? 0
    }

    /// Applies a reloaded configuration without a restart: newly enrolled nodes are admitted,
    /// removed ones revoked (refused at their next handshake, and their messages dropped from now
    /// on), and a new bundle is pushed to every connected node that holds another version.
    func reload(_ settings: Settings) throws {
        let enrolledNodes = settings.enrolledNodes
        let version = try Self.version(of: settings.bundle)
        let (added, removed, peers) = lock.withLock {
            let added = enrolledNodes.subtracting(enrolled), removed = enrolled.subtracting(enrolledNodes)
            enrolled = enrolledNodes
            bundle = settings.bundle
            bundleVersion = version
            endedDeployment = settings.endedDeployment
            return (added, removed, self.peers)
        }
        added.forEach(zap.enrol)
        removed.forEach(zap.revoke)
        logger.info("configuration reloaded", metadata: ["enrolled": "\(enrolledNodes.count)", "revoked": "\(removed.count)",
                                                         "watchlist_version": "\(version)"])
        for (peer, held) in peers { pushIfDifferent(peer, held: held) }
    }

    func stop() {
        loop.stop()
        zap.stop()
    }

    private func handle(_ frames: [[UInt8]], sender: String?) {
        // A revoked node's connection outlives its key's enrolment (ZAP runs at the handshake
        // only): its messages are dropped, unacknowledged, from the moment of revocation.
        guard let sender, zap.isEnrolled(sender) else {
            lock.withLock { droppedFrames += 1 }
            logger.warning("message from a revoked node dropped", metadata: ["node_key": "\(sender ?? "none")"])
            return
        }
        if let recording, frames.count >= 2 {
            // Each record: 4-byte little-endian length, then the frame as the node sent it.
            var length = UInt32(frames[1].count).littleEndian
            recording.write(Data(bytes: &length, count: 4) + Data(frames[1]))
        }
        guard frames.count == 2, let message = try? WireMessage.decode(frames[1]) else {
            lock.withLock { droppedFrames += 1 }
            logger.debug("malformed frame dropped", metadata: ["frames": "\(frames.count)"])
            return
        }
        let peer = frames[0]
        switch message {
        case .hello(let hello):
            lock.withLock { peers[peer] = hello.heldWatchlistVersion }
            logger.info("node connected", metadata: ["node": "\(hello.nodeID)", "held_watchlist": "\(hello.heldWatchlistVersion)"])
            pushIfDifferent(peer, held: hello.heldWatchlistVersion)
        case .heartbeat(let beat):
            lock.withLock { peers[peer] = beat.watchlistVersion }
            // Heartbeats go both ways: the answer tells the node the coordinator is alive.
            loop.send([peer, WireMessage.heartbeat(.init(uptimeSeconds: UInt64(Date().timeIntervalSince(started)), framesPerSecond: 0,
                                                         facesSeen: 0, framesDropped: 0, watchlistVersion: currentVersion,
                                                         qualityRejections: [:])).encode()])
            logger.debug("heartbeat", metadata: ["fps": "\(beat.framesPerSecond)", "faces": "\(beat.facesSeen)",
                                                 "watchlist": "\(beat.watchlistVersion)"])
            pushIfDifferent(peer, held: beat.watchlistVersion)
        case .alert(let alert):
            do {
                let new = try store.store(alert, receivedAt: Date())
                loop.send([peer, WireMessage.ack(alertID: alert.alertID).encode()])
                logger.info(new ? "alert stored" : "alert resent, already stored", metadata: [
                    "alert_id": "\(alert.alertID)", "node": "\(alert.nodeID)", "subject": "\(alert.subject)"])
            } catch {
                // No ack: the node keeps the alert and sends it again.
                logger.error("alert not stored", metadata: ["alert_id": "\(alert.alertID)", "error": "\(error)"])
            }
        case .watchlistStatus(let status):
            lock.withLock { peers[peer] = status.version }
            if status.accepted {
                logger.info("watchlist accepted by node", metadata: ["version": "\(status.version)"])
            } else {
                logger.warning("watchlist refused by node", metadata: ["version": "\(status.version)", "reason": "\(status.reasonCode)",
                                                                     "detail": "\(status.reason)"])
            }
        case .ack, .watchlistBundle, .command:
            lock.withLock { droppedFrames += 1 }
            logger.debug("unexpected message from a node dropped")
        }
    }

    private struct PushKey: Hashable {
        let peer: [UInt8]
        let held: UInt64
        let offered: UInt64
    }

    /// Sends the current bundle to a node that holds another version. An older bundle is sent too:
    /// the node refuses it (rollback) and the refusal tells the control room that this coordinator
    /// is out of date. While the node's version stays the same, the push is repeated at most every 30 s.
    private func pushIfDifferent(_ peer: [UInt8], held: UInt64) {
        let (ended, withdrawn) = lock.withLock { (endedDeployment, bundle == nil) }
        // Both are repeated while the node still holds a watchlist, so a node that was offline hears them too.
        if let ended {
            if held != 0 { loop.send([peer, WireMessage.command(.endDeployment(deploymentID: ended)).encode()]) }
            return
        }
        if withdrawn {
            // No watchlist in the config: a node still running one is told to wipe it.
            if held != 0 { loop.send([peer, WireMessage.command(.wipeWatchlist).encode()]) }
            return
        }
        let now = Date()
        let due: [UInt8]? = lock.withLock {
            guard let bundle, held != bundleVersion else { return nil }
            let key = PushKey(peer: peer, held: held, offered: bundleVersion)
            guard now.timeIntervalSince(lastPush[key] ?? .distantPast) > 30 else { return nil }
            lastPush[key] = now
            return bundle
        }
        if let due { loop.send([peer, WireMessage.watchlistBundle(due).encode()]) }
    }
}
