import CoordinatorRecord
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Runs the retention policy on `coordinator serve`'s schedule: at start, then every
/// `retention.check_interval_s`, until graceful shutdown.
struct RetentionService: Service {
    let database: CoordinatorDatabase
    let policy: RetentionPolicy
    let logger: Logger
    /// The time every run is recorded at.
    var clock = WallClock.system

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let result = try Retention.purge(policy, in: database, at: clock.now(), actor: "retention")
                if result != PurgeResult() {
                    logger.info(
                        "retention run",
                        metadata: [
                            "alerts_purged": "\(result.alertsPurged)",
                            "rejected_alerts_purged": "\(result.rejectedAlertsPurged)",
                            "kept_for_cases": "\(result.keptForCases)",
                            "bundles_destroyed": "\(result.bundlesDestroyed.joined(separator: ","))",
                        ])
                }
            } catch {
                logger.error("retention run failed; retried at the next interval", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(policy.checkInterval)) }
        }
    }
}
