import Foundation

/// The one way Watchpost writes a file that holds a secret or biometric data (keys, templates,
/// bundles, crops, feature caches, databases, the anti-rollback floor): created with 0600 from its
/// first byte (no window in which the umask leaves it readable), in a 0700 folder it creates.
public enum PrivateFile {
    /// How an existing file at the path is treated.
    public enum Mode: Sendable {
        /// Refuse if the file exists (keys are never overwritten).
        case createNew
        /// Write a temporary file, flush it to disk and rename it over the old one, so that a
        /// crash leaves either the old or the new content, never half of one.
        case replaceAtomically
    }

    /// Writes `bytes` to `path` readable by its owner only. `permissions` is 0600 but for the one
    /// file meant to be handed around: a public key (0644) written beside its private key.
    public static func write(_ bytes: [UInt8], to path: String, mode: Mode, permissions: mode_t = 0o600) throws {
        try makeFolder(of: path)
        switch mode {
        case .createNew:
            try writeWhole(bytes, to: path, flags: O_EXCL, permissions: permissions)
        case .replaceAtomically:
            let temporary = path + ".tmp-\(getpid())"
            do {
                try writeWhole(bytes, to: temporary, flags: O_TRUNC, permissions: permissions, sync: true)
                guard rename(temporary, path) == 0 else {
                    throw PrivateFileError(path: path, reason: "cannot be replaced: \(lastError())")
                }
            } catch {
                unlink(temporary)
                throw error
            }
            // The rename itself is durable only once the folder is flushed.
            let folder = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY)
            if folder >= 0 {
                fsync(folder)
                close(folder)
            }
        }
    }

    /// Creates an empty private file if none is there (SQLite then opens it, and gives its -wal and
    /// -shm files the same permissions); an existing file is tightened to 0600.
    public static func createIfMissing(_ path: String) throws {
        try makeFolder(of: path)
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        guard fd >= 0 else { throw PrivateFileError(path: path, reason: "cannot be created: \(lastError())") }
        fchmod(fd, 0o600)
        close(fd)
    }

    private static func makeFolder(of path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PrivateFileError(path: path, reason: "its folder cannot be created: check the path and permissions")
        }
    }

    private static func writeWhole(
        _ bytes: [UInt8], to path: String, flags: Int32, permissions: mode_t, sync: Bool = false
    ) throws {
        let fd = open(path, O_WRONLY | O_CREAT | flags, 0o600)
        guard fd >= 0 else {
            throw PrivateFileError(
                path: path,
                reason: errno == EEXIST
                    ? "already exists and is never overwritten" : "cannot be written: \(lastError())")
        }
        defer { close(fd) }
        fchmod(fd, permissions)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                throw PrivateFileError(path: path, reason: "could not be written in full: \(lastError())")
            }
            offset += n
        }
        if sync, fsync(fd) != 0 {
            throw PrivateFileError(path: path, reason: "could not be flushed to disk: \(lastError())")
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// A private file that could not be written: the path and why.
public struct PrivateFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public var description: String { "\(path) \(reason)" }
}
