import ArgumentParser
import ControlRoom
import CoordinatorRecord
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// `coordinator serve`: the ZeroMQ server for the edge nodes, and the keeper of the record.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Serve edge nodes: admit enrolled nodes, store alerts, push each deployment's signed watchlist, run retention."
    )

    @Option(
        help:
            "Coordinator config (JSON; see config/coordinator.example.json). SIGHUP reloads its nodes and the deployment record."
    )
    var config: String

    @Option(
        help:
            "Audit and test mode: record every frame nodes send (decrypted) to this file, to check what leaves the edge."
    )
    var recordFrames: String?

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        // Until ReloadOnHangUp runs, a hang-up is ignored rather than ending the process.
        signal(SIGHUP, SIG_IGN)
        let logger = Logger(label: "watchpost.coordinator")
        let file = try CoordinatorConfigFile(path: config)
        // serve signs the audit checkpoints: a key it cannot use stops it here, named, not at the first checkpoint.
        do { _ = try file.checkpointWriter().signingKey() } catch is AuditKeyUnavailable {
            throw ConfigError(
                file: config, key: "audit.signing_key",
                reason: "the key that signs the audit checkpoints cannot be read by serve: "
                    + "check the unit's LoadCredential=audit-signing.key or audit.signing_key (a second key is never started)"
            )
        } catch {
            throw ConfigError(
                file: config, key: "audit.signing_key",
                reason: "\(error): give a 0600 key made with coordinator keys new-signer")
        }
        var settings = try file.serverSettings()
        settings.recordFrames = recordFrames
        let server = try CoordinatorServer(settings: settings, logger: logger)
        let pidFile = try RunningCoordinator.register(stateDirectory: file.stateDirectory)
        defer { unlink(pidFile) }
        // SIGHUP reloads the enrolled nodes, the standing bundle and the deployments (the record
        // commands send it after a start or an end) without a restart; a config that does not load
        // is refused and the running one kept.
        let path = config
        let nudge = CheckpointNudge()
        let reloadFromFile: @Sendable () -> Void = {
            nudge.set()
            do {
                var next = try CoordinatorConfigFile(path: path).serverSettings()
                next.recordFrames = nil
                try server.reload(next)
            } catch {
                logger.error("configuration reload refused; the running one is kept", metadata: ["error": "\(error)"])
            }
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: server),
            .init(service: ReloadOnHangUp(reload: reloadFromFile)),
            .init(service: RetentionService(database: server.database, policy: file.retention, logger: logger)),
            .init(
                service: DeploymentWindowService(
                    ending: DeploymentEnding(database: server.database, checkpoints: file.checkpointWriter()) {
                        reloadFromFile()
                        return "the coordinator reloaded its assignments"
                    }, logger: logger)),
            .init(
                service: AuditCheckpointService(
                    database: server.database, writer: file.checkpointWriter(), schedule: file.checkpointSchedule,
                    publish: { server.publish($0) }, nudge: nudge, logger: logger)),
        ]
        if let web = file.web {
            try WatchlistDraftStore.failInterruptedBuilds(in: server.database, at: Date())
            services += try ControlRoomServer.make(
                settings: web, database: server.database, feed: server.feed,
                compiler: EnrollingWatchlistCompiler(settings: file.watchlistCompiler), logger: logger,
                deploymentsChanged: reloadFromFile
            ).map { .init(service: $0) }
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
