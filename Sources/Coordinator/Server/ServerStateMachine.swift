import CoordinatorRecord
import Foundation
import Logging
import Shared

/// What the coordinator does with each message from a node, as a value-type state machine: no
/// sockets, no database, no clock of its own (every input carries `now`). `CoordinatorServer`
/// feeds it what the socket receives and carries out the actions it returns.
///
/// A node is its CURVE key: what it claims (node id, camera) must be what that key was enrolled as.
///
///     hello / heartbeat / status ──► note the node's version ──► push its deployment's bundle if it
///                                     (heartbeat: record counts)  differs (or end / wipe commands)
///     alert ──► claims match the key? ──► store ──(stored)──► ack   (not stored: no ack, the node resends)
///                        └── no ──► refuse and audit, no ack
///     revoked sender, malformed or unexpected frame ──► drop and count
struct ServerStateMachine {
    /// What the configuration and the deployment record ask of the nodes.
    struct Configuration: Equatable {
        /// Enrolled nodes by CURVE public key.
        var nodes: [String: EnrolledNode]
        /// Lists decided by the deployments in the database, by node id.
        var assignments: [String: NodeAssignment] = [:]
        /// The config file's standing list (`watchlist.bundle`) for nodes no deployment assigns.
        var standingBundle: [UInt8]?
        var standingVersion: UInt64 = 0
        /// The deployment the standing list is bound to: alerts naming it are taken from unassigned nodes.
        var standingDeploymentID: String?
        /// A config-file deployment that has ended (`deployment.ended`).
        var standingEnded: String?

        var enrolled: Set<String> { Set(nodes.keys) }

        /// What the node with this key should hold: a list, an end, or nothing (wipe any).
        func target(forKey key: String) -> NodeAssignment? {
            if let node = nodes[key], let assigned = assignments[node.nodeID] { return assigned }
            if let ended = standingEnded { return .ended(deploymentID: ended) }
            return standingBundle.map { .watchlist(deploymentID: "", bundle: $0, version: standingVersion) }
        }
    }

    enum Action: Equatable {
        case send(peer: [UInt8], WireMessage)
        /// Store the alert, attributed to `node`; report the outcome with `alertStored` or `alertNotStored`.
        case store(peer: [UInt8], WireMessage.AlertMessage, node: EnrolledNode)
        case recordHeartbeat(nodeID: String, WireMessage.Heartbeat, deploymentID: String?)
        case recordRefusal(nodeID: String, reason: String?)
        /// Keep a witness's receipt for a checkpoint (after its signature is checked).
        case recordReceipt(nodeID: String, WireMessage.WitnessReceipt)
        case audit(AuditEvent)
        /// Admit a newly enrolled key at its next handshake / refuse a removed one.
        case enrol(key: String)
        case revoke(key: String)
        case log(Logger.Level, String, Logger.Metadata)
    }

    /// A push (or end command's audit entry) is repeated at most this often while a node's version stays the same.
    static let pushRepeatInterval: TimeInterval = 30
    /// A peer not heard from for this long is forgotten: a node that reconnects comes back under
    /// a new ROUTER identity, so without this the maps would grow with every reconnect.
    static let peerForgetInterval: TimeInterval = 600

    private(set) var configuration: Configuration
    private let startedAt: Date
    /// Peers seen: their key and the watchlist version each last reported, for pushes after a reload.
    private(set) var peers: [[UInt8]: Peer] = [:]
    private var lastHeard: [[UInt8]: Date] = [:]
    private var lastPush: [PushKey: Date] = [:]
    private var lastRefusalAudit: [String: Date] = [:]
    private var lastPruned: Date
    private(set) var droppedFrames = 0
    /// The newest audit checkpoint's file bytes: sent to every node, and to each as it connects.
    private(set) var latestCheckpoint: [UInt8]?

    struct Peer: Equatable {
        let key: String
        var held: UInt64
    }

