import ArgumentParser
import CoordinatorRecord
import Foundation

/// `coordinator purge`: run the retention policy now (coordinator serve also runs it on a schedule).
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Apply the retention policy now: purge alerts past their time, destroy ended deployments' lists.")

    @OptionGroup var record: RecordOptions
    @OptionGroup var who: ActorOption

    func run() throws {
        let (file, database) = try record.open()
        let r = try Retention.purge(file.retention, in: database, at: Date(), actor: who.actor)
        print(
            "purged \(r.alertsPurged) alert(s) older than \(file.retention.alertDays) days and \(r.rejectedAlertsPurged) rejected alert(s) older than \(file.retention.rejectedAlertDays) days; "
                + "\(r.keptForCases) kept for cases; lists destroyed: \(r.bundlesDestroyed.isEmpty ? "none" : r.bundlesDestroyed.joined(separator: ", "))"
        )
    }
}
