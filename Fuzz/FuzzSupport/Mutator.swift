import Foundation
import Shared

/// How the fuzz targets and the fuzz tests change a valid input: bit flips, truncation, single
/// insertions, repeats of a piece of the input, and splices of hostile pieces (quotes, NUL, byte
/// order marks, invalid UTF-8, path traversal, huge numbers and fields).
public enum Mutator {
    public static let hostilePieces: [[UInt8]] = [
        Array("\"".utf8), [0], [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xC3], Array(",subject_id".utf8),
        Array("../../etc/passwd".utf8),
        Array("\n".utf8), Array(String(repeating: "x", count: 20_000).utf8), Array("1e308".utf8), Array("-1".utf8),
        Array("\r".utf8),
    ]

    /// One to four changes to `base`; `hostile` pieces are spliced in where given.
    public static func mutate(_ base: [UInt8], _ rng: inout SplitMix64, hostile: [[UInt8]] = []) -> [UInt8] {
        var b = base
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            guard !b.isEmpty else { break }
            let at = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 5 {
            case 0: b[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            case 1: b.removeSubrange(at...)
            case 2: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
            case 3 where !hostile.isEmpty:
                b.insert(contentsOf: hostile[Int(rng.next() % UInt64(hostile.count))], at: at)
            case 3: b[at] = [0x00, 0xFF, 0x7F, 0x80][Int(rng.next() % 4)]
            default: b.insert(contentsOf: b[at..<min(b.count, at + Int(rng.next() % 40))], at: at)
            }
        }
        return b
    }

    /// Random bytes, up to `maxLength`.
    public static func randomBytes(_ rng: inout SplitMix64, maxLength: Int) -> [UInt8] {
        (0..<Int(rng.next() % UInt64(maxLength))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }
}

/// Random and mutated files fed to a parser that reads a path: how many it took, and the
/// refusals that did not name the file (each must, so that the user knows which file to fix).
public enum FileParserFuzz {
    public struct Outcome: Sendable {
        public var taken = 0
        public var refused = 0
        public var refusalsNotNamingTheFile: [String] = []
    }

    public static func run(
        samples: [[UInt8]], count: Int, seed: UInt64 = 1, path: String, parse: (String) throws -> Void
    ) -> Outcome {
        var rng = SplitMix64(seed: seed), outcome = Outcome()
        for i in 0..<count {
            let input =
                i % 4 == 0
                ? Mutator.randomBytes(&rng, maxLength: 300)
                : Mutator.mutate(samples[Int(rng.next() % UInt64(samples.count))], &rng, hostile: Mutator.hostilePieces)
            FileManager.default.createFile(atPath: path, contents: Data(input))
            do {
                try parse(path)
                outcome.taken += 1
            } catch {
                outcome.refused += 1
                if !"\(error)".contains(path) {
                    outcome.refusalsNotNamingTheFile.append(String("\(error)".prefix(300)))
                }
            }
        }
        return outcome
    }
}