    private struct PushKey: Hashable {
        let peer: [UInt8]
        let held: UInt64
        let offered: String
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
        guard let sender, let node = configuration.nodes[sender] else {
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
            guard hello.nodeID == node.nodeID else {
                peers[peer] = nil
                return refuseClaim(node, claimed: "node \(hello.nodeID)", what: "hello", now: now)
            }
            peers[peer] = Peer(key: sender, held: hello.heldWatchlistVersion)
            return [
                .log(
                    .info, "node connected",
                    ["node": "\(node.nodeID)", "held_watchlist": "\(hello.heldWatchlistVersion)"])
            ]
                + push(to: peer, key: sender, held: hello.heldWatchlistVersion, now: now)
                + (latestCheckpoint.map { [.send(peer: peer, .auditCheckpoint($0))] } ?? [])
        case .heartbeat(let beat):
            peers[peer] = Peer(key: sender, held: beat.watchlistVersion)
            let target = configuration.target(forKey: sender)
            // Heartbeats go both ways: the answer tells the node the coordinator is alive.
            let answer = WireMessage.heartbeat(
                .init(
                    uptimeSeconds: UInt64(max(0, now.timeIntervalSince(startedAt))), framesPerSecond: 0,
                    facesSeen: 0, framesDropped: 0, watchlistVersion: target?.version ?? 0,
                    qualityRejections: [:]))
            return [
                .send(peer: peer, answer),
                .recordHeartbeat(nodeID: node.nodeID, beat, deploymentID: target?.liveDeployment),
                .log(
                    .debug, "heartbeat",
                    [
                        "node": "\(node.nodeID)", "fps": "\(beat.framesPerSecond)", "faces": "\(beat.facesSeen)",
                        "watchlist": "\(beat.watchlistVersion)",
                    ]),
            ]
                + push(to: peer, key: sender, held: beat.watchlistVersion, now: now)
        case .alert(let alert):
            guard alert.nodeID == node.nodeID, alert.cameraID == node.cameraID else {
                return refuseClaim(
                    node, claimed: "node \(alert.nodeID) camera \(alert.cameraID)",
                    what: "alert \(alert.alertID.uuidString)", now: now)
            }
            return [.store(peer: peer, alert, node: node)]
        case .watchlistStatus(let status):
            peers[peer] = Peer(key: sender, held: status.version)
            let deployment = configuration.target(forKey: sender)?.deploymentID ?? ""
            if status.accepted {
                return [
                    .recordRefusal(nodeID: node.nodeID, reason: nil),
                    .audit(
                        AuditEvent(
                            actor: "node:\(node.nodeID)", action: .bundleAccepted, target: deployment,
                            detail: ["version": "\(status.version)"])),
                    .log(
                        .info, "watchlist accepted by node", ["node": "\(node.nodeID)", "version": "\(status.version)"]),
                ]
            }
            return [
                .recordRefusal(nodeID: node.nodeID, reason: "\(status.reasonCode): \(status.reason)"),
                .audit(
                    AuditEvent(
                        actor: "node:\(node.nodeID)", action: .bundleRefused, target: deployment,
                        detail: ["version": "\(status.version)", "reason": status.reasonCode, "detail": status.reason])),
                .log(
                    .warning, "watchlist refused by node",
                    [
                        "node": "\(node.nodeID)", "version": "\(status.version)",
                        "reason": "\(status.reasonCode)", "detail": "\(status.reason)",
                    ]),
            ]
        case .witnessReceipt(let receipt):
            return [.recordReceipt(nodeID: node.nodeID, receipt)]
        case .ack, .watchlistBundle, .command, .auditCheckpoint:
            droppedFrames += 1
            return [.log(.debug, "unexpected message from a node dropped", [:])]
        }
    }

    /// A message whose claimed identity is not the sender key's: dropped (no ack, no push), and
    /// audited at most once a minute per key so that a misconfigured node cannot flood the log.
    private mutating func refuseClaim(_ node: EnrolledNode, claimed: String, what: String, now: Date) -> [Action] {
        droppedFrames += 1
        var actions: [Action] = [
            .log(
                .warning, "message refused: the node claims an identity its key was not enrolled for",
                ["enrolled_as": "\(node.nodeID)", "claimed": "\(claimed)", "message": "\(what)"])
        ]
        if now.timeIntervalSince(lastRefusalAudit[node.publicKey] ?? .distantPast) >= 60 {
            lastRefusalAudit[node.publicKey] = now
            actions.append(
                .audit(
                    AuditEvent(
                        actor: "node:\(node.nodeID)", action: .nodeIdentityRefused, target: node.nodeID,
                        detail: [
                            "public_key": node.publicKey, "enrolled_camera": node.cameraID, "claimed": claimed,
                            "message": what,
                        ])))
        }
        return actions
    }

    /// Drops what is known of peers silent for `peerForgetInterval` (checked once a minute).
    private mutating func forgetSilentPeers(now: Date) {
        guard now.timeIntervalSince(lastPruned) >= 60 else { return }
        lastPruned = now
        let silent = Set(lastHeard.filter { now.timeIntervalSince($0.value) > Self.peerForgetInterval }.keys)
        lastRefusalAudit = lastRefusalAudit.filter { now.timeIntervalSince($0.value) < 60 }
        guard !silent.isEmpty else { return }
        for peer in silent {
            lastHeard[peer] = nil
            peers[peer] = nil
        }
        lastPush = lastPush.filter { !silent.contains($0.key.peer) }
    }

