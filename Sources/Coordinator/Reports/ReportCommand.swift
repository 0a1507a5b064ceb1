import ArgumentParser
import CoordinatorRecord
import Foundation

/// `coordinator report`: the transparency report of a deployment or a period.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Transparency report (JSON, CSV or a self-contained HTML page) of a deployment or a period; the export is audited."
    )

    @OptionGroup var record: RecordOptions
    @OptionGroup var who: ActorOption
    @Option(help: "The deployment to report on.") var deployment: String?
    @Option(help: "Period start (ISO 8601), with --to: every deployment that went live in it.") var from: String?
    @Option(help: "Period end (ISO 8601, exclusive).") var to: String?
    @Option(help: "json, csv or html.") var format: String = "json"
    @Option(help: "File to write (default: standard output).") var out: String?

    func validate() throws {
        guard (deployment != nil) != (from != nil || to != nil) else {
            throw ValidationError("give --deployment, or --from and --to")
        }
        if deployment == nil, from == nil || to == nil { throw ValidationError("a period needs both --from and --to") }
        guard ReportFormat(rawValue: format) != nil else { throw ValidationError("--format must be json, csv or html") }
    }

    func run() throws {
        let (_, database) = try record.open()
        let now = Date()
        let report =
            if let deployment {
                try TransparencyReport.make(deployment: deployment, in: database, at: now)
            } else {
                try TransparencyReport.make(
                    from: try parseTime(from!, "--from"), to: try parseTime(to!, "--to"), in: database, at: now)
            }
        let text = try ReportExport.export(
            report, as: ReportFormat(rawValue: format)!, to: out, by: who.actor, in: database, at: now)
        if out == nil { print(text, terminator: "") } else { print("report written to \(out!)") }
    }
}
