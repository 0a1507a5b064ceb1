import CoordinatorRecord
import Foundation
import Logging
import ServiceLifecycle
import Shared
import Synchronization

/// Checkpoints the audit log on a schedule (`audit.checkpoint_minutes`, `audit.checkpoint_entries`),
/// as well as at each deployment end, and hands every checkpoint to the server to send to the
/// edge nodes, which keep it as witnesses. A checkpoint written by another process (`audit
/// checkpoint`, `deployment end`) is sent on as well.
struct AuditCheckpointService: Service {
    let database: CoordinatorDatabase
    let writer: AuditCheckpointWriter
    var schedule: CheckpointSchedule
    /// Sends the newest checkpoint to the connected nodes (and to each that connects later).
    let publish: @Sendable (AuditCheckpoint) -> Void
    /// Set by a reload (a record command's SIGHUP): checkpoint at the next poll if entries were added.
    let nudge: CheckpointNudge
    let logger: Logger
    /// The time every run is recorded at.
    var clock = WallClock.system
    /// How often the log's length is looked at.
    var poll: Duration = .seconds(2)

    func run() async throws {
        var schedule = self.schedule
        var published: AuditCheckpoint?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let now = clock.now()
                if let latest = try writer.latest() {
                    schedule.checkpointed(
                        entries: latest.entries, at: Date(timeIntervalSince1970: TimeInterval(latest.signedAt)))
                }
                let length = try AuditLog.length(in: database)
                let nudged = nudge.take() && schedule.hasNewEntries(logEntries: length)
                if nudged || schedule.isDue(logEntries: length, now: now) {
                    let written = try writer.checkpoint(
                        database, actor: "coordinator", reason: nudged ? "record changed" : "scheduled", at: now)
                    schedule.checkpointed(entries: written.checkpoint.entries, at: now)
                    logger.info("audit log checkpointed", metadata: ["entries": "\(written.checkpoint.entries)"])
                }
                if let latest = try writer.latest(), latest != published {
                    publish(latest)
                    published = latest
                }
            } catch {
                logger.error("audit checkpoint failed; retried shortly", metadata: ["error": "\(error)"])
            }
            let sleep = poll
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: sleep) }
        }
    }
}

/// A flag a reload sets and the checkpoint service takes.
final class CheckpointNudge: Sendable {
    private let flag = Mutex(false)

    func set() { flag.withLock { $0 = true } }

    /// Whether it was set since the last take.
    func take() -> Bool {
        flag.withLock { value in
            defer { value = false }
            return value
        }
    }
}