    /// A new audit checkpoint: every connected node is sent it to keep as a witness.
    mutating func checkpointPublished(_ fileBytes: [UInt8]) -> [Action] {
        latestCheckpoint = fileBytes
        return peers.keys.sorted { $0.lexicographicallyPrecedes($1) }.map {
            .send(peer: $0, .auditCheckpoint(fileBytes))
        }
    }

    /// The alert is in the store (`new`: it was not there before): acknowledge it.
    func alertStored(_ alert: WireMessage.AlertMessage, peer: [UInt8], new: Bool) -> [Action] {
        [
            .send(peer: peer, .ack(alertID: alert.alertID)),
            .log(
                .info, new ? "alert stored" : "alert resent, already stored",
                ["alert_id": "\(alert.alertID)", "node": "\(alert.nodeID)"]),
        ]
    }

    /// The record refused the alert (its deployment is not one the node may match for): it is
    /// acknowledged all the same, so that the node deletes it rather than resend it for ever.
    func alertRefused(_ alert: WireMessage.AlertMessage, peer: [UInt8], reason: String) -> [Action] {
        [
            .send(peer: peer, .ack(alertID: alert.alertID)),
            .log(
                .warning, "alert refused",
                ["alert_id": "\(alert.alertID)", "node": "\(alert.nodeID)", "reason": "\(reason)"]),
        ]
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
        actions.append(
            .log(
                .info, "configuration reloaded",
                [
                    "enrolled": "\(next.enrolled.count)", "revoked": "\(removed.count)",
                    "assigned_nodes": "\(next.assignments.count)",
                ]))
        for (peer, state) in peers.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) })
        where next.nodes[state.key] != nil {
            actions += push(to: peer, key: state.key, held: state.held, now: now)
        }
        return actions
    }

    /// What a node holding version `held` is sent. Its list goes to a node that holds another
    /// version, an older list too: the node refuses it (rollback) and the refusal tells the control
    /// room that this coordinator is out of date. End and wipe commands are repeated while the node
    /// still holds a watchlist, so that a node that was offline hears them too. What is sent is
    /// audited before it is sent: the node's answer, handled on another thread, cannot come before
    /// it in the log.
    private mutating func push(to peer: [UInt8], key: String, held: UInt64, now: Date) -> [Action] {
        let nodeID = configuration.nodes[key]?.nodeID ?? ""
        switch configuration.target(forKey: key) {
        case .ended(let deployment)?:
            guard held != 0 else { return [] }
            var actions: [Action] = []
            if isPushDue(PushKey(peer: peer, held: held, offered: "end " + deployment), now: now) {
                actions.append(
                    .audit(
                        AuditEvent(
                            actor: "coordinator", action: .nodeWipeSent, target: nodeID,
                            detail: ["deployment": deployment, "held_version": "\(held)"])))
            }
            return actions + [.send(peer: peer, .command(.endDeployment(deploymentID: deployment)))]
        case nil:
            return held != 0 ? [.send(peer: peer, .command(.wipeWatchlist))] : []
        case .watchlist(let deployment, let bundle, let version)?:
            guard held != version,
                isPushDue(PushKey(peer: peer, held: held, offered: "\(deployment) \(version)"), now: now)
            else { return [] }
            return [
                .audit(
                    AuditEvent(
                        actor: "coordinator", action: .bundlePushed, target: nodeID,
                        detail: ["deployment": deployment, "version": "\(version)", "held_version": "\(held)"])),
                .send(peer: peer, .watchlistBundle(bundle)),
            ]
        }
    }

    private mutating func isPushDue(_ key: PushKey, now: Date) -> Bool {
        guard now.timeIntervalSince(lastPush[key] ?? .distantPast) > Self.pushRepeatInterval else { return false }
        lastPush[key] = now
        return true
    }
}

extension NodeAssignment {
    var version: UInt64 {
        if case .watchlist(_, _, let version) = self { return version }
        return 0
    }

    var deploymentID: String {
        switch self {
        case .watchlist(let id, _, _), .ended(let id): id
        }
    }

    /// The database deployment whose counts a heartbeat adds to.
    var liveDeployment: String? {
        if case .watchlist(let id, _, _) = self, !id.isEmpty { return id }
        return nil
    }
}
