import Foundation
import Logging
import Shared

/// What the coordinator does with each message from a node, as a value-type state machine: no
/// sockets, no database, no clock of its own (every input carries `now`). `CoordinatorServer`
/// feeds it what the socket receives and carries out the actions it returns.
///
///     hello / heartbeat / status ──► note the node's version ──► push the bundle if it differs
///                                                                (or end / wipe commands)
///     alert ──► store ──(stored)──► ack        (not stored: no ack, the node resends)
///     revoked sender, malformed or unexpected frame ──► drop and count
struct ServerStateMachine {
    /// What the current configuration asks of the nodes.
    struct Configuration: Equatable {
        var enrolled: Set<String>
        /// The current signed bundle, with its version (0 without one).
        var bundle: [UInt8]?
        var bundleVersion: UInt64
        /// A deployment that has ended: nodes still holding a watchlist are told to wipe it.
        var endedDeployment: String?
    }

    enum Action: Equatable {
        case send(peer: [UInt8], WireMessage)
        /// Store the alert; report the outcome with `alertStored` or `alertNotStored`.
        case store(peer: [UInt8], WireMessage.AlertMessage)
        /// Admit a newly enrolled key at its next handshake / refuse a removed one.
        case enrol(key: String)
        case revoke(key: String)
        case log(Logger.Level, String, Logger.Metadata)
    }

    /// A push is repeated at most this often while a node's version stays the same.
    static let pushRepeatInterval: TimeInterval = 30
    /// A peer not heard from for this long is forgotten: a node that reconnects comes back under
    /// a new ROUTER identity, so without this the maps would grow with every reconnect.
    static let peerForgetInterval: TimeInterval = 600

    private(set) var configuration: Configuration
    private let startedAt: Date
    /// Peers seen, with the watchlist version each last reported, for pushes after a reload.
    private(set) var peers: [[UInt8]: UInt64] = [:]
    private var lastHeard: [[UInt8]: Date] = [:]
    private var lastPush: [PushKey: Date] = [:]
    private var lastPruned: Date
    private(set) var droppedFrames = 0

    private struct PushKey: Hashable {
        let peer: [UInt8]
        let held: UInt64
        let offered: UInt64
    }

    init(configuration: Configuration, startedAt: Date) {
        self.configuration = configuration
        self.startedAt = startedAt
        lastPruned = startedAt
    }

    /// One message as the ROUTER received it (`[peer identity, frame]`) from its authenticated sender.
    mutating func received(_ frames: [[UInt8]], sender: String?, now: Date) -> [Action] {
        // A revoked node's connection outlives its key's enrolment (ZAP runs at the handshake
        // only): its messages are dropped, unacknowledged, from the moment of revocation.
        guard let sender, configuration.enrolled.contains(sender) else {
            droppedFrames += 1
            return [.log(.warning, "message from a revoked node dropped", ["node_key": "\(sender ?? "none")"])]
        }
        guard frames.count == 2, let message = try? WireMessage.decode(frames[1]) else {
            droppedFrames += 1
            return [.log(.debug, "malformed frame dropped", ["frames": "\(frames.count)"])]
        }
        let peer = frames[0]
        lastHeard[peer] = now
        forgetSilentPeers(now: now)
        switch message {
        case .hello(let hello):
            peers[peer] = hello.heldWatchlistVersion
            return [.log(.info, "node connected", ["node": "\(hello.nodeID)", "held_watchlist": "\(hello.heldWatchlistVersion)"])]
                + push(to: peer, held: hello.heldWatchlistVersion, now: now)
        case .heartbeat(let beat):
            peers[peer] = beat.watchlistVersion
            // Heartbeats go both ways: the answer tells the node the coordinator is alive.
            let answer = WireMessage.heartbeat(.init(uptimeSeconds: UInt64(max(0, now.timeIntervalSince(startedAt))), framesPerSecond: 0,
                                                     facesSeen: 0, framesDropped: 0, watchlistVersion: configuration.bundleVersion,
                                                     qualityRejections: [:]))
            return [.send(peer: peer, answer),
                    .log(.debug, "heartbeat", ["fps": "\(beat.framesPerSecond)", "faces": "\(beat.facesSeen)", "watchlist": "\(beat.watchlistVersion)"])]
                + push(to: peer, held: beat.watchlistVersion, now: now)
        case .alert(let alert):
            return [.store(peer: peer, alert)]
        case .watchlistStatus(let status):
            peers[peer] = status.version
            return status.accepted
                ? [.log(.info, "watchlist accepted by node", ["version": "\(status.version)"])]
                : [.log(.warning, "watchlist refused by node", ["version": "\(status.version)", "reason": "\(status.reasonCode)",
                                                                "detail": "\(status.reason)"])]
        case .ack, .watchlistBundle, .command:
            droppedFrames += 1
            return [.log(.debug, "unexpected message from a node dropped", [:])]
        }
    }

