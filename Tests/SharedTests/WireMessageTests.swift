import Foundation
import Shared
import XCTest

final class WireMessageTests: XCTestCase {
    static let samples: [WireMessage] = [
        .hello(.init(nodeID: "node-1", software: "watchpost 0.1", heldWatchlistVersion: 0)),
        .heartbeat(.init(uptimeSeconds: 3600, framesPerSecond: 24.5, facesSeen: 1200, framesDropped: 3, watchlistVersion: 7,
                         qualityRejections: ["too_small": 40, "blurred": 2])),
        .alert(.init(alertID: UUID(), nodeID: "node-1", cameraID: "cam-a", deploymentID: "dep-7", watchlistVersion: 7,
                     subject: "s-101", score: 0.12, distance: 0.41, capturedAt: Date(timeIntervalSince1970: 1_800_000_000.123),
                     track: 42, quality: [38, 275, 94, 51, -0.2, 0.6, 14], cropJPEG: [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])),
        .ack(alertID: UUID()),
        .watchlistBundle(Array("WPSB...".utf8)),
        .watchlistStatus(.init(accepted: false, version: 8, reasonCode: "expired", reason: "bundle expired at ...")),
        .command(.endDeployment(deploymentID: "dep-7")),
        .command(.wipeWatchlist),
    ]

    func testEveryMessage_roundTrips() throws {
        for message in Self.samples { XCTAssertEqual(try WireMessage.decode(message.encode()), message) }
    }

    func testHeartbeat_encodingIsCanonical() {
        let a = WireMessage.heartbeat(.init(uptimeSeconds: 1, framesPerSecond: 1, facesSeen: 1, framesDropped: 1, watchlistVersion: 1,
                                            qualityRejections: ["a": 1, "b": 2, "c": 3]))
        XCTAssertEqual(a.encode(), a.encode())
    }

    /// Numbered bad frames; each is refused, none traps.
    func testMalformedFrames_areRefused() {
        let good = Self.samples[2].encode()
        var cases: [(String, [UInt8])] = [
            ("1 empty", []),
            ("2 other protocol version", [9] + good.dropFirst()),
            ("3 unknown type", [1, 99]),
            ("4 trailing byte", good + [0]),
            ("5 unknown command", [1, 7, 9]),
            ("6 accepted flag not 0/1", [1, 6, 2] + [UInt8](repeating: 0, count: 16)),
        ]
        for cut in stride(from: 0, to: good.count, by: 7) { cases.append(("7 truncated at \(cut)", Array(good.prefix(cut)))) }
        for (name, frame) in cases { XCTAssertThrowsError(try WireMessage.decode(frame), name) }
    }
}
