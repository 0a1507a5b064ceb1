import Foundation

/// The time of day as the record writes it, injected so that the shells around the record (the
/// control room's routes, services) can be run at a chosen time in tests. `system` in service.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) { self.read = read }

    public func now() -> Date { read() }

    public static let system = WallClock { Date() }
}
