import Foundation
import Shared

/// The highest watchlist version this node has accepted, per deployment, kept on disk so that a
/// restart does not reopen the door to an older signed bundle (promise 2, anti-rollback).
/// Holds version numbers only, no templates. Written 0600 and replaced atomically: after a crash
/// it holds the old floor or the new one, never a torn file.
struct VersionFloorFile {
    let path: String

    /// The recorded floors; empty when the file does not exist yet (a new node).
    /// A file that exists but cannot be read is an error: starting without it would allow a rollback.
    func load() throws -> [String: UInt64] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path),
            let floors = try? JSONDecoder().decode([String: UInt64].self, from: data)
        else {
            throw CommandFailure(
                "watchlist version floor \(path) is unreadable or corrupt: the node will not start without it, "
                    + "as an older watchlist could then be replayed. Restore it from backup; delete it only if this node is being re-provisioned"
            )
        }
        return floors
    }

    /// Records `version` for `deployment`, keeping every other deployment's floor.
    func record(_ version: UInt64, for deployment: String) throws {
        var floors = try load()
        floors[deployment] = max(floors[deployment] ?? 0, version)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try PrivateFile.write(Array(try encoder.encode(floors)), to: path, mode: .replaceAtomically)
    }
}
