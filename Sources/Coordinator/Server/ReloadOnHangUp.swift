import ServiceLifecycle
import UnixSignals

/// Reloads the configuration and the deployment record on each SIGHUP (the record commands send
/// it after a start or an end), until the group shuts down.
struct ReloadOnHangUp: Service {
    let reload: @Sendable () -> Void

    func run() async throws {
        let hangUps = await UnixSignalsSequence(trapping: .sighup)
        try await cancelWhenGracefulShutdown {
            for await _ in hangUps { reload() }
        }
    }
}
