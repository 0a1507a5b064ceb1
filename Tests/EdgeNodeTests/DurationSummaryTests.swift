import XCTest

@testable import EdgeNode

final class DurationSummaryTests: XCTestCase {
    func testPercentilesAndMaximum_withinTheResolution() {
        var summary = DurationSummary()
        XCTAssertNil(summary.milliseconds(atFraction: 0.5))
        XCTAssertNil(summary.maximumSeconds)
        for ms in 1...100 { summary.record(milliseconds: Double(ms)) }
        XCTAssertEqual(summary.count, 100)
        XCTAssertEqual(summary.milliseconds(atFraction: 0.5)!, 50, accuracy: 0.05)
        XCTAssertEqual(summary.milliseconds(atFraction: 0.95)!, 95, accuracy: 0.1)
        XCTAssertEqual(summary.maximumSeconds!, 0.1, accuracy: 0.0001)
    }

    /// A node that runs for months records millions of samples; the summary does not grow with them.
    func testMemory_doesNotGrowWithSamples() {
        var summary = DurationSummary()
        summary.record(seconds: 0.01)
        let before = MemoryLayout.size(ofValue: summary) + summary.footprint
        for i in 0..<1_000_000 { summary.record(seconds: Double(i % 5000) / 1000) }
        XCTAssertEqual(MemoryLayout.size(ofValue: summary) + summary.footprint, before)
        XCTAssertEqual(summary.count, 1_000_001)
    }

    func testOutOfRangeValues_areClamped_notDropped() {
        var summary = DurationSummary()
        summary.record(seconds: 0)
        summary.record(seconds: 10_000)
        XCTAssertEqual(summary.count, 2)
        XCTAssertEqual(summary.maximumSeconds!, 3600, accuracy: 4)
    }
}
