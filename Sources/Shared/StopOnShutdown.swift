import ServiceLifecycle

/// A service that waits for the group's graceful shutdown and then runs `stop`, for components
/// that run on threads of their own (socket loops, capture).
public struct StopOnShutdown: Service {
    private let stop: @Sendable () -> Void

    public init(_ stop: @escaping @Sendable () -> Void) { self.stop = stop }

    public func run() async throws {
        try? await gracefulShutdown()
        stop()
    }
}
