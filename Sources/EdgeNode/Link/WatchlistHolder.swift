import FaceEngine
import Foundation
import Shared

/// The node's accepted watchlist, in RAM only: installed after verification, wiped on expiry,
/// on an end-deployment or wipe command, and on shutdown. Nothing of its content is ever written
/// to disk, so after a restart the node holds no list and asks the coordinator again; only the
/// highest version accepted is kept (`VersionFloorFile`), so that an older list stays refused.
final class WatchlistHolder: @unchecked Sendable {
    struct Current {
        let version: UInt64
        let matcher: Matcher
        let threshold: Float
        let expiresAt: Date
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var current: Current?
    /// Bumped on every install or wipe, so the pipeline notices a change cheaply.
    private var generation = 0
    /// The highest version ever accepted, across restarts: a wipe or a reboot does not reopen the
    /// door to an older bundle.
    private var highestVersion: UInt64
    private var acceptedThisRun = false
    private let floorFile: VersionFloorFile?
    private let deploymentID: String

    /// - Parameter floorFile: where the version floor survives restarts; nil keeps it in RAM (offline runs, tests).
    init(floorFile: VersionFloorFile? = nil, deploymentID: String = "") throws {
        self.floorFile = floorFile
        self.deploymentID = deploymentID
        highestVersion = try floorFile?.load()[deploymentID] ?? 0
    }

    var heldVersion: UInt64 { lock.withLock { current?.version ?? 0 } }
    var versionFloor: UInt64 { lock.withLock { highestVersion } }

    /// The version at or below which a pushed bundle is refused as a rollback (nil: none yet).
    /// Within a run that is the highest version accepted, even after a wipe. After a restart the
    /// recorded version itself may come again (the same signed list the node ran before the
    /// reboot), but nothing older.
    var refusedAtOrBelow: UInt64? {
        lock.withLock {
            if acceptedThisRun { return highestVersion }
            return highestVersion == 0 ? nil : highestVersion - 1
        }
    }

    /// Installs a verified bundle; throws (holding on to the current list) if its templates do not
    /// suit its rule, or if its version cannot be recorded: a list the node could be rolled back
    /// from after a reboot is not run.
    func install(_ bundle: WatchlistBundle) throws {
        let next = Current(
            version: bundle.version, matcher: try bundle.makeMatcher(), threshold: bundle.threshold,
            expiresAt: bundle.expiresAt)
        if bundle.version > versionFloor { try floorFile?.record(bundle.version, for: bundle.deploymentID) }
        lock.withLock {
            current = next
            highestVersion = max(highestVersion, bundle.version)
            acceptedThisRun = true
            generation += 1
        }
    }

    /// Drops the watchlist (the matcher and its templates are released).
    func wipe() {
        lock.withLock {
            current = nil
            generation += 1
        }
    }

    /// Wipes the watchlist once it has expired; true when it did. Called on every frame and by
    /// the link's timer, so expiry holds even when the camera delivers nothing.
    @discardableResult
    func expireIfDue(now: Date) -> Bool {
        lock.withLock {
            guard let c = current, now >= c.expiresAt else { return false }
            current = nil
            generation += 1
            return true
        }
    }

    /// The watchlist if it changed since `seen`, wiping it first when it has expired.
    func changes(since seen: Int, now: Date) -> (generation: Int, current: Current?)? {
        expireIfDue(now: now)
        return lock.withLock { generation == seen ? nil : (generation, current) }
    }
}
