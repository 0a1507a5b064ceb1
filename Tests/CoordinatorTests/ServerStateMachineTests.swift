@testable import Coordinator
import Foundation
import Shared
import XCTest

/// The coordinator's message handling, message by message, without sockets, a database or sleeps.
final class ServerStateMachineTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    private let peer: [UInt8] = [0, 1, 2, 3]
    private let bundle: [UInt8] = Array("WPSB bundle v5".utf8)

    private func machine(bundle: [UInt8]? = nil, version: UInt64 = 0, ended: String? = nil) -> ServerStateMachine {
        ServerStateMachine(configuration: .init(enrolled: ["node-key"], bundle: bundle, bundleVersion: version, endedDeployment: ended),
                           startedAt: t0)
    }

    private func frames(_ m: WireMessage) -> [[UInt8]] { [peer, m.encode()] }
    private func hello(held: UInt64) -> [[UInt8]] { frames(.hello(.init(nodeID: "n1", software: "t", heldWatchlistVersion: held))) }
    private func beat(held: UInt64) -> [[UInt8]] {
        frames(.heartbeat(.init(uptimeSeconds: 1, framesPerSecond: 10, facesSeen: 3, framesDropped: 0, watchlistVersion: held, qualityRejections: [:])))
    }

    private func sent(_ actions: [ServerStateMachine.Action]) -> [WireMessage] {
        actions.compactMap { if case .send(let p, let m) = $0, p == peer { return m } else { return nil } }
    }

    func test01_hello_fromANodeHoldingAnotherVersion_getsTheBundle() {
        var m = machine(bundle: bundle, version: 5)
        XCTAssertEqual(sent(m.received(hello(held: 0), sender: "node-key", now: t0)), [.watchlistBundle(bundle)])
        XCTAssertEqual(m.peers[peer], 0)
    }

    func test02_nodeHoldingTheCurrentVersion_getsNothing() {
        var m = machine(bundle: bundle, version: 5)
        XCTAssertEqual(sent(m.received(hello(held: 5), sender: "node-key", now: t0)), [])
    }

    func test03_push_isRepeatedAtMostEvery30s_whileTheNodesVersionStaysTheSame() {
        var m = machine(bundle: bundle, version: 5)
        _ = m.received(hello(held: 4), sender: "node-key", now: t0)
        XCTAssertFalse(sent(m.received(beat(held: 4), sender: "node-key", now: t0 + 29)).contains(.watchlistBundle(bundle)))
        XCTAssertTrue(sent(m.received(beat(held: 4), sender: "node-key", now: t0 + 31)).contains(.watchlistBundle(bundle)))
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
        let alert = WireMessage.AlertMessage(alertID: UUID(), nodeID: "n1", cameraID: "c", deploymentID: "d", watchlistVersion: 1,
                                             subject: "s", score: 0.1, distance: 0.4, capturedAt: t0, track: 1, quality: [], cropJPEG: [1])
        XCTAssertEqual(m.received(frames(.alert(alert)), sender: "node-key", now: t0), [.store(peer: peer, alert)])
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
        XCTAssertEqual(sent(m.received(beat(held: 5), sender: "node-key", now: t0)).last, .command(.endDeployment(deploymentID: "dep-7")))
        XCTAssertEqual(sent(m.received(beat(held: 0), sender: "node-key", now: t0)).count, 1, "only the heartbeat answer once it holds none")
    }

    func test09_withdrawnWatchlist_tellsNodesToWipe() {
        var m = machine()
        XCTAssertEqual(sent(m.received(hello(held: 3), sender: "node-key", now: t0)), [.command(.wipeWatchlist)])
    }

    func test10_reload_enrolsAndRevokes_andPushesTheNewBundleToKnownNodes() {
        var m = machine(bundle: bundle, version: 5)
        _ = m.received(hello(held: 5), sender: "node-key", now: t0)
        let next: [UInt8] = Array("WPSB bundle v6".utf8)
        let actions = m.reload(.init(enrolled: ["node-key", "new-key"], bundle: next, bundleVersion: 6, endedDeployment: nil), now: t0 + 1)
        XCTAssertTrue(actions.contains(.enrol(key: "new-key")))
        XCTAssertEqual(sent(actions), [.watchlistBundle(next)])
        let revoking = m.reload(.init(enrolled: ["new-key"], bundle: next, bundleVersion: 6, endedDeployment: nil), now: t0 + 2)
        XCTAssertTrue(revoking.contains(.revoke(key: "node-key")))
        XCTAssertEqual(sent(m.received(beat(held: 6), sender: "node-key", now: t0 + 3)), [], "revoked from that moment")
    }

    func test11_watchlistStatus_updatesTheNodesVersion_andRefusalsAreLoggedWithTheReason() {
        var m = machine(bundle: bundle, version: 5)
        let actions = m.received(frames(.watchlistStatus(.init(accepted: false, version: 7, reasonCode: "rollback", reason: "older"))),
                                 sender: "node-key", now: t0)
        XCTAssertEqual(m.peers[peer], 7)
        XCTAssertEqual(actions, [.log(.warning, "watchlist refused by node", ["version": "7", "reason": "rollback", "detail": "older"])])
    }

    /// A node that reconnects comes back under a new ROUTER identity: the old one is forgotten
    /// after ten silent minutes, so the maps do not grow with every reconnect over months.
    func test12_silentPeers_areForgotten() {
        var m = machine(bundle: bundle, version: 5)
        _ = m.received(hello(held: 5), sender: "node-key", now: t0)
        let other: [UInt8] = [9, 9]
        _ = m.received([other, WireMessage.hello(.init(nodeID: "n2", software: "t", heldWatchlistVersion: 5)).encode()],
                       sender: "node-key", now: t0 + 601)
        XCTAssertNil(m.peers[peer], "silent for over 600 s")
        XCTAssertEqual(m.peers[other], 5)
    }
}
