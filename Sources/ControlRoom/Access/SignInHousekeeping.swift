import CoordinatorRecord
import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Every few seconds, has the sign-in desk write the summaries of ended refusal bursts and delete
/// expired sessions; at a graceful stop, writes the open bursts' summaries so none is lost.
struct SignInHousekeeping: Service {
    static let interval: Duration = .seconds(5)
    let desk: SignInDesk
    let logger: Logger
    let clock: WallClock

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do { try await desk.housekeeping(at: clock.now()) } catch {
                logger.error("sign-in housekeeping failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
        }
        do { try await desk.flush(at: clock.now()) } catch {
            logger.error("sign-in refusal summaries not written", metadata: ["error": "\(error)"])
        }
    }
}
