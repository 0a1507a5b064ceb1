import ArgumentParser
import Logging

/// The `coordinator` executable: runs in the control room.
@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Watchpost coordinator: watchlists, evaluation, the edge fabric and the deployment record.",
        subcommands: [EvaluateCommand.self, KeysCommand.self, WatchlistCommand.self, ServeCommand.self, NodesCommand.self,
                      DeploymentCommand.self, AlertsCommand.self, AuditCommand.self, PurgeCommand.self, ReportCommand.self, UsersCommand.self]
    )
}
