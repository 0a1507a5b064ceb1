import CoordinatorRecord
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Ends each live deployment when its planned window closes, through `DeploymentEnding` as
/// `deployment end` and the control room do: the audit log is checkpointed and the server reloads
/// the record, so that the deployment's nodes are told to wipe the list. Without it a deployment nobody ended
/// stayed live, its nodes matching faces, for as long as its bundle was valid.
struct DeploymentWindowService: Service {
    let ending: DeploymentEnding
    let logger: Logger
    /// The time every run is recorded at.
    var clock = WallClock.system
    /// Wakes at the next window's close, and at least this often to see deployments started since
    /// (the record commands start them from other processes).
    var recheck: Duration = .seconds(5)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var wait = recheck
            do {
                let now = clock.now()
                for ended in try ending.endPastWindows(at: now, actor: "coordinator") {
                    logger.notice(
                        "deployment ended: its planned window closed", metadata: ["deployment": "\(ended.id)"])
                    if case .notWritten(let reason) = ended.checkpoint {
                        logger.error(
                            "audit log not checkpointed after a deployment ended",
                            metadata: ["deployment": "\(ended.id)", "reason": "\(reason)"])
                    }
                }
                if let close = try DeploymentStore.nextWindowClose(in: ending.database) {
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
