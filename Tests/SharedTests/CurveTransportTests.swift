import Foundation
import Shared
import XCTest
import ZeroMQTransport

/// Real libzmq sockets on 127.0.0.1 with CURVE and the ZAP allow-list.
final class CurveTransportTests: XCTestCase {
    private final class Refusals: @unchecked Sendable {
        private let lock = NSLock()
        private var keys: [String] = []
        func add(_ key: String) { lock.withLock { keys.append(key) } }
        var all: [String] { lock.withLock { keys } }
    }

    private var context: ZMQContext!
    private var zap: ZAPAuthenticator!
    private var router: ZMQSocket!
    private var endpoint = ""
    private let server = try! CurveKeyPair.generate()
    private let node = try! CurveKeyPair.generate()
    private let refusals = Refusals()

    override func setUpWithError() throws {
        XCTAssertTrue(ZMQContext.hasCurve)
        context = ZMQContext()
        let refusals = self.refusals
        zap = try ZAPAuthenticator(context: context, enrolled: [node.publicKey]) { key, _ in refusals.add(key) }
        let zap = self.zap!
        Task { await zap.run() }
        router = try ZMQSocket(context, .router)
        try router.makeCurveServer(server, domain: "watchpost")
        try router.setReceiveTimeout(.seconds(2))
        try router.setMaxMessageSize(64 * 1024)
        try router.bind("tcp://127.0.0.1:*")
        endpoint = router.lastEndpoint
    }

    override func tearDown() {
        router = nil
        zap.stop()
        zap = nil
        context = nil
    }

    private func dealer(_ keys: CurveKeyPair, serverKey: String? = nil) throws -> ZMQSocket {
        let socket = try ZMQSocket(context, .dealer)
        try socket.makeCurveClient(keys, serverKey: serverKey ?? server.publicKey)
        try socket.setReceiveTimeout(.seconds(2))
        try socket.connect(endpoint)
        return socket
    }

    func testEnrolledNode_exchangesMessagesBothWays() throws {
        let client = try dealer(node)
        try client.send([Array("hello".utf8), [1, 2, 3]])
        let received = try router.receive()
        XCTAssertEqual(received.count, 3, "routing id + two frames")
        XCTAssertEqual(Array(received.dropFirst()), [Array("hello".utf8), [1, 2, 3]])
        try router.send([received[0], Array("ack".utf8)])
        XCTAssertEqual(try client.receive(), [Array("ack".utf8)])
        XCTAssertEqual(refusals.all, [])
    }

    func testNodeNotEnrolled_cannotReachTheServer_andTheRefusalIsReported() throws {
        let stranger = try CurveKeyPair.generate()
        let client = try dealer(stranger)
        try client.send([Array("let me in".utf8)])
        XCTAssertThrowsError(try router.receive()) { XCTAssertTrue(($0 as? TransportError)?.timedOut ?? false) }
        XCTAssertTrue(refusals.all.contains(stranger.publicKey))
    }

    func testRevocationAndEnrolment_takeEffectWithoutRestart() throws {
        zap.revoke(node.publicKey)
        let revoked = try dealer(node)
        try revoked.send([Array("after revocation".utf8)])
        XCTAssertThrowsError(try router.receive())
        XCTAssertTrue(refusals.all.contains(node.publicKey))

        let late = try CurveKeyPair.generate()
        zap.enrol(late)
        let client = try dealer(late)
        try client.send([Array("enrolled later".utf8)])
        XCTAssertEqual(try router.receive().last, Array("enrolled later".utf8))
    }

    func testClientExpectingAnotherServerKey_isNotConnected() throws {
        let impostor = try CurveKeyPair.generate()
        let client = try dealer(node, serverKey: impostor.publicKey)
        try client.send([Array("to the wrong server".utf8)])
        XCTAssertThrowsError(try router.receive())
    }

    func testOversizedMessage_isDroppedBeforeDelivery() throws {
        let client = try dealer(node)
        try client.send([[UInt8](repeating: 7, count: 100 * 1024)])
        XCTAssertThrowsError(try router.receive())
    }

    func testZ85Keys() throws {
        let raw = try XCTUnwrap(CurveKeyPair.rawKey(node.publicKey))
        XCTAssertEqual(raw.count, 32)
        XCTAssertEqual(CurveKeyPair.z85(raw), node.publicKey)
        XCTAssertFalse(CurveKeyPair.isZ85Key("short"))
        XCTAssertThrowsError(try CurveKeyPair(publicKey: "x", secretKey: node.secretKey))
    }
}
extension ZAPAuthenticator {
    /// Test convenience: enrol a pair's public key.
    func enrol(_ keys: CurveKeyPair) { enrol(keys.publicKey) }
}
