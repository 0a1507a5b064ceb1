import Foundation
import Shared
import XCTest

final class WireMessageTests: XCTestCase {
    static let samples: [WireMessage] = [
        .hello(.init(nodeID: "node-1", software: "watchpost 0.1", heldWatchlistVersion: 0)),
        .heartbeat(
            .init(
                uptimeSeconds: 3600, framesPerSecond: 24.5, facesSeen: 1200, framesDropped: 3, watchlistVersion: 7,
                qualityRejections: ["too_small": 40, "blurred": 2])),
        .alert(
            .init(
                alertID: UUID(), nodeID: "node-1", cameraID: "cam-a", deploymentID: "dep-7", watchlistVersion: 7,
                subject: "s-101", score: 0.12, distance: 0.41,
                capturedAt: Date(timeIntervalSince1970: 1_800_000_000.123),
                track: 42, quality: [38, 275, 94, 51, -0.2, 0.6, 14], cropJPEG: [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])),
        .ack(alertID: UUID()),
        .watchlistBundle(Array("WPSB...".utf8)),
        .watchlistStatus(.init(accepted: false, version: 8, reasonCode: "expired", reason: "bundle expired at ...")),
        .command(.endDeployment(deploymentID: "dep-7")),
        .command(.wipeWatchlist),
        .auditCheckpoint(Array(#"{"entries": 12}"#.utf8)),
        .witnessReceipt(
            .init(
                entries: 12, headHash: [UInt8](repeating: 7, count: 32), witnessKey: [UInt8](repeating: 8, count: 32),
                signature: [UInt8](repeating: 9, count: 64))),
    ]

    func testEveryMessage_roundTrips() throws {
        for message in Self.samples { XCTAssertEqual(try WireMessage.decode(message.encode()), message) }
    }

    /// Bytes from a hex string written by hand from the format (spaces ignored).
    private func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    private let id = UUID(uuidString: "00112233-4455-6677-8899-AABBCCDDEEFF")!

    /// Known answers, worked out by hand from the format (version 2, type, fields little-endian,
    /// strings and blobs with a u32 length): a change of the encoding breaks every node in the field.
    func testKnownAnswers_forEveryMessageKind() {
        let cases: [(WireMessage, String)] = [
            (
                .hello(.init(nodeID: "n1", software: "w", heldWatchlistVersion: 7)),
                "02 01  02000000 6e31  01000000 77  0700000000000000"
            ),
            // Rejection reasons in sorted order, whatever the dictionary's order.
            (
                .heartbeat(
                    .init(
                        uptimeSeconds: 1, framesPerSecond: 1, facesSeen: 2, framesDropped: 3, watchlistVersion: 4,
                        qualityRejections: ["b": 2, "a": 1])),
                "02 02  0100000000000000 0000803f 0200000000000000 0300000000000000 0400000000000000  02000000"
                    + "  01000000 61 0100000000000000  01000000 62 0200000000000000"
            ),
            (
                .alert(
                    .init(
                        alertID: id, nodeID: "n", cameraID: "c", deploymentID: "d", watchlistVersion: 1, subject: "s",
                        score: 0.5, distance: 0.25, capturedAtMilliseconds: 1000, track: 2, trackFrames: 3,
                        quality: [1], cropJPEG: [0xFF, 0xD8])),
                "02 03  00112233445566778899aabbccddeeff  01000000 6e  01000000 63  01000000 64  0100000000000000  01000000 73"
                    + "  0000003f 0000803e  e803000000000000  0200000000000000 03000000  01000000 0000803f  02000000 ffd8"
            ),
            (.ack(alertID: id), "02 04  00112233445566778899aabbccddeeff"),
            (.watchlistBundle([0xAB, 0xCD]), "02 05  02000000 abcd"),
            (
                .watchlistStatus(.init(accepted: true, version: 9, reasonCode: "", reason: "ok")),
                "02 06  01  0900000000000000  00000000  02000000 6f6b"
            ),
            (.command(.endDeployment(deploymentID: "d")), "02 07  01  01000000 64"),
            (.command(.wipeWatchlist), "02 07  02"),
            (.auditCheckpoint([0x7B, 0x7D]), "02 08  02000000 7b7d"),
            (
                .witnessReceipt(
                    .init(
                        entries: 3, headHash: [UInt8](repeating: 0xAA, count: 32),
                        witnessKey: [UInt8](repeating: 0xBB, count: 32),
                        signature: [UInt8](repeating: 0xCC, count: 64))),
                "02 09  0300000000000000  20000000 " + String(repeating: "aa", count: 32) + "  20000000 "
                    + String(repeating: "bb", count: 32)
                    + "  40000000 " + String(repeating: "cc", count: 64)
            ),
        ]
        for (message, expected) in cases {
            XCTAssertEqual(message.encode(), hex(expected), "\(message)")
            XCTAssertEqual(try WireMessage.decode(hex(expected)), message)
        }
    }

    /// An alert queued in a node's outbox by protocol 1 (before `track_frames`) is still read after
    /// the coordinator is upgraded, with its frames not said; it is re-encoded as version 2.
    func testProtocol1Alert_isStillRead_withTrackFramesNotSaid() throws {
        let v1 = hex(
            "01 03  00112233445566778899aabbccddeeff  01000000 6e  01000000 63  01000000 64  0100000000000000  01000000 73"
                + "  0000003f 0000803e  e803000000000000  0200000000000000  01000000 0000803f  02000000 ffd8")
        guard case .alert(let alert) = try WireMessage.decode(v1) else { return XCTFail("not an alert") }
        XCTAssertEqual(alert.trackFrames, 0)
        XCTAssertEqual(alert.track, 2)
        XCTAssertEqual(alert.cropJPEG, [0xFF, 0xD8])
        XCTAssertEqual(WireMessage.alert(alert).encode().first, 2)
        // A version 2 alert cut where version 1 ended is short of its crop: refused, not misread.
        XCTAssertThrowsError(try WireMessage.decode([2] + v1.dropFirst()))
    }

    /// The same heartbeat with its reasons in the other order is not a second valid encoding.
    func testHeartbeat_withReasonsOutOfOrder_isRefused() {
        let swapped = hex(
            "01 02  0100000000000000 0000803f 0200000000000000 0300000000000000 0400000000000000  02000000"
                + "  01000000 62 0200000000000000  01000000 61 0100000000000000")
        XCTAssertThrowsError(try WireMessage.decode(swapped)) { XCTAssert("\($0)".contains("out of order"), "\($0)") }
    }

    /// Numbered bad frames; each is refused, none traps.
    func testMalformedFrames_areRefused() {
        let good = Self.samples[2].encode()
        var cases: [(String, [UInt8])] = [
            ("1 empty", []),
            ("2 other protocol version", [9] + good.dropFirst()),
            ("2 protocol version 0", [0] + good.dropFirst()),
            ("3 unknown type", [1, 99]),
            ("4 trailing byte", good + [0]),
            ("5 unknown command", [1, 7, 9]),
            ("6 accepted flag not 0/1", [1, 6, 2] + [UInt8](repeating: 0, count: 16)),
        ]
        for cut in stride(from: 0, to: good.count, by: 7) {
            cases.append(("7 truncated at \(cut)", Array(good.prefix(cut))))
        }
        for (name, frame) in cases { XCTAssertThrowsError(try WireMessage.decode(frame), name) }
    }

    func testWitnessReceipts_withFieldsOfTheWrongSize_andOversizedCheckpoints_areRefused() {
        let short = WireMessage.witnessReceipt(
            .init(
                entries: 1, headHash: [1], witnessKey: [UInt8](repeating: 2, count: 32),
                signature: [UInt8](repeating: 3, count: 64)))
        XCTAssertThrowsError(try WireMessage.decode(short.encode()))
        XCTAssertThrowsError(
            try WireMessage.decode(WireMessage.auditCheckpoint([UInt8](repeating: 0x20, count: 4097)).encode()))
    }
}
