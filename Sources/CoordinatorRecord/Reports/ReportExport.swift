import Foundation

/// Writes a report in one format and records the export in the audit log.
public enum ReportExport {
    public static func export(
        _ report: TransparencyReport, as format: ReportFormat, to path: String?, by actor: String,
        in database: CoordinatorDatabase, at now: Date
    ) throws -> String {
        let text = try report.rendered(as: format)
        try database.change { _, audit in
            try audit.append(
                AuditEvent(
                    actor: actor, action: .reportExported, target: report.title,
                    detail: [
                        "format": format.rawValue, "deployments": "\(report.deployments.count)",
                        "alerts": "\(report.totals.alerts)",
                        "destination": path ?? "standard output",
                    ]), at: now)
        }
        if let path { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) }
        return text
    }
}
