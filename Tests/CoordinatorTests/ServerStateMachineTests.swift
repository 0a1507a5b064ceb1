import CoordinatorRecord
import Foundation
import Shared
import XCTest

@testable import Coordinator

/// The coordinator's message handling, message by message, without sockets, a database or sleeps.
final class ServerStateMachineTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    private let peer: [UInt8] = [0, 1, 2, 3]
    private let bundle: [UInt8] = Array("WPSB bundle v5".utf8)

    private let node = EnrolledNode(nodeID: "n1", cameraID: "c", publicKey: "node-key")

    private func configuration(
        keys: [String] = ["node-key"], bundle: [UInt8]? = nil, version: UInt64 = 0, ended: String? = nil,
        assignments: [String: NodeAssignment] = [:]
    ) -> ServerStateMachine.Configuration {
        let nodes = keys.map { $0 == "node-key" ? node : EnrolledNode(nodeID: "n-\($0)", cameraID: "c", publicKey: $0) }
        return .init(
            nodes: Dictionary(uniqueKeysWithValues: nodes.map { ($0.publicKey, $0) }), assignments: assignments,
            standingBundle: bundle, standingVersion: version, standingEnded: ended)
    }

    private func machine(
        bundle: [UInt8]? = nil, version: UInt64 = 0, ended: String? = nil,
        assignments: [String: NodeAssignment] = [:]
    ) -> ServerStateMachine {
        ServerStateMachine(
            configuration: configuration(bundle: bundle, version: version, ended: ended, assignments: assignments),
            startedAt: t0)
    }

    private func audited(_ actions: [ServerStateMachine.Action]) -> [AuditEvent] {
        actions.compactMap { if case .audit(let e) = $0 { return e } else { return nil } }
    }

    /// Whether `actions` audit before they send `message` (false when they do not send it).
    private func audited(before message: WireMessage, in actions: [ServerStateMachine.Action]) -> Bool {
        guard let sending = actions.firstIndex(where: { if case .send(_, message) = $0 { true } else { false } })
        else { return false }
        return actions[..<sending].contains { if case .audit = $0 { true } else { false } }
    }

    private func frames(_ m: WireMessage) -> [[UInt8]] { [peer, m.encode()] }
    private func hello(held: UInt64) -> [[UInt8]] {
        frames(.hello(.init(nodeID: "n1", software: "t", heldWatchlistVersion: held)))
    }
    private func beat(held: UInt64) -> [[UInt8]] {
        frames(
            .heartbeat(
                .init(
                    uptimeSeconds: 1, framesPerSecond: 10, facesSeen: 3, framesDropped: 0, watchlistVersion: held,
                    qualityRejections: [:])))
    }

    private func sent(_ actions: [ServerStateMachine.Action]) -> [WireMessage] {
        actions.compactMap { if case .send(let p, let m) = $0, p == peer { return m } else { return nil } }
    }

    func test01_hello_fromANodeHoldingAnotherVersion_getsTheBundle() {
        var m = machine(bundle: bundle, version: 5)
        XCTAssertEqual(sent(m.received(hello(held: 0), sender: "node-key", now: t0)), [.watchlistBundle(bundle)])
        XCTAssertEqual(m.peers[peer]?.held, 0)
    }

    func test02_nodeHoldingTheCurrentVersion_getsNothing() {
        var m = machine(bundle: bundle, version: 5)
        XCTAssertEqual(sent(m.received(hello(held: 5), sender: "node-key", now: t0)), [])
    }

    func test03_push_isRepeatedAtMostEvery30s_whileTheNodesVersionStaysTheSame() {
        var m = machine(bundle: bundle, version: 5)
        _ = m.received(hello(held: 4), sender: "node-key", now: t0)
        XCTAssertFalse(
            sent(m.received(beat(held: 4), sender: "node-key", now: t0 + 29)).contains(.watchlistBundle(bundle)))
        XCTAssertTrue(
            sent(m.received(beat(held: 4), sender: "node-key", now: t0 + 31)).contains(.watchlistBundle(bundle)))
    }

    func test04_heartbeat_isAnswered_withUptimeAndTheCurrentVersion() {
        var m = machine(bundle: bundle, version: 5)
        let answers = sent(m.received(beat(held: 5), sender: "node-key", now: t0 + 90))
        guard case .heartbeat(let b)? = answers.first else { return XCTFail("\(answers)") }
        XCTAssertEqual(b.uptimeSeconds, 90)
        XCTAssertEqual(b.watchlistVersion, 5)
    }

    func test05_alert_isStored_thenAcknowledged_onlyOnceStored() {
        var m = machine()
        let alert = WireMessage.AlertMessage(
            alertID: UUID(), nodeID: "n1", cameraID: "c", deploymentID: "d", watchlistVersion: 1,
            subject: "s", score: 0.1, distance: 0.4, capturedAt: t0, track: 1, quality: [], cropJPEG: [1])
        XCTAssertEqual(
            m.received(frames(.alert(alert)), sender: "node-key", now: t0), [.store(peer: peer, alert, node: node)])
        XCTAssertEqual(sent(m.alertStored(alert, peer: peer, new: true)), [.ack(alertID: alert.alertID)])
        XCTAssertEqual(sent(m.alertNotStored(alert, error: "disk full")), [], "no ack: the node resends")
    }

    func test06_revokedOrUnknownSender_isDropped_beforeAnythingElse() {
        var m = machine(bundle: bundle, version: 5)
        let actions = m.received(hello(held: 0), sender: "other-key", now: t0)
        XCTAssertEqual(sent(actions), [])
        XCTAssertEqual(m.droppedFrames, 1)
        XCTAssertNil(m.peers[peer], "nothing about it is remembered")
        XCTAssertEqual(sent(m.received(hello(held: 0), sender: nil, now: t0)), [])
    }

    func test07_malformedAndUnexpectedFrames_areDroppedAndCounted() {
        var m = machine()
        _ = m.received([peer, [1, 99]], sender: "node-key", now: t0)
        _ = m.received([peer], sender: "node-key", now: t0)
        _ = m.received(frames(.ack(alertID: UUID())), sender: "node-key", now: t0)
        XCTAssertEqual(m.droppedFrames, 3)
    }

    func test08_endedDeployment_tellsNodesStillHoldingAList_toWipeIt() {
        var m = machine(bundle: bundle, version: 5, ended: "dep-7")
        XCTAssertEqual(
            sent(m.received(beat(held: 5), sender: "node-key", now: t0)).last,
            .command(.endDeployment(deploymentID: "dep-7")))
        XCTAssertEqual(
            sent(m.received(beat(held: 0), sender: "node-key", now: t0)).count, 1,
            "only the heartbeat answer once it holds none")
    }

    func test09_withdrawnWatchlist_tellsNodesToWipe() {
        var m = machine()
        XCTAssertEqual(sent(m.received(hello(held: 3), sender: "node-key", now: t0)), [.command(.wipeWatchlist)])
    }

    func test10_reload_enrolsAndRevokes_andPushesTheNewBundleToKnownNodes() {
        var m = machine(bundle: bundle, version: 5)
        _ = m.received(hello(held: 5), sender: "node-key", now: t0)
        let next: [UInt8] = Array("WPSB bundle v6".utf8)
        let actions = m.reload(configuration(keys: ["node-key", "new-key"], bundle: next, version: 6), now: t0 + 1)
        XCTAssertTrue(actions.contains(.enrol(key: "new-key")))
        XCTAssertEqual(sent(actions), [.watchlistBundle(next)])
        let revoking = m.reload(configuration(keys: ["new-key"], bundle: next, version: 6), now: t0 + 2)
        XCTAssertTrue(revoking.contains(.revoke(key: "node-key")))
        XCTAssertEqual(sent(m.received(beat(held: 6), sender: "node-key", now: t0 + 3)), [], "revoked from that moment")
    }

    func test11_watchlistStatus_updatesTheNodesVersion_andRefusalsAreRecordedAndAuditedWithTheReason() {
        var m = machine(bundle: bundle, version: 5)
        let actions = m.received(
            frames(.watchlistStatus(.init(accepted: false, version: 7, reasonCode: "rollback", reason: "older"))),
            sender: "node-key", now: t0)
        XCTAssertEqual(m.peers[peer]?.held, 7)
        XCTAssertTrue(actions.contains(.recordRefusal(nodeID: "n1", reason: "rollback: older")), "\(actions)")
        XCTAssertEqual(audited(actions).map(\.action), [.bundleRefused])
        XCTAssertEqual(audited(actions).first?.detail["reason"], "rollback")
    }

    /// A node that reconnects comes back under a new ROUTER identity: the old one is forgotten
    /// after ten silent minutes, so the maps do not grow with every reconnect over months.
    func test12_silentPeers_areForgotten() {
        var m = machine(bundle: bundle, version: 5)
        _ = m.received(hello(held: 5), sender: "node-key", now: t0)
        let other: [UInt8] = [9, 9]
        _ = m.received(
            [other, WireMessage.hello(.init(nodeID: "n1", software: "t", heldWatchlistVersion: 5)).encode()],
            sender: "node-key", now: t0 + 601)
        XCTAssertNil(m.peers[peer], "silent for over 600 s")
        XCTAssertEqual(m.peers[other]?.held, 5)
    }

    /// Identity is the key, not the claim: a hello or alert naming another node (or camera) is
    /// dropped with no push and no ack, and audited at most once a minute per key.
    func test13_claimsThatDifferFromTheKeysEnrolment_areRefusedAndAudited() {
        var m = machine(bundle: bundle, version: 5)
        let impostor = m.received(
            frames(.hello(.init(nodeID: "n2", software: "t", heldWatchlistVersion: 0))), sender: "node-key", now: t0)
        XCTAssertEqual(sent(impostor), [], "no list for a node that lies about who it is")
        XCTAssertEqual(audited(impostor).map(\.action), [.nodeIdentityRefused])
        XCTAssertEqual(audited(impostor).first?.detail["claimed"], "node n2")
        let alert = WireMessage.AlertMessage(
            alertID: UUID(), nodeID: "n1", cameraID: "other-camera", deploymentID: "d", watchlistVersion: 1,
            subject: "s", score: 0.1, distance: 0.4, capturedAt: t0, track: 1, quality: [], cropJPEG: [1])
        let refused = m.received(frames(.alert(alert)), sender: "node-key", now: t0 + 10)
        XCTAssertFalse(refused.contains { if case .store = $0 { true } else { false } }, "not stored, not acknowledged")
        XCTAssertEqual(audited(refused), [], "within the minute: logged, not audited again")
        XCTAssertEqual(
            audited(m.received(frames(.alert(alert)), sender: "node-key", now: t0 + 61)).map(\.action),
            [.nodeIdentityRefused])
        XCTAssertEqual(m.droppedFrames, 3)
    }

    /// A live deployment's list goes to its nodes only; their heartbeats count towards it.
    func test14_deploymentAssignments_decideWhatEachNodeHolds_andWhereItsCountsGo() {
        let listA: [UInt8] = Array("WPSB list A".utf8)
        var m = ServerStateMachine(
            configuration: configuration(
                keys: ["node-key", "k2"],
                assignments: ["n1": .watchlist(deploymentID: "dep-A", bundle: listA, version: 3)]),
            startedAt: t0)
        let first = m.received(hello(held: 0), sender: "node-key", now: t0)
        XCTAssertEqual(sent(first), [.watchlistBundle(listA)])
        XCTAssertEqual(audited(first).map(\.action), [.bundlePushed])
        XCTAssertEqual(audited(first).first?.detail["deployment"], "dep-A")
        XCTAssertTrue(
            audited(before: .watchlistBundle(listA), in: first), "the node's acceptance cannot come before the push")
        XCTAssertTrue(
            m.received(beat(held: 3), sender: "node-key", now: t0 + 1).contains {
                if case .recordHeartbeat("n1", _, "dep-A") = $0 { true } else { false }
            })
        let other: [UInt8] = [7]
        let unassigned = m.received(
            [other, WireMessage.hello(.init(nodeID: "n-k2", software: "t", heldWatchlistVersion: 0)).encode()],
            sender: "k2", now: t0)
        XCTAssertFalse(
            unassigned.contains { if case .send(_, .watchlistBundle) = $0 { true } else { false } },
            "n-k2 is on no deployment")
    }

    /// Ending a deployment: its nodes are told to wipe at every contact while they hold a list;
    /// the command is audited once per 30 s, not at every heartbeat.
    func test15_endedDeployment_sendsTheEndToItsNodes_auditedOncePerInterval() {
        var m = machine(assignments: ["n1": .ended(deploymentID: "dep-A")])
        let first = m.received(beat(held: 3), sender: "node-key", now: t0)
        XCTAssertEqual(sent(first).last, .command(.endDeployment(deploymentID: "dep-A")))
        XCTAssertEqual(audited(first).map(\.action), [.nodeWipeSent])
        XCTAssertTrue(
            audited(before: .command(.endDeployment(deploymentID: "dep-A")), in: first),
            "the node's wipe cannot come before the command in the log")
        let again = m.received(beat(held: 3), sender: "node-key", now: t0 + 1)
        XCTAssertEqual(sent(again).last, .command(.endDeployment(deploymentID: "dep-A")))
        XCTAssertEqual(audited(again), [])
        XCTAssertEqual(
            sent(m.received(beat(held: 0), sender: "node-key", now: t0 + 2)).count, 1,
            "wiped: only the heartbeat answer")
    }

    func test16_auditCheckpoints_goToEveryConnectedNode_andToEachAsItConnects_receiptsAreRecorded() {
        var m = machine()
        _ = m.received(hello(held: 0), sender: "node-key", now: t0)
        let checkpoint: [UInt8] = Array(#"{"entries":5}"#.utf8)
        XCTAssertEqual(sent(m.checkpointPublished(checkpoint)), [.auditCheckpoint(checkpoint)])
        XCTAssertTrue(
            sent(m.received(hello(held: 0), sender: "node-key", now: t0 + 1)).contains(.auditCheckpoint(checkpoint)),
            "a node that reconnects is sent the newest checkpoint")
        let receipt = WireMessage.WitnessReceipt(
            entries: 5, headHash: [UInt8](repeating: 1, count: 32), witnessKey: [UInt8](repeating: 2, count: 32),
            signature: [UInt8](repeating: 3, count: 64))
        XCTAssertEqual(
            m.received(frames(.witnessReceipt(receipt)), sender: "node-key", now: t0 + 2),
            [.recordReceipt(nodeID: "n1", receipt)])
        XCTAssertTrue(
            sent(m.received(frames(.auditCheckpoint(checkpoint)), sender: "node-key", now: t0 + 3)).isEmpty,
            "a node sends no checkpoints")
    }
}
