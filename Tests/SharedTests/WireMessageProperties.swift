import Foundation
import PropertyBased
import Shared
import Testing

/// Properties of the wire codec over generated messages: every message the nodes and the
/// coordinator send comes back equal from its bytes, and no frame cut short is ever read as one.
@Suite struct WireMessageProperties {
    private static let text = Gen.letterOrNumber.string(of: 0...40)
    private static let count = Gen.uint64(in: 0...UInt64.max)

    private static let alert = zip(
        text, text, Gen.uint64(in: 0...1_000), Gen.float(in: -4...4), Gen.int64(in: 0...4_000_000_000_000),
        Gen.float(in: -100...100).array(of: 7), Gen.uint8(in: 0...255).array(of: 0...512), Gen.uint32(in: 0...10_000)
    ).map { subject, node, version, score, milliseconds, quality, crop, frames in
        WireMessage.alert(
            .init(
                alertID: UUID(), nodeID: node, cameraID: "cam-\(node)", deploymentID: "dep-1",
                watchlistVersion: version, subject: subject, score: score, distance: abs(score),
                capturedAtMilliseconds: milliseconds, track: version &* 31, trackFrames: frames, quality: quality,
                cropJPEG: crop))
    }

    private static let heartbeat = zip(count, Gen.float(in: 0...120), count, count, text, count).map {
        uptime, fps, faces, dropped, reason, rejected in
        WireMessage.heartbeat(
            .init(
                uptimeSeconds: uptime, framesPerSecond: fps, facesSeen: faces, framesDropped: dropped,
                watchlistVersion: uptime / 2, qualityRejections: reason.isEmpty ? [:] : [reason: rejected]))
    }

    private static let others = zip(text, count, Gen.bool, Gen.uint8(in: 0...255).array(of: 0...256)).map {
        text, version, flag, bytes -> [WireMessage] in
        [
            .hello(.init(nodeID: text, software: "watchpost \(version)", heldWatchlistVersion: version)),
            .ack(alertID: UUID()),
            .watchlistBundle(bytes),
            .watchlistStatus(.init(accepted: flag, version: version, reasonCode: flag ? "" : "rollback", reason: text)),
            .command(flag ? .wipeWatchlist : .endDeployment(deploymentID: text)),
            .auditCheckpoint(bytes),
        ]
    }

    @Test func everyAlert_comesBackEqualFromItsBytes() async {
        await propertyCheck(count: 300, input: Self.alert) { message in
            let decoded = try WireMessage.decode(message.encode())
            #expect(decoded == message)
        }
    }

    @Test func everyHeartbeat_comesBackEqualFromItsBytes() async {
        await propertyCheck(count: 300, input: Self.heartbeat) { message in
            let decoded = try WireMessage.decode(message.encode())
            #expect(decoded == message)
        }
    }

    @Test func everyOtherMessage_comesBackEqualFromItsBytes() async {
        await propertyCheck(count: 100, input: Self.others) { messages in
            for message in messages {
                let decoded = try WireMessage.decode(message.encode())
                #expect(decoded == message)
            }
        }
    }

    /// A frame cut anywhere is refused, never read as a shorter message of its own kind or another.
    @Test func everyFrameCutShort_isRefused() async {
        await propertyCheck(count: 200, input: Self.alert, Gen.double(in: 0..<1)) { message, fraction in
            let bytes = message.encode()
            let cut = Int(Double(bytes.count) * fraction)
            #expect(throws: (any Error).self) { try WireMessage.decode(Array(bytes.prefix(cut))) }
        }
    }
}
