import FaceTemplates
import Foundation
import Shared

/// The human-readable form of an evaluation report.
public enum EvaluationTable {
    public static func render(_ r: EvaluationReport) -> String {
        func pct(_ v: Double) -> String { String(format: "%.4f", v) }
        func ci(_ v: [Double]) -> String { String(format: "[%.4f, %.4f]", v[0], v[1]) }
        var lines = [
            "dataset: \(r.dataset)   scoring: \(r.scoring)" + (r.cohort.map { "   cohort: \($0)" } ?? ""),
            "enrolled identities: \(r.identitiesEnrolled)   mated searches: \(r.mated)   non-mated searches: \(r.nonMated)",
            "detection failures: \(r.detectionFailures.total) (enrolment \(r.detectionFailures.enrolment), mated \(r.detectionFailures.mated), non-mated \(r.detectionFailures.nonMated); rate \(String(format: "%.2f%%", r.detectionFailures.rate * 100)))",
            "",
            "threshold   TPIR    TPIR 95% CI          FPIR    FPIR 95% CI",
        ]
        for p in r.thresholds + (r.fixedThreshold.map { [$0] } ?? []) {
            lines.append(
                String(format: "%9.3f", p.threshold)
                    + "   \(pct(p.tpir))  \(ci(p.tpirInterval))  \(pct(p.fpir))  \(ci(p.fpirInterval))")
        }
        lines.append("")
        for op in r.operatingPoints {
            lines.append(
                "at FPIR <= \(op.fpir): threshold \(String(format: "%.4f", op.threshold)), TPIR \(pct(op.tpir)) \(ci(op.tpirInterval)) (measured FPIR \(pct(op.measuredFPIR)))"
            )
        }
        lines += [
            "", "by watchlist size (random lists; identities left off add non-mated searches):",
            "size  draws   mated  non-mated  thr@FPIR1e-2  TPIR    thr@FPIR1e-3  TPIR    at threshold: TPIR [95% CI], FPIR [95% CI]",
        ]
        for s in r.listSizes {
            let ops = s.operatingPoints.map { String(format: "%12.4f  %.4f", $0.threshold, $0.tpir) }.joined(
                separator: "  ")
            let at =
                s.atThreshold.map {
                    String(format: "%.3f: ", $0.threshold)
                        + "\(pct($0.tpir)) \(ci($0.tpirInterval)), \(pct($0.fpir)) \(ci($0.fpirInterval))"
                } ?? ""
            lines.append(
                String(format: "%4d  %5d  %6d  %9d  ", s.size, s.draws, s.mated, s.nonMated) + ops + "    " + at)
        }
        for (spread, why) in [
            (r.falseMatchSpread, "fixed or recommended threshold"), (r.spreadAtFPIR, "FPIR 1e-2 of the whole list"),
        ] {
            guard let spread else { continue }
            lines += [
                "",
                String(
                    format:
                        "false matches per entry at %.3f (%@) over all %d entries: %d in all, %d entries with any, median %.1f, mean %.2f, worst/mean %@",
                    spread.threshold, why, spread.entries, spread.falseMatches, spread.entriesWithFalseMatches,
                    spread.median,
                    spread.mean, spread.worstToMean.map { String(format: "%.1f", $0) } ?? "-"),
                "worst entries: "
                    + spread.worst.prefix(5).map { "\($0.subject) \($0.falseMatches)" }.joined(separator: ", "),
            ]
        }
        if let g = r.groups {
            lines += [
                "", "by group (probe identity):",
                "group        mated  non-mated  TPIR    TPIR 95% CI          FPIR    FPIR 95% CI",
            ]
            for row in g.groups {
                lines.append(
                    row.group.padding(toLength: 12, withPad: " ", startingAt: 0)
                        + String(format: " %5d  %9d  ", row.mated, row.nonMated)
                        + "\(pct(row.rates.tpir))  \(ci(row.rates.tpirInterval))  \(pct(row.rates.fpir))  \(ci(row.rates.fpirInterval))"
                )
            }
            let ratio = { (v: Double?) in v.map { String(format: "%.2f", $0) } ?? "- (a group has none)" }
            lines.append("highest/lowest TPIR: \(ratio(g.tpirRatio)); highest/lowest FPIR: \(ratio(g.fpirRatio))")
        }
        if let t = r.recommendedThreshold {
            lines.append("")
            lines.append(
                "recommended threshold (FPIR <= 1e-3 for a \(r.recommendedFor)-person watchlist): \(String(format: "%.3f", t))"
            )
        }
        return lines.joined(separator: "\n")
    }
}
