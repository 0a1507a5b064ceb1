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

    // Guarded by `lock`: the socket thread and the reload (SIGHUP) both drive the machine.
    private let lock = NSLock()
    private var machine: ServerStateMachine

    init(settings: Settings, logger: Logger) throws {
        self.logger = logger
        store = try AlertStore(path: settings.stateDirectory + "/alerts.sqlite")
        recording = try settings.recordFrames.map { path in
            try PrivateFile.write([], to: path, mode: .replaceAtomically)
            guard let handle = FileHandle(forWritingAtPath: path) else { throw CommandFailure("cannot write frame record \(path)") }
            return handle
        }
        machine = ServerStateMachine(configuration: try Self.configuration(settings), startedAt: Date())
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
        logger.info("coordinator listening", metadata: ["endpoint": "\(endpoint)", "watchlist_version": "\(machine.configuration.bundleVersion)"])
    }

    private static func configuration(_ settings: Settings) throws -> ServerStateMachine.Configuration {
        let version = try settings.bundle.map {
            try WatchlistBundle.decode(payload: SignedBundle.decode(fileBytes: $0, maxPayloadBytes: WireMessage.maxFrameBytes).payload).version
        } ?? 0
        return .init(enrolled: settings.enrolledNodes, bundle: settings.bundle, bundleVersion: version,
                     endedDeployment: settings.endedDeployment)
    }

    /// Applies a reloaded configuration without a restart: newly enrolled nodes are admitted,
    /// removed ones revoked (refused at their next handshake, and their messages dropped from now
    /// on), and a new bundle is pushed to every connected node that holds another version.
    func reload(_ settings: Settings) throws {
        let next = try Self.configuration(settings)
        perform(lock.withLock { machine.reload(next, now: Date()) })
    }

    func stop() {
        loop.stop()
        zap.stop()
    }

    private func handle(_ frames: [[UInt8]], sender: String?) {
        if let recording, frames.count >= 2 {
            // Each record: 4-byte little-endian length, then the frame as the node sent it.
            var length = UInt32(frames[1].count).littleEndian
            recording.write(Data(bytes: &length, count: 4) + Data(frames[1]))
        }
        perform(lock.withLock { machine.received(frames, sender: sender, now: Date()) })
    }

    /// Carries out what the machine decided; storing an alert feeds its outcome back.
    private func perform(_ actions: [ServerStateMachine.Action]) {
        for action in actions {
            switch action {
            case .send(let peer, let message):
                loop.send([peer, message.encode()])
            case .store(let peer, let alert):
                do {
                    let new = try store.store(alert, receivedAt: Date())
                    perform(lock.withLock { machine.alertStored(alert, peer: peer, new: new) })
                } catch {
                    perform(lock.withLock { machine.alertNotStored(alert, error: "\(error)") })
                }
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
