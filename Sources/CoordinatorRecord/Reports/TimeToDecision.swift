/// How long decisions took from the frame's capture: their count, median and 90th percentile
/// (nearest rank: the value at rank ⌈p·n⌉ of the sorted times, so that each figure is a time
/// some decision really took).
public struct TimeToDecision: Sendable, Encodable, Equatable {
    public let decisions: Int
    public let medianSeconds: Double
    public let p90Seconds: Double

    /// Nil when there are no decisions to summarise.
    public init?(seconds: [Double]) {
        guard !seconds.isEmpty else { return nil }
        let sorted = seconds.sorted()
        func rank(_ p: Double) -> Double { sorted[Int((p * Double(sorted.count)).rounded(.up)) - 1] }
        decisions = sorted.count
        medianSeconds = rank(0.5)
        p90Seconds = rank(0.9)
    }

    enum CodingKeys: String, CodingKey {
        case decisions, medianSeconds = "median_s", p90Seconds = "p90_s"
    }
}