    /// Drops what is known of peers silent for `peerForgetInterval` (checked once a minute).
    private mutating func forgetSilentPeers(now: Date) {
        guard now.timeIntervalSince(lastPruned) >= 60 else { return }
        lastPruned = now
        let silent = Set(lastHeard.filter { now.timeIntervalSince($0.value) > Self.peerForgetInterval }.keys)
        guard !silent.isEmpty else { return }
        for peer in silent { lastHeard[peer] = nil; peers[peer] = nil }
        lastPush = lastPush.filter { !silent.contains($0.key.peer) }
    }

    /// The alert is in the store (`new`: it was not there before): acknowledge it.
    func alertStored(_ alert: WireMessage.AlertMessage, peer: [UInt8], new: Bool) -> [Action] {
        [.send(peer: peer, .ack(alertID: alert.alertID)),
         .log(.info, new ? "alert stored" : "alert resent, already stored",
              ["alert_id": "\(alert.alertID)", "node": "\(alert.nodeID)", "subject": "\(alert.subject)"])]
    }

    /// The store failed: no ack, so the node keeps the alert and sends it again.
    func alertNotStored(_ alert: WireMessage.AlertMessage, error: String) -> [Action] {
        [.log(.error, "alert not stored", ["alert_id": "\(alert.alertID)", "error": "\(error)"])]
    }

    /// A reloaded configuration: newly enrolled keys admitted, removed ones revoked, and every
    /// known node told what the new configuration asks of it.
    mutating func reload(_ next: Configuration, now: Date) -> [Action] {
        let added = next.enrolled.subtracting(configuration.enrolled).sorted()
        let removed = configuration.enrolled.subtracting(next.enrolled).sorted()
        configuration = next
        var actions: [Action] = added.map { .enrol(key: $0) } + removed.map { .revoke(key: $0) }
        actions.append(.log(.info, "configuration reloaded", ["enrolled": "\(next.enrolled.count)", "revoked": "\(removed.count)",
                                                              "watchlist_version": "\(next.bundleVersion)"]))
        for (peer, held) in peers.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            actions += push(to: peer, held: held, now: now)
        }
        return actions
    }

    /// What a node holding version `held` is sent. The current bundle goes to a node that holds
    /// another version, an older bundle too: the node refuses it (rollback) and the refusal tells
    /// the control room that this coordinator is out of date. End and wipe commands are repeated
    /// while the node still holds a watchlist, so that a node that was offline hears them too.
    private mutating func push(to peer: [UInt8], held: UInt64, now: Date) -> [Action] {
        if let ended = configuration.endedDeployment {
            return held != 0 ? [.send(peer: peer, .command(.endDeployment(deploymentID: ended)))] : []
        }
        guard let bundle = configuration.bundle else {
            return held != 0 ? [.send(peer: peer, .command(.wipeWatchlist))] : []
        }
        guard held != configuration.bundleVersion else { return [] }
        let key = PushKey(peer: peer, held: held, offered: configuration.bundleVersion)
        guard now.timeIntervalSince(lastPush[key] ?? .distantPast) > Self.pushRepeatInterval else { return [] }
        lastPush[key] = now
        return [.send(peer: peer, .watchlistBundle(bundle))]
    }
}
