import Foundation

/// Creates a database file readable by its owner only before SQLite opens it: it holds alert
/// crops. SQLite gives its -wal and -shm files the same permissions.
public func preparePrivateDatabaseFile(_ path: String) throws {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let fd = open(path, O_WRONLY | O_CREAT, 0o600)
    guard fd >= 0 else { throw CommandFailure("cannot create database \(path): \(String(cString: strerror(errno)))") }
    fchmod(fd, 0o600)
    close(fd)
}
