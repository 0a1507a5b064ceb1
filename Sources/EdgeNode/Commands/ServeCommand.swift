import ArgumentParser
import CommandLineOptions
import FaceEngine
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// `edge-node serve`: the node as a long-running service connected to the coordinator.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Connect to the coordinator, receive the signed watchlist, run the camera and send alerts and heartbeats.")

    @Option(help: "Edge config (JSON) with node, watchlist and pipeline sections; see config/README.md.")
    var config: String

    @OptionGroup var models: ModelOptions

    func run() async throws {
        let logger = bootstrapLogging(verbose: false)
        switch MemoryLock.apply() {
        case .locked: logger.info("memory locked: face data cannot be swapped to disk")
        case .unlockedWithoutSwap(let why): logger.warning("memory not locked", metadata: ["reason": "\(why)"])
        case .refuse(let why): throw CommandFailure(why)
        }
        let file = try EdgeConfigFile.load(path: config)
        guard let node = file.node else {
            throw CommandFailure("config \(config) has no node section: edge-node serve needs one")
        }
        guard let policy = file.bundlePolicy else {
            throw CommandFailure("config \(config) has no watchlist section: a node must know which signers it trusts")
        }
        let outbox = try AlertOutbox(path: node.stateDirectory + "/outbox.sqlite")
        let holder = try WatchlistHolder(
            floorFile: VersionFloorFile(path: node.stateDirectory + "/watchlist-floor.json"),
            deploymentID: policy.deploymentID)
        let health = HealthCounters()
        let pipeline = try RecognitionPipeline(
            models: ModelStore.locate(explicit: models.directory), matcher: nil,
            settings: file.pipeline, threshold: 0, logger: logger)
        let link = try EdgeLink(
            settings: .init(
                nodeID: node.id, coordinator: node.coordinator, coordinatorKey: node.coordinatorKey,
                keys: node.keys, heartbeatInterval: node.heartbeatInterval,
                deploymentID: policy.deploymentID),
            policy: policy, outbox: outbox, holder: holder,
            witness: try AuditWitness(stateDirectory: node.stateDirectory), health: health, logger: logger)
        let pending = try outbox.count
        logger.info("node started", metadata: ["node": "\(node.id)", "pending_alerts": "\(pending)"])
        let service = ServeService(
            node: node, pipeline: pipeline, holder: holder, outbox: outbox, health: health,
            deploymentID: policy.deploymentID, logger: logger)
        // A group stops its services in reverse order: the pipeline wipes the list and its tracks
        // first, and the link, which may still be acknowledging alerts, stops last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: link), .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if let port = node.metricsPort {
            let started = Date()
            services.append(
                .init(
                    service: EdgeMetricsServer.make(
                        port: port, metrics: EdgeMetrics(),
                        snapshot: {
                            health.metrics(
                                uptime: Date().timeIntervalSince(started), watchlistVersion: holder.heldVersion,
                                pendingAlerts: try outbox.count)
                        }, logger: logger)))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
