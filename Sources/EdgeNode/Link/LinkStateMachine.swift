import Foundation
import Logging
import Shared

/// What the edge node's side of the fabric does, as a value-type state machine: no socket, no
/// outbox, no clock of its own (every input carries `now`). `EdgeLink` feeds it the frames the
/// coordinator sends and a tick every few tens of milliseconds, and carries out its actions.
///
///     start ──► hello
///     tick ──► heartbeat every interval; coordinator silent 3 intervals ──► reported once
///          ──► due alerts sent; an expired watchlist wiped
///     ack ──► alert deleted from the outbox
///     bundle ──► verified (k of n, deployment, model, window, no rollback) ──► install ──► status
///     end deployment / wipe ──► watchlist wiped
///     audit checkpoint ──► kept as a witness ──► signed receipt
struct LinkStateMachine {
    struct Settings: Equatable {
        var nodeID: String
        var deploymentID: String
        var heartbeatInterval: TimeInterval
    }

    /// What the node holds, as the watchlist holder reports it.
    struct Held: Equatable {
        var version: UInt64
        /// Versions at or below this are refused as a rollback (nil: none yet).
        var refusedAtOrBelow: UInt64?
    }

    enum Action: Equatable {
        case send(WireMessage)
        /// A heartbeat of the current health counts.
        case sendHeartbeat
        /// Send every outbox alert whose next attempt is due.
        case sendDueAlerts
        case deleteFromOutbox(UUID)
        /// Install a verified bundle; report with `installed` or `installFailed`.
        case install(WatchlistBundle)
        case wipeWatchlist
        /// Wipe the watchlist if it has expired (the holder knows its expiry).
        case expireWatchlist
        /// Keep an audit checkpoint as a witness and answer with a signed receipt.
        case witness([UInt8])
        case log(Logger.Level, String, Logger.Metadata)
    }

    let settings: Settings
    private let policy: BundlePolicy
    private var lastBeat: Date
    private var lastHeard: Date
    private var coordinatorReachable = true
    private(set) var droppedFrames = 0

    init(settings: Settings, policy: BundlePolicy, now: Date) {
        self.settings = settings
        self.policy = policy
        lastBeat = now
        lastHeard = now
    }

    /// The node's first words: who it is and which version it holds.
    func start(held: Held) -> [Action] {
        [
            .send(
                .hello(.init(nodeID: settings.nodeID, software: "watchpost-edge 1", heldWatchlistVersion: held.version))
            )
        ]
    }

    /// Time passing: heartbeats, the coordinator's silence, due alerts, expiry.
    mutating func tick(now: Date) -> [Action] {
        var actions: [Action] = []
        if now.timeIntervalSince(lastBeat) >= settings.heartbeatInterval {
            lastBeat = now
            actions.append(.sendHeartbeat)
            // The coordinator answers every heartbeat; three intervals of silence are reported
            // once. Alerts meanwhile wait in the outbox.
            if coordinatorReachable, now.timeIntervalSince(lastHeard) > 3 * settings.heartbeatInterval {
                coordinatorReachable = false
                actions.append(.log(.warning, "coordinator unreachable; alerts are kept in the outbox", [:]))
            }
        }
        return actions + [.expireWatchlist, .sendDueAlerts]
    }

    /// One frame from the coordinator.
    mutating func received(_ frame: [UInt8], held: Held, now: Date) -> [Action] {
        guard let message = try? WireMessage.decode(frame) else {
            droppedFrames += 1
            return [.log(.debug, "malformed frame from the coordinator dropped", [:])]
        }
        var actions: [Action] = []
        lastHeard = now
        if !coordinatorReachable {
            coordinatorReachable = true
            actions.append(.log(.info, "coordinator reachable again", [:]))
        }
        switch message {
        case .ack(let id):
            actions.append(.deleteFromOutbox(id))
        case .watchlistBundle(let bytes):
            switch policy.verify(bytes, heldVersion: held.refusedAtOrBelow, now: now) {
            case .success(let bundle): actions.append(.install(bundle))
            case .failure(let refusal): actions += refused(refusal, held: held)
            }
        case .command(.wipeWatchlist):
            actions += [.wipeWatchlist, .log(.info, "watchlist wiped on command", [:])]
        case .command(.endDeployment(let deployment)) where deployment == settings.deploymentID:
            actions += [
                .wipeWatchlist,
                .log(.info, "deployment ended on command: watchlist wiped", ["deployment": "\(deployment)"]),
            ]
        case .heartbeat:
            break  // the coordinator's answer: it is alive
        case .auditCheckpoint(let bytes):
            actions.append(.witness(bytes))
        case .command, .hello, .alert, .watchlistStatus, .witnessReceipt:
            droppedFrames += 1
            actions.append(.log(.debug, "unexpected message from the coordinator dropped", [:]))
        }
        return actions
    }

    /// The bundle runs now: tell the coordinator.
    func installed(_ bundle: WatchlistBundle) -> [Action] {
        [
            .send(.watchlistStatus(.init(accepted: true, version: bundle.version, reasonCode: "", reason: ""))),
            .log(.info, "watchlist accepted", ["version": "\(bundle.version)", "subjects": "\(bundle.entries.count)"]),
        ]
    }

    /// A verified bundle could not be installed (templates unfit for its rule, or its version not recorded).
    func installFailed(_ error: String, held: Held) -> [Action] {
        refused(.malformed(error), held: held)
    }

    private func refused(_ refusal: BundleRefusal, held: Held) -> [Action] {
        [
            .send(
                .watchlistStatus(
                    .init(accepted: false, version: held.version, reasonCode: refusal.code, reason: refusal.description)
                )),
            .log(.warning, "watchlist refused", ["reason": "\(refusal.code)", "detail": "\(refusal)"]),
        ]
    }
}
