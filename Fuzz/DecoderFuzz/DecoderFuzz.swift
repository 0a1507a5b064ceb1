import Crypto
import FaceTemplates
import Foundation
import FuzzSupport
import Shared

/// Feeds the wire-message decoder and the bundle verifier random and mutated inputs and checks
/// that neither crashes, hangs or accepts anything it should not.
///
///     swift run -c release DecoderFuzz [--count N] [--seed S]
///
/// Messages: half random bytes, half mutations of valid frames of every kind. Bundles: a third of
/// the inputs are random bytes, a third are mutations of a validly signed bundle (bit
/// flips, truncation, insertion, splices), and a third are mutated payloads that trusted keys then
/// sign, so that the payload decoder itself is exercised behind valid signatures.
@main
enum DecoderFuzz {
    static func main() {
        let args = CommandLine.arguments
        let count = args.firstIndex(of: "--count").flatMap { Int(args[$0 + 1]) } ?? 1_000_000
        var rng = SplitMix64(seed: args.firstIndex(of: "--seed").flatMap { UInt64(args[$0 + 1]) } ?? 1)
        let keys = [Curve25519.Signing.PrivateKey(), Curve25519.Signing.PrivateKey()]
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let policy = BundlePolicy(
            trustedSigners: Set(keys.map { Array($0.publicKey.rawRepresentation) }), requiredSignatures: 2,
            deploymentID: "dep", embeddingModel: "m")
        let entries = (0..<3).map { i in
            WatchlistEntry(
                subject: "s\(i)", templates: [Embedding([Float](repeating: Float(i) / 10, count: 128))],
                faceNetTemplates: [FaceNetEmbedding([Float](repeating: Float(i) / 30, count: 512))])
        }
        let cohort = [
            FaceFeatures(
                dlib: Embedding([Float](repeating: 0.05, count: 128)),
                faceNet: FaceNetEmbedding([Float](repeating: 0.04, count: 512)))
        ]
        let bundle = WatchlistBundle(
            deploymentID: "dep", watchlistID: "w", version: 2, issuedAt: now, notBefore: now.addingTimeInterval(-10),
            expiresAt: now.addingTimeInterval(10), embeddingModel: "m", threshold: 0.5, rule: .recommended,
            entries: entries, cohort: cohort)
        let payload = bundle.payloadBytes()
        func sign(_ p: [UInt8]) -> [UInt8] {
            (try? keys.reduce(SignedBundle(payload: p)) { try $0.signed(with: $1) }.fileBytes()) ?? []
        }
        let valid = sign(payload)
        fuzzMessages(count: count, rng: &rng, bundle: valid)
        var outcomes: [String: Int] = [:], acceptedMutants = 0
        let start = ContinuousClock.now
        for i in 0..<count {
            let input: [UInt8]
            var mutatedSigned = false
            switch i % 3 {
            case 0: input = (0..<Int(rng.next() % 600)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1: input = Mutator.mutate(valid, &rng)
            default:
                input = sign(Mutator.mutate(payload, &rng))
                mutatedSigned = true
            }
            switch policy.verify(input, heldVersion: 1, now: now) {
            case .success(let accepted):
                outcomes["accepted", default: 0] += 1
                // Accepting is right only for a payload that still decodes to a well-formed bundle of this deployment.
                if !(mutatedSigned && accepted.deploymentID == "dep") && input != valid { acceptedMutants += 1 }
            case .failure(let refusal):
                outcomes[refusal.code, default: 0] += 1
            }
        }
        let elapsed = ContinuousClock.now - start
        print("bundle fuzz: \(count) inputs in \(String(format: "%.1f", elapsed / .seconds(1))) s, no crash, no hang")
        for (code, n) in outcomes.sorted(by: { $0.key < $1.key }) { print("  \(code): \(n)") }
        print("  mutated bundles accepted without valid signatures: \(acceptedMutants)")
        if acceptedMutants > 0 { exit(1) }
    }

    static func fuzzMessages(count: Int, rng: inout SplitMix64, bundle: [UInt8]) {
        let heartbeat = WireMessage.Heartbeat(
            uptimeSeconds: 9, framesPerSecond: 20, facesSeen: 5, framesDropped: 1,
            watchlistVersion: 3, qualityRejections: ["too_small": 2])
        let alert = WireMessage.AlertMessage(
            alertID: UUID(), nodeID: "n", cameraID: "c", deploymentID: "d", watchlistVersion: 3,
            subject: "s", score: 0.1, distance: 0.4, capturedAt: Date(timeIntervalSince1970: 1),
            track: 1, quality: [1, 2, 3, 4, 5, 6, 7], cropJPEG: [UInt8](repeating: 9, count: 300))
        let status = WireMessage.WatchlistStatus(accepted: true, version: 3, reasonCode: "", reason: "")
        var messages: [WireMessage] = [.hello(.init(nodeID: "n", software: "w", heldWatchlistVersion: 3))]
        messages += [.heartbeat(heartbeat), .alert(alert), .ack(alertID: UUID()), .watchlistBundle(bundle)]
        messages += [.watchlistStatus(status), .command(.wipeWatchlist), .command(.endDeployment(deploymentID: "d"))]
        let samples = messages.map { $0.encode() }
        var decoded = 0, refused = 0
        let start = ContinuousClock.now
        for i in 0..<count {
            let frame =
                i % 2 == 0
                ? (0..<Int(rng.next() % 400)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                : Mutator.mutate(samples[Int(rng.next() % UInt64(samples.count))], &rng)
            if let message = try? WireMessage.decode(frame) {
                decoded += 1
                // Whatever decodes must encode back to the same bytes: no field is silently lost or invented.
                // (A version 1 frame, still read from an old outbox, is re-encoded as the current version.)
                if frame.first == WireMessage.protocolVersion, message.encode() != frame {
                    print("message fuzz: non-canonical frame accepted (type \(frame[1]))")
                    exit(1)
                }
            } else {
                refused += 1
            }
        }
        print(
            "message fuzz: \(count) frames in \(String(format: "%.1f", (ContinuousClock.now - start) / .seconds(1))) s, no crash, no hang: \(decoded) decoded (all canonical), \(refused) refused"
        )
    }
}
