import CoordinatorRecord
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Builds of watchlist drafts, one after another, as a service in the control room's group:
/// the page that asks for a build answers at once and refreshes until the build is recorded
/// (enrolment takes seconds per list). A build that a stop interrupts is failed on the record at
/// the next start (`WatchlistDraftStore.failInterruptedBuilds`).
public final class WatchlistBuildQueue: Service, Sendable {
    /// A build the record has begun (`WatchlistDraftStore.beginBuild`).
    struct Job: Sendable {
        let draftID: String
        let input: WatchlistBuildInput
        let actor: String
    }

    private let jobs: AsyncStream<Job>
    private let submissions: AsyncStream<Job>.Continuation
    private let compiler: any WatchlistCompiling
    private let database: CoordinatorDatabase
    private let logger: Logger
    private let clock: WallClock

    public init(compiler: any WatchlistCompiling, database: CoordinatorDatabase, logger: Logger, clock: WallClock) {
        (jobs, submissions) = AsyncStream.makeStream()
        self.compiler = compiler
        self.database = database
        self.logger = logger
        self.clock = clock
    }

    func submit(_ job: Job) { submissions.yield(job) }

    /// Takes builds until the group shuts down; the build in hand is finished first.
    public func run() async throws {
        for await job in jobs.cancelOnGracefulShutdown() { await build(job) }
    }

    private func build(_ job: Job) async {
        do {
            let outcome = try await compiler.compile(job.input)
            try WatchlistDraftStore.recordBuild(job.draftID, outcome, by: job.actor, in: database, at: clock.now())
        } catch {
            logger.error("watchlist build failed", metadata: ["draft": "\(job.draftID)", "error": "\(error)"])
            do {
                try WatchlistDraftStore.recordBuildFailure(
                    job.draftID, reason: "\(error)", by: job.actor, in: database, at: clock.now())
            } catch {
                // The draft stays "building" until the next start marks it interrupted; say why meanwhile.
                logger.error(
                    "watchlist build failure not recorded", metadata: ["draft": "\(job.draftID)", "error": "\(error)"])
            }
        }
    }
}
