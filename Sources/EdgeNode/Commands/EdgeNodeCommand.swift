import ArgumentParser
import Logging

/// The `edge-node` executable: runs on a camera box.
@main
struct EdgeNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-node",
        abstract: "Watchpost edge node: live facial recognition on a camera box.",
        discussion: "Alerts go to standard output as JSON lines; logs go to standard error.",
        subcommands: [EnrolCommand.self, RunCommand.self, ServeCommand.self, KeysCommand.self]
    )
}

/// Logs go to standard error so that standard output carries only alerts.
func bootstrapLogging(verbose: Bool) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = verbose ? .debug : .info
        return handler
    }
    return Logger(label: "watchpost.edge-node")
}
