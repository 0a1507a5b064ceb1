import Histogram

/// A bounded summary of many durations (latencies, lifetimes of non-match data): an HdrHistogram
/// with 3 significant digits from 1 µs to 1 hour, about 40 KiB whatever the number of samples,
/// so that a node serving for months does not grow with every face it sees.
struct DurationSummary {
    private var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
        numberOfSignificantValueDigits: .three)

    var count: UInt64 { histogram.totalCount }

    /// Bytes the histogram's counts take (fixed at creation).
    var footprint: Int { histogram.estimatedFootprintInBytes }

    /// Records a duration in seconds (clamped to the trackable range, so nothing is silently lost).
    mutating func record(seconds: Double) {
        let micros = UInt64(max(1, min(3_600_000_000, (seconds * 1e6).rounded())))
        _ = histogram.record(micros)
    }

    mutating func record(milliseconds: Double) { record(seconds: milliseconds / 1000) }

    /// The value at or below which `fraction` of the samples lie, in milliseconds; nil with no samples.
    func milliseconds(atFraction fraction: Double) -> Double? {
        count == 0 ? nil : Double(histogram.valueAtPercentile(fraction * 100)) / 1000
    }

    /// The same in seconds.
    func seconds(atFraction fraction: Double) -> Double? { milliseconds(atFraction: fraction).map { $0 / 1000 } }

    /// The largest sample, in seconds (within the histogram's 0.1% resolution).
    var maximumSeconds: Double? { count == 0 ? nil : Double(histogram.max) / 1e6 }
}
