import Crypto
import Foundation

/// What the audit chain keeps of an alert's subject and score: a salted SHA-256 commitment, its
/// salt in the alert's own row. While the row is kept, anyone can check that the entry and the
/// row agree (`matches`); when retention purges the row, the salt goes with it and the entry no
/// longer reveals the subject or the score, yet still verifies in the chain (promise 6).
public enum AlertCommitment {
    public static let saltBytes = 32

    public static func newSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<saltBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Hex SHA-256 of the salt, the subject, a zero byte and the score as the record prints it.
    public static func commitment(salt: [UInt8], subject: String, score: Double) -> String {
        let bytes = salt + Array(subject.utf8) + [0] + Array(scoreText(score).utf8)
        return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether an audit entry's commitment is that of this subject and score under the row's salt.
    public static func matches(_ commitment: String, salt: [UInt8], subject: String, score: Double) -> Bool {
        self.commitment(salt: salt, subject: subject, score: score) == commitment
    }

    static func scoreText(_ score: Double) -> String { String(format: "%.4f", score) }
}
