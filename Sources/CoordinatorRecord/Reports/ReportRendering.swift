import Foundation

/// The formats a transparency report is published in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case json, csv, html
}

extension TransparencyReport {
    public func rendered(as format: ReportFormat) throws -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        case .csv: return csv()
        case .html: return html()
        }
    }

    static let csvColumns = [
        "deployment", "place", "latitude", "longitude", "window_start", "window_end", "state", "list_size",
        "enrolment", "cohort", "threshold",
        "faces_seen", "alerts", "operator_confirmed", "operator_rejected", "operator_unsure", "verified_by_engagement",
        "not_the_person", "not_engaged", "lost_in_crowd", "false_alerts", "expected_false_alerts",
        "expected_range_low", "expected_range_high", "observed_exceeds_expected", "operator_precision",
        "field_precision", "false_alerts_per_1000_faces", "review_median_s", "review_p90_s", "outcome_median_s",
        "outcome_p90_s",
    ]

    private func csv() -> String {
        func row(
            _ id: String, _ place: String, _ lat: String, _ lon: String, _ start: String, _ end: String,
            _ state: String,
            _ size: String, _ enrolment: String, _ cohort: String, _ threshold: String, _ f: Figures
        ) -> String {
            ([id, place, lat, lon, start, end, state, size, enrolment, cohort, threshold]
                + [
                    f.facesSeen, f.alerts, f.operatorConfirmed, f.operatorRejected,
                    f.operatorUnsure, f.verifiedByEngagement, f.notThePerson, f.notEngaged, f.lostInCrowd,
                    f.falseAlerts,
                ].map(String.init)
                + [
                    String(format: "%.2f", f.expectedFalseAlerts), "\(f.expectedFalseAlertRange[0])",
                    "\(f.expectedFalseAlertRange[1])",
                    "\(f.observedExceedsExpected)", optional(f.operatorPrecision), optional(f.fieldPrecision),
                    optional(f.falseAlertsPerThousandFaces), optional(f.timeToReview?.medianSeconds),
                    optional(f.timeToReview?.p90Seconds), optional(f.timeToOutcome?.medianSeconds),
                    optional(f.timeToOutcome?.p90Seconds),
                ])
                .map(csvField).joined(separator: ",")
        }
        var lines = [Self.csvColumns.joined(separator: ",")]
        for d in deployments {
            lines.append(
                row(
                    d.id, d.place, "\(d.latitude)", "\(d.longitude)", iso(d.windowStart), iso(d.windowEnd), d.state,
                    "\(d.listSize)",
                    d.enrolment ?? "", d.cohort ?? "", String(format: "%.3f", d.threshold), d.figures))
        }
        lines.append(row("TOTAL", "", "", "", "", "", "", "", "", "", "", totals))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as a page of its own, to publish.
    private func html() -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) &middot; Watchpost transparency report</title>
        <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}</style></head><body>
        \(htmlFragment())
        </body></html>

        """
    }

    /// The report's content, to stand inside another page (the control room's): its styles apply
    /// within `.report` only, and every value from the record is escaped.
    public func htmlFragment() -> String {
        let t = totals
        let verdict =
            t.observedExceedsExpected
            ? "<p class=\"flag\">Observed false alerts (\(t.falseAlerts)) EXCEED what the evaluation predicts (\(String(format: "%.1f", t.expectedFalseAlerts)), 95% range \(t.expectedFalseAlertRange[0])&ndash;\(t.expectedFalseAlertRange[1])).</p>"
            : "<p class=\"ok\">Observed false alerts (\(t.falseAlerts)) are within what the evaluation predicts (\(String(format: "%.1f", t.expectedFalseAlerts)), 95% range \(t.expectedFalseAlertRange[0])&ndash;\(t.expectedFalseAlertRange[1])).</p>"
        var rows = ""
        for d in deployments {
            let f = d.figures
            rows +=
                "<tr\(f.observedExceedsExpected ? " class=\"flag\"" : "")><td>\(escape(d.id))</td><td>\(escape(d.place))<br><small>\(d.latitude), \(d.longitude)</small></td>"
                + "<td>\(iso(d.windowStart))<br>\(iso(d.windowEnd))</td><td>\(d.listSize)\(listMakeup(d))</td><td>\(String(format: "%.3f", d.threshold))</td>"
                + "<td>\(f.facesSeen)</td><td>\(f.alerts)</td><td>\(f.operatorConfirmed)</td><td>\(f.verifiedByEngagement)</td>"
                + "<td>\(f.falseAlerts)</td><td>\(String(format: "%.1f", f.expectedFalseAlerts)) (\(f.expectedFalseAlertRange[0])&ndash;\(f.expectedFalseAlertRange[1]))</td>"
                + "<td>\(f.notEngaged)</td><td>\(percent(f.operatorPrecision))</td><td>\(percent(f.fieldPrecision))</td>"
                + "<td>\(optional(f.falseAlertsPerThousandFaces))</td></tr>\n"
        }
        let outcomes: [(String, Int)] = [
            ("operator: match", t.operatorConfirmed), ("operator: no match", t.operatorRejected),
            ("operator: unsure", t.operatorUnsure), ("identity verified", t.verifiedByEngagement),
            ("not the person", t.notThePerson), ("not engaged", t.notEngaged), ("lost in crowd", t.lostInCrowd),
        ]
        let actions = t.actions.sorted { $0.key < $1.key }.map { "<li>\(escape($0.key)): \($0.value)</li>" }.joined()
        return """
            <div class="report"><style>
            .report table{border-collapse:collapse;font-size:.9em}
            .report td,.report th{border:1px solid #ccc;padding:.3em .5em;text-align:right}
            .report td:first-child,.report td:nth-child(2),.report th{text-align:left}
            .report .flag{color:#a00;font-weight:bold}.report .ok{color:#060;font-weight:bold}.report tr.flag td{background:#fee}
            .report svg{max-width:100%;height:auto}
            </style>
            <h1>\(escape(title))</h1>
            <h2>Expected against observed false alerts</h2>
            \(verdict)
            \(expectedChart())
            <p>Expected: faces seen &times; the false-positive identification rate (FPIR) the evaluation report gives for each list's size and threshold;
            the range combines the FPIR's 95% interval with the chance spread of a count (Poisson). Observed: alerts the operator reviewed as
            <em>no match</em> or the field found <em>not the person</em>.</p>
            <h2>Summary</h2>
            <p>\(deployments.count) deployment(s); \(t.facesSeen) faces seen; \(t.alerts) alerts; \(t.operatorConfirmed) confirmed by the operator;
            \(t.verifiedByEngagement) verified by engagement; \(t.falseAlerts) false alerts (\(optional(t.falseAlertsPerThousandFaces)) per 1,000 faces);
            \(t.notEngaged) not engaged. Precision as the operator saw it: \(percent(t.operatorPrecision)); verified in the field: \(percent(t.fieldPrecision)).</p>
            <h2>Time to decision</h2>
            <p>From the frame's capture to the operator's review: \(timeToDecision(t.timeToReview)).
            To the field outcome: \(timeToDecision(t.timeToOutcome)).</p>
            <h2>Outcomes</h2>
            \(barChart(outcomes))
            <ul>\(actions)</ul>
            \(equalitySection())
            <h2>Deployments</h2>
            <table><tr><th>Deployment</th><th>Place</th><th>Window</th><th>List size and how it was made</th>
            <th>Threshold</th><th>Faces seen</th><th>Alerts</th>
            <th>Operator confirmed</th><th>Verified</th><th>False alerts</th><th>Expected (95% range)</th>
            <th>Not engaged</th>
            <th>Operator precision</th><th>Field precision</th><th>False per 1,000 faces</th></tr>
            \(rows)</table>
            <p><small>Generated \(iso(generatedAt)) by coordinator report from the deployment record.</small></p>
            </div>
            """
    }

    /// Stops by recorded group, with intervals and the flag, in words as well as colour.
    private func equalitySection() -> String {
        let e = equality
        let verdict =
            e.anyFlagged
            ? "<p class=\"flag\">Flag: a group's share of false alerts is outside what its share of stops predicts (rows marked <em>outside</em>).</p>"
            : "<p class=\"ok\">No group's share of false alerts is outside what its share of stops predicts.</p>"
        func table(_ caption: String, _ groups: [EqualityFigures.Group], unrecorded: Int) -> String {
            guard !groups.isEmpty else { return "<p>\(escape(caption)): no stop recorded a group.</p>" }
            let range = { (v: [Double]) in String(format: "%.1f&ndash;%.1f%%", v[0] * 100, v[1] * 100) }
            let rows = groups.map { g in
                "<tr\(g.flagged ? " class=\"flag\"" : "")><td>\(escape(g.group))</td><td>\(g.stops)</td>"
                    + "<td>\(g.operatorConfirmed)</td><td>\(g.verified)</td><td>\(g.falseAlerts)</td>"
                    + "<td>\(percent(g.falseRate)) (\(range(g.falseRateInterval)))</td><td>\(percent(g.shareOfStops))</td>"
                    + "<td>\(percent(g.shareOfFalseAlerts)) (\(range(g.shareOfFalseAlertsInterval)))</td>"
                    + "<td>\(g.evaluatedFPIR.map { String(format: "%.5f (%.5f&ndash;%.5f)", $0[0], $0[1], $0[2]) } ?? "")</td>"
                    + "<td>\(g.flagged ? "outside" : "within")</td></tr>"
            }.joined(separator: "\n")
            return """
                <table><caption>\(escape(caption))</caption><tr><th>Group</th><th>Stops</th><th>Operator confirmed</th>
                <th>Verified</th><th>False alerts</th><th>False per stop (95%)</th><th>Share of stops</th>
                <th>Share of false alerts (95%)</th><th>FPIR in evaluation (95%)</th><th>Against share of stops</th></tr>
                \(rows)</table><p><small>\(unrecorded) stop(s) without this recorded.</small></p>
                """
        }
        return """
            <h2>Equality: stops by recorded group</h2>
            \(verdict)
            \(table("By sex, as stated at the stop", e.bySex, unrecorded: e.stopsWithoutSex))
            \(table("By self-defined ethnicity (broad group)", e.byEthnicity, unrecorded: e.stopsWithoutEthnicity))
            <p>A group is recorded only when somebody is stopped (identity verified or not the person), and only if the person
            gives it. Intervals are exact binomial (Clopper-Pearson) 95% intervals. A row is <em>outside</em> when the group's
            share of stops lies outside the 95% interval of its share of false alerts. FPIR in evaluation: the evaluation's rate
            for probes of that group at the deployment's threshold, where the evaluation was made with groups.</p>
            """
    }

    /// Horizontal bars: observed false alerts beside the expected range, per deployment and in total.
    private func expectedChart() -> String {
        let items = deployments.map { ($0.id, $0.figures) } + [("total", totals)]
        let scale = Double(max(1, items.map { max($0.1.falseAlerts, $0.1.expectedFalseAlertRange[1]) }.max() ?? 1))
        let width = 480.0, rowHeight = 34.0, left = 140.0
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(left + width + 280)) \(Int(Double(items.count) * rowHeight + 10))\" width=\"\(Int(left + width + 280))\" role=\"img\" aria-label=\"expected against observed false alerts\">"
        for (i, (name, f)) in items.enumerated() {
            let y = Double(i) * rowHeight + 5
            let low = left + Double(f.expectedFalseAlertRange[0]) / scale * width,
                high = left + Double(f.expectedFalseAlertRange[1]) / scale * width
            let observed = Double(f.falseAlerts) / scale * width
            svg += "<text x=\"0\" y=\"\(y + 18)\" font-size=\"12\">\(escape(name))</text>"
            svg +=
                "<rect x=\"\(low)\" y=\"\(y)\" width=\"\(max(2, high - low))\" height=\"12\" fill=\"#bcd\"><title>expected range</title></rect>"
            svg +=
                "<rect x=\"\(left)\" y=\"\(y + 14)\" width=\"\(max(1, observed))\" height=\"12\" fill=\"\(f.observedExceedsExpected ? "#c33" : "#396")\"><title>observed</title></rect>"
            svg +=
                "<text x=\"\(left + max(observed, high - left) + 6)\" y=\"\(y + 24)\" font-size=\"11\">\(f.falseAlerts) observed / \(f.expectedFalseAlertRange[0])&ndash;\(f.expectedFalseAlertRange[1]) expected</text>"
        }
        return svg + "</svg>"
    }

    private func barChart(_ bars: [(String, Int)]) -> String {
        let scale = Double(max(1, bars.map(\.1).max() ?? 1)), width = 400.0, left = 150.0
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(left + width + 50))\" height=\"\(bars.count * 22 + 4)\" role=\"img\" aria-label=\"outcomes\">"
        for (i, (label, count)) in bars.enumerated() {
            let y = i * 22 + 2
            svg += "<text x=\"0\" y=\"\(y + 14)\" font-size=\"12\">\(escape(label))</text>"
            svg +=
                "<rect x=\"\(left)\" y=\"\(y + 2)\" width=\"\(max(1, Double(count) / scale * width))\" height=\"16\" fill=\"#68a\"/>"
            svg +=
                "<text x=\"\(left + Double(count) / scale * width + 6)\" y=\"\(y + 14)\" font-size=\"12\">\(count)</text>"
        }
        return svg + "</svg>"
    }
}

/// Escapes text for HTML element content and attribute values.
public func escape(_ text: String) -> String {
    var out = ""
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}

/// How a deployment's list was made, under its size in the HTML report.
private func listMakeup(_ d: TransparencyReport.DeploymentSection) -> String {
    "<br><small>\(escape(d.enrolment ?? "enrolment not recorded"))<br>cohort: \(escape(d.cohort ?? "not recorded"))</small>"
}

private func optional(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "" }
private func timeToDecision(_ t: TimeToDecision?) -> String {
    guard let t else { return "no decisions yet" }
    return String(format: "median %.1f s, 90th percentile %.1f s", t.medianSeconds, t.p90Seconds)
        + " (\(t.decisions) decision\(t.decisions == 1 ? "" : "s"))"
}
private func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a" }

/// A CSV field, quoted when it holds a comma, quote or line break; a leading =, +, - or @ is
/// prefixed with ' so that a spreadsheet does not run it as a formula.
func csvField(_ text: String) -> String {
    var t = text
    if let first = t.first, "=+-@".contains(first), Double(t) == nil { t = "'" + t }
    guard t.contains(where: { ",\"\n\r".contains($0) }) else { return t }
    return "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
