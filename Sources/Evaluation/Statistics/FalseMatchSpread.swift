/// How false matches spread over the entries of a watchlist at one threshold. A few "hub" entries
/// that attract many strangers mean those people's alerts are mostly wrong, even when the list's
/// overall FPIR looks acceptable.
public struct FalseMatchSpread: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var subject: String
        public var falseMatches: Int

        public init(subject: String, falseMatches: Int) {
            self.subject = subject
            self.falseMatches = falseMatches
        }

        enum CodingKeys: String, CodingKey { case subject, falseMatches = "false_matches" }
    }

    public var threshold: Float
    public var entries: Int
    public var falseMatches: Int
    /// Entries that attracted at least one non-mated search.
    public var entriesWithFalseMatches: Int
    public var median: Double
    public var mean: Double
    /// The entries that attracted the most non-mated searches, worst first (ties by subject id).
    public var worst: [Entry]
    /// Worst entry's count over the mean count; 1 would be a perfectly even spread.
    public var worstToMean: Double?

    enum CodingKeys: String, CodingKey {
        case threshold, entries, falseMatches = "false_matches", entriesWithFalseMatches = "entries_with_false_matches"
        case median, mean, worst, worstToMean = "worst_to_mean"
    }

    /// - Parameters:
    ///   - nearest: for each non-mated search with a face, its nearest entry and distance.
    ///   - subjects: every entry of the list (entries with no false match count as zero).
    public static func measure(
        nearest: [(subject: String, distance: Float)], subjects: [String], threshold: Float,
        top: Int = 10
    ) -> FalseMatchSpread {
        var counts = Dictionary(uniqueKeysWithValues: subjects.map { ($0, 0) })
        for n in nearest where n.distance <= threshold { counts[n.subject, default: 0] += 1 }
        let sorted = counts.values.sorted()
        let total = sorted.reduce(0, +)
        let median: Double =
            sorted.isEmpty
            ? 0
            : sorted.count % 2 == 1
                ? Double(sorted[sorted.count / 2])
                : Double(sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let mean = sorted.isEmpty ? 0 : Double(total) / Double(sorted.count)
        let worst = counts.filter { $0.value > 0 }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(top).map { Entry(subject: $0.key, falseMatches: $0.value) }
        return FalseMatchSpread(
            threshold: threshold, entries: counts.count, falseMatches: total,
            entriesWithFalseMatches: sorted.filter { $0 > 0 }.count, median: median, mean: mean,
            worst: Array(worst), worstToMean: mean > 0 ? Double(worst.first?.falseMatches ?? 0) / mean : nil)
    }
}
