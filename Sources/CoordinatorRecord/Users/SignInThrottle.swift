import Foundation

/// How many failed sign-ins one client address, and one name, may have in a sliding window before
/// further attempts are refused at once (HTTP 429) without a password being hashed. A value with
/// the time passed in: `SignInDesk` carries out what it decides.
///
/// Names are counted whether or not they exist, so the limit tells nothing about which do. The
/// tables are bounded: past `maxTracked` keys the oldest are forgotten first.
public struct SignInThrottle: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Failures from one address (a control room's operators share few addresses: generous).
        public var perAddress: Int
        /// Failures for one name (the account locks at 5 anyway; this bounds unknown names).
        public var perName: Int
        public var window: TimeInterval

        public init(perAddress: Int = 20, perName: Int = 10, window: TimeInterval = 300) {
            self.perAddress = perAddress
            self.perName = perName
            self.window = window
        }
    }

    public enum Decision: Equatable, Sendable {
        case allow
        /// Refused; the client may try again after this many seconds.
        case refuse(retryAfter: Int, because: Reason)
    }

    public enum Reason: String, Sendable {
        case address = "too many failures from this address", name = "too many failures for this name"
    }

    public static let maxTracked = 10_000

    public let limits: Limits
    private var byAddress: [String: [Date]] = [:]
    private var byName: [String: [Date]] = [:]

    public init(limits: Limits = Limits()) { self.limits = limits }

    public func check(address: String, name: String, now: Date) -> Decision {
        if let retry = Self.retryAfter(byAddress[address], limit: limits.perAddress, window: limits.window, now: now) {
            return .refuse(retryAfter: retry, because: .address)
        }
        if let retry = Self.retryAfter(
            byName[Self.nameKey(name)], limit: limits.perName, window: limits.window, now: now)
        {
            return .refuse(retryAfter: retry, because: .name)
        }
        return .allow
    }

    public mutating func recordFailure(address: String, name: String, now: Date) {
        Self.record(now, for: address, in: &byAddress, window: limits.window)
        Self.record(now, for: Self.nameKey(name), in: &byName, window: limits.window)
    }

    /// Keys currently tracked (addresses and names), for tests of the bound.
    public var trackedKeys: Int { byAddress.count + byName.count }

    private static func retryAfter(_ failures: [Date]?, limit: Int, window: TimeInterval, now: Date) -> Int? {
        let recent = (failures ?? []).filter { now.timeIntervalSince($0) < window }
        guard recent.count >= limit, let oldest = recent.first else { return nil }
        return max(1, Int((oldest + window).timeIntervalSince(now).rounded(.up)))
    }

    private static func record(_ now: Date, for key: String, in table: inout [String: [Date]], window: TimeInterval) {
        var times = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
        times.append(now)
        table[key] = times
        guard table.count > maxTracked else { return }
        table = table.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
        while table.count > maxTracked,
            let oldest = table.min(by: { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) })
        {
            table[oldest.key] = nil
        }
    }

    /// A long name is tracked by its digest, so that keys stay small.
    private static func nameKey(_ name: String) -> String { name.utf8.count <= 64 ? name : sha256Hex(Array(name.utf8)) }
}
