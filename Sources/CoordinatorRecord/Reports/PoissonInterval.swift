import Foundation

/// Quantiles of the Poisson distribution: the spread of a count of rare, independent events
/// (false alerts among many faces) around its expected value.
enum PoissonInterval {
    /// The smallest k with P(X <= k) >= p for X ~ Poisson(mean).
    static func quantile(_ p: Double, mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        // Terms in log space: exp(-mean) underflows for large means.
        var k = 0
        var logTerm = -mean
        var cumulative = exp(logTerm)
        while cumulative < p && k < 10_000_000 {
            k += 1
            logTerm += log(mean) - log(Double(k))
            cumulative += exp(logTerm)
        }
        return k
    }

    /// A 95% range for a count whose expected value lies between `low` and `high`.
    static func range(lowMean: Double, highMean: Double) -> [Int] {
        [quantile(0.025, mean: lowMean), quantile(0.975, mean: highMean)]
    }
}
