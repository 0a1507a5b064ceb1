import Crypto
import FaceEngine
import Foundation
import Shared

/// Feeds the bundle verifier random and mutated inputs and checks that it never crashes, hangs or
/// accepts anything it should not.
///
///     swift run -c release BundleFuzz [--count N] [--seed S]
///
/// A third of the inputs are random bytes, a third are mutations of a validly signed bundle (bit
/// flips, truncation, insertion, splices), and a third are mutated payloads that trusted keys then
/// sign, so that the payload decoder itself is exercised behind valid signatures.
@main
enum BundleFuzz {
    static func main() {
        let args = CommandLine.arguments
        let count = args.firstIndex(of: "--count").flatMap { Int(args[$0 + 1]) } ?? 1_000_000
        var rng = SplitMix64(seed: args.firstIndex(of: "--seed").flatMap { UInt64(args[$0 + 1]) } ?? 1)
        let keys = [Curve25519.Signing.PrivateKey(), Curve25519.Signing.PrivateKey()]
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let policy = BundlePolicy(trustedSigners: Set(keys.map { Array($0.publicKey.rawRepresentation) }), requiredSignatures: 2,
                                  deploymentID: "dep", embeddingModel: "m")
        let entries = (0..<3).map { i in WatchlistEntry(subject: "s\(i)", templates: [Embedding([Float](repeating: Float(i) / 10, count: 128))]) }
        let bundle = WatchlistBundle(deploymentID: "dep", watchlistID: "w", version: 2, issuedAt: now, notBefore: now.addingTimeInterval(-10),
                                     expiresAt: now.addingTimeInterval(10), embeddingModel: "m", threshold: 0.5, entries: entries)
        let payload = bundle.payloadBytes()
        func sign(_ p: [UInt8]) -> [UInt8] {
            (try? keys.reduce(SignedBundle(payload: p)) { try $0.signed(with: $1) }.fileBytes()) ?? []
        }
        let valid = sign(payload)
        var outcomes: [String: Int] = [:], acceptedMutants = 0
        let start = ContinuousClock.now
        for i in 0..<count {
            let input: [UInt8]
            var mutatedSigned = false
            switch i % 3 {
            case 0: input = (0..<Int(rng.next() % 600)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1: input = mutate(valid, &rng)
            default: input = sign(mutate(payload, &rng)); mutatedSigned = true
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
        print("bundle fuzz: \(count) inputs in \(String(format: "%.1f", elapsed.inSeconds)) s, no crash, no hang")
        for (code, n) in outcomes.sorted(by: { $0.key < $1.key }) { print("  \(code): \(n)") }
        print("  mutated bundles accepted without valid signatures: \(acceptedMutants)")
        if acceptedMutants > 0 { exit(1) }
    }

    static func mutate(_ base: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = base
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            guard !b.isEmpty else { break }
            let at = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 4 {
            case 0: b[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            case 1: b.removeSubrange(at...)
            case 2: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
            default: b[at] = [0x00, 0xFF, 0x7F, 0x80][Int(rng.next() % 4)]
            }
        }
        return b
    }
}
