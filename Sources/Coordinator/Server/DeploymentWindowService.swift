import CoordinatorRecord
import Foundation
import Logging
import ServiceLifecycle

/// Ends each live deployment when its planned window closes (`DeploymentStore.endPastWindow`),
/// as `deployment end` would: the audit log is checkpointed and the server reloads the record, so
/// that the deployment's nodes are told to wipe the list. Without it a deployment nobody ended
/// stayed live, its nodes matching faces, for as long as its bundle was valid.
struct DeploymentWindowService: Service {
    let database: CoordinatorDatabase
    let checkpoints: AuditCheckpointWriter
    /// Reloads the server's assignments from the record.
    let deploymentsChanged: @Sendable () -> Void
    let logger: Logger
    /// Wakes at the next window's close, and at least this often to see deployments started since
    /// (the record commands start them from other processes).
    var recheck: Duration = .seconds(5)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var wait = recheck
            do {
                let now = Date()
                let ended = try DeploymentStore.endPastWindow(in: database, at: now, actor: "coordinator")
                for id in ended {
                    logger.notice("deployment ended: its planned window closed", metadata: ["deployment": "\(id)"])
                    try checkpoints.checkpoint(database, actor: "coordinator", reason: "deployment \(id) ended: planned window closed", at: now)
                }
                if !ended.isEmpty { deploymentsChanged() }
                if let close = try DeploymentStore.nextWindowClose(in: database) {
                    wait = min(wait, .milliseconds(max(10, Int64(close.timeIntervalSinceNow * 1000))))
                }
            } catch {
                logger.error("deployment window check failed; retried shortly", metadata: ["error": "\(error)"])
            }
            let sleep = wait
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: sleep) }
        }
    }
}
