import ArgumentParser
import Foundation
import Logging
import Refusals

/// The `coordinator` executable: runs in the control room.
@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Watchpost coordinator: watchlists, evaluation, the edge fabric and the deployment record.",
        subcommands: [
            EvaluateCommand.self, KeysCommand.self, WatchlistCommand.self, ServeCommand.self, NodesCommand.self,
            DeploymentCommand.self, AlertsCommand.self, AuditCommand.self, PurgeCommand.self, ReportCommand.self,
            UsersCommand.self,
        ]
    )

    /// As ArgumentParser's own `main`, but a refusal exits with its kind's code (sysexits.h) and
    /// names its code, so that scripts can tell "not found" from "not now" from "wrong input".
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let refusal as any Refusal {
            FileHandle.standardError.write(Data("Error: \(refusal) [\(refusal.qualifiedCode)]\n".utf8))
            Foundation.exit(refusal.kind.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
