import Crypto
import FaceTemplates
import Foundation
import Shared
import XCTest

@testable import EdgeNode

/// The node's side of the fabric, message by message and tick by tick, without sockets or sleeps.
final class LinkStateMachineTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    private let signers = [Curve25519.Signing.PrivateKey(), Curve25519.Signing.PrivateKey()]
    private var policy: BundlePolicy {
        BundlePolicy(
            trustedSigners: Set(signers.map { Array($0.publicKey.rawRepresentation) }), requiredSignatures: 2,
            deploymentID: "dep-7", embeddingModel: MatchingRule.distance.embeddingModel)
    }
    private let none = LinkStateMachine.Held(version: 0, refusedAtOrBelow: nil)

    private func machine() -> LinkStateMachine {
        LinkStateMachine(
            settings: .init(nodeID: "n1", deploymentID: "dep-7", heartbeatInterval: 5), policy: policy, now: t0)
    }

    private func bundleFrame(version: UInt64, signedBy keys: Int = 2) throws -> (WatchlistBundle, [UInt8]) {
        // 0.125: a half float holds it exactly, so the installed bundle equals the one sent.
        let bundle = WatchlistBundle(
            deploymentID: "dep-7", watchlistID: "w", version: version, issuedAt: t0, notBefore: t0,
            expiresAt: t0 + 3600, embeddingModel: MatchingRule.distance.embeddingModel, threshold: 0.5,
            entries: [WatchlistEntry(subject: "s", templates: [Embedding([Float](repeating: 0.125, count: 128))])])
        let signed = try signers.prefix(keys).reduce(SignedBundle(payload: bundle.payloadBytes())) {
            try $0.signed(with: $1)
        }
        return (bundle, WireMessage.watchlistBundle(signed.fileBytes()).encode())
    }

    private func sent(_ actions: [LinkStateMachine.Action]) -> [WireMessage] {
        actions.compactMap { if case .send(let m) = $0 { m } else { nil } }
    }

    func test01_start_saysHelloWithTheHeldVersion() {
        XCTAssertEqual(
            sent(machine().start(held: .init(version: 4, refusedAtOrBelow: 4))),
            [.hello(.init(nodeID: "n1", software: "watchpost-edge 1", heldWatchlistVersion: 4))])
    }

    func test02_heartbeat_everyInterval_andDueAlertsAndExpiryOnEveryTick() {
        var m = machine()
        XCTAssertEqual(m.tick(now: t0 + 4.9), [.expireWatchlist, .sendDueAlerts])
        XCTAssertEqual(m.tick(now: t0 + 5), [.sendHeartbeat, .expireWatchlist, .sendDueAlerts])
        XCTAssertFalse(m.tick(now: t0 + 9).contains(.sendHeartbeat))
        XCTAssertTrue(m.tick(now: t0 + 10).contains(.sendHeartbeat))
    }

    func test03_coordinatorSilence_isReportedOnce_andItsReturnOnce() {
        var m = machine()
        let warning = LinkStateMachine.Action.log(
            .warning, "coordinator unreachable; alerts are kept in the outbox", [:])
        XCTAssertFalse(m.tick(now: t0 + 15).contains(warning), "three intervals, not more")
        XCTAssertTrue(m.tick(now: t0 + 20).contains(warning))
        XCTAssertFalse(m.tick(now: t0 + 25).contains(warning), "reported once")
        let answer = WireMessage.heartbeat(
            .init(
                uptimeSeconds: 1, framesPerSecond: 0, facesSeen: 0, framesDropped: 0,
                watchlistVersion: 0, qualityRejections: [:])
        ).encode()
        XCTAssertEqual(m.received(answer, held: none, now: t0 + 26), [.log(.info, "coordinator reachable again", [:])])
        XCTAssertEqual(m.received(answer, held: none, now: t0 + 27), [])
    }

    func test04_ack_deletesTheAlertFromTheOutbox() {
        var m = machine()
        let id = UUID()
        XCTAssertEqual(m.received(WireMessage.ack(alertID: id).encode(), held: none, now: t0), [.deleteFromOutbox(id)])
    }

    func test05_verifiedBundle_isInstalled_thenAccepted() throws {
        var m = machine()
        let (bundle, frame) = try bundleFrame(version: 3)
        XCTAssertEqual(m.received(frame, held: none, now: t0), [.install(bundle)])
        XCTAssertEqual(
            sent(m.installed(bundle)), [.watchlistStatus(.init(accepted: true, version: 3, reasonCode: "", reason: ""))]
        )
    }

    func test06_underSignedBundle_isRefused_withTheReason_andNothingInstalled() throws {
        var m = machine()
        let (_, frame) = try bundleFrame(version: 3, signedBy: 1)
        let actions = m.received(frame, held: .init(version: 2, refusedAtOrBelow: 2), now: t0)
        XCTAssertFalse(actions.contains { if case .install = $0 { true } else { false } })
        guard case .watchlistStatus(let status)? = sent(actions).first else { return XCTFail("\(actions)") }
        XCTAssertEqual(status.accepted, false)
        XCTAssertEqual(status.reasonCode, "too_few_signers")
        XCTAssertEqual(status.version, 2, "the status names the version still held")
    }

    func test07_rollback_isRefused_againstWhatTheHolderRefuses() throws {
        var m = machine()
        let (_, frame) = try bundleFrame(version: 3)
        guard
            case .watchlistStatus(let status)? = sent(
                m.received(frame, held: .init(version: 0, refusedAtOrBelow: 4), now: t0)
            ).first
        else {
            return XCTFail("no status")
        }
        XCTAssertEqual(status.reasonCode, "rollback")
    }

    func test08_installFailure_isReportedAsMalformed() {
        guard
            case .watchlistStatus(let status)? = sent(machine().installFailed("no FaceNet templates", held: none)).first
        else {
            return XCTFail("no status")
        }
        XCTAssertEqual(status.reasonCode, "malformed")
        XCTAssert(status.reason.contains("no FaceNet templates"))
    }

    func test09_wipeAndEndOfThisDeployment_wipe_otherDeploymentsAreIgnored() {
        var m = machine()
        XCTAssertTrue(
            m.received(WireMessage.command(.wipeWatchlist).encode(), held: none, now: t0).contains(.wipeWatchlist))
        XCTAssertTrue(
            m.received(WireMessage.command(.endDeployment(deploymentID: "dep-7")).encode(), held: none, now: t0)
                .contains(.wipeWatchlist))
        XCTAssertFalse(
            m.received(WireMessage.command(.endDeployment(deploymentID: "dep-8")).encode(), held: none, now: t0)
                .contains(.wipeWatchlist))
        XCTAssertEqual(m.droppedFrames, 1)
    }

    func test10_malformedFrames_areDroppedAndCounted_andDoNotCountAsHearingFromTheCoordinator() {
        var m = machine()
        _ = m.received([1, 99], held: none, now: t0 + 19)
        _ = m.received([], held: none, now: t0 + 19)
        XCTAssertEqual(m.droppedFrames, 2)
        XCTAssertTrue(
            m.tick(now: t0 + 20).contains(.log(.warning, "coordinator unreachable; alerts are kept in the outbox", [:]))
        )
    }

    func test11_auditCheckpoint_isKeptAsAWitness_andAReceiptFromTheCoordinatorIsDropped() {
        var m = machine()
        XCTAssertEqual(
            m.received(WireMessage.auditCheckpoint([1, 2, 3]).encode(), held: none, now: t0), [.witness([1, 2, 3])])
        let receipt = WireMessage.witnessReceipt(
            .init(
                entries: 1, headHash: [UInt8](repeating: 0, count: 32), witnessKey: [UInt8](repeating: 0, count: 32),
                signature: [UInt8](repeating: 0, count: 64)))
        XCTAssertFalse(
            m.received(receipt.encode(), held: none, now: t0).contains { if case .witness = $0 { true } else { false } }
        )
        XCTAssertEqual(m.droppedFrames, 1)
    }
}
