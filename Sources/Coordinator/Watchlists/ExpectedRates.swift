import Foundation
import Shared

/// What a threshold means for a watchlist of a given size, read from the latest evaluation report,
/// so that the authorising officer sees the expected TPIR and FPIR (with intervals) before signing.
struct ExpectedRates {
    let reportPath: String
    /// The evaluated list size the figures come from: the smallest at least as large as the list, else the largest.
    let evaluatedSize: Int
    let rates: RatePoint

    init(reportPath: String, threshold: Float, listSize: Int) throws {
        guard let data = FileManager.default.contents(atPath: reportPath) else {
            throw CommandFailure("evaluation report \(reportPath) cannot be read: make one with coordinator evaluate --json")
        }
        let report: EvaluationReport
        do { report = try JSONDecoder().decode(EvaluationReport.self, from: data) } catch {
            throw CommandFailure("evaluation report \(reportPath) is not a coordinator evaluate --json report of this version: \(error)")
        }
        let sizes = report.listSizes.sorted { $0.size < $1.size }
        guard let row = sizes.first(where: { $0.size >= listSize }) ?? sizes.last else {
            throw CommandFailure("evaluation report \(reportPath) has no watchlist-size figures")
        }
        guard let point = row.ratesByThreshold.min(by: { abs($0.threshold - threshold) < abs($1.threshold - threshold) }),
              abs(point.threshold - threshold) < 0.0051 else {
            throw CommandFailure("evaluation report \(reportPath) has no figures near threshold \(threshold) (its grid is 0.30-0.70)")
        }
        self.reportPath = reportPath
        evaluatedSize = row.size
        rates = point
    }

    var summary: String {
        let f = { (v: Double) in String(format: "%.4f", v) }
        return "expected at threshold \(String(format: "%.2f", rates.threshold)) for a list evaluated at \(evaluatedSize) people (\(reportPath)): "
            + "TPIR \(f(rates.tpir)) [\(f(rates.tpirInterval[0])), \(f(rates.tpirInterval[1]))], "
            + "FPIR \(f(rates.fpir)) [\(f(rates.fpirInterval[0])), \(f(rates.fpirInterval[1]))]"
            + (rates.fpir > 1e-3 ? "; FPIR above 1e-3: more than one false alert per thousand passers-by" : "")
    }
}
