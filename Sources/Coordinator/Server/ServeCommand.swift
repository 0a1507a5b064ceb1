import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// `coordinator serve`: the ZeroMQ server for a deployment's edge nodes.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve edge nodes: admit enrolled nodes, store alerts, push the signed watchlist.")

    @Option(help: "Coordinator config (JSON; see config/coordinator.example.json). SIGHUP reloads its nodes and watchlist.")
    var config: String

    @Option(help: "Audit and test mode: record every frame nodes send (decrypted) to this file, to check what leaves the edge.")
    var recordFrames: String?

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "watchpost.coordinator")
        var settings = try Self.settings(from: config)
        settings.recordFrames = recordFrames
        let server = try CoordinatorServer(settings: settings, logger: logger)
        // SIGHUP reloads the enrolled nodes and the bundle (enrol, revoke, push) without a restart;
        // a config that does not load is refused and the running one kept.
        signal(SIGHUP, SIG_IGN)
        let reload = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        let path = config
        reload.setEventHandler {
            do {
                let next = try Self.settings(from: path)
                try server.reload(next)
            } catch {
                logger.error("configuration reload refused; the running one is kept", metadata: ["error": "\(error)"])
            }
        }
        reload.resume()
        defer { reload.cancel() }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: StopOnShutdown { server.stop() })],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    static func settings(from path: String) throws -> CoordinatorServer.Settings {
        let r = try ConfigReader(path: path)
        let bind = try r.endpoint("server", "bind") ?? "tcp://127.0.0.1:7700"
        guard let keyPath = try r.string("server", "curve_key") else {
            throw ConfigError(file: path, key: "server.curve_key", reason: "is required: create one with coordinator keys new-curve")
        }
        guard let state = try r.string("server", "state_dir") else {
            throw ConfigError(file: path, key: "server.state_dir", reason: "is required (alerts are stored there)")
        }
        let nodes = try (r.strings("nodes", "enrolled") ?? []).map { entry in
            do { return try CurveKeyFile.loadPublic(pathOrText: entry) } catch {
                throw ConfigError(file: path, key: "nodes.enrolled", reason: "\(error)")
            }
        }
        let bundlePath = try r.string("watchlist", "bundle")
        let ended = try r.string("deployment", "ended")
        try r.rejectUnknownKeys()
        let keys: CurveKeyPair
        do { keys = try CurveKeyFile.load(path: keyPath) } catch { throw ConfigError(file: path, key: "server.curve_key", reason: "\(error)") }
        let bundle = try bundlePath.map { p -> [UInt8] in
            guard let data = FileManager.default.contents(atPath: p) else {
                throw ConfigError(file: path, key: "watchlist.bundle", reason: "\(p) cannot be read")
            }
            return Array(data)
        }
        return CoordinatorServer.Settings(bind: bind, keys: keys, enrolledNodes: Set(nodes), stateDirectory: state, bundle: bundle,
                                          recordFrames: nil, endedDeployment: ended)
    }
}
