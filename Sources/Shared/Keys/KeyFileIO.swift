import Foundation

/// File handling shared by every kind of key file: new files only (keys are never overwritten),
/// private files readable by their owner only, and a header line naming the kind of key.
public enum KeyFileIO {
    public static func writeNew(_ path: String, _ text: String, mode: mode_t) throws {
        do { try PrivateFile.write(Array(text.utf8), to: path, mode: .createNew, permissions: mode) } catch let error
            as PrivateFileError
        {
            throw KeyFileError(
                path: path,
                reason: error.reason.hasPrefix("already exists")
                    ? "already exists: keys are never overwritten" : error.reason)
        }
    }

    /// Refuses a file that group or others can read or write.
    public static func requireOwnerOnly(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw KeyFileError(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw KeyFileError(
                path: path,
                reason: "has permissions \(String(mode, radix: 8)); a private key must be 600: run chmod 600 \(path)")
        }
    }

    /// The `count` lines after the header line.
    public static func lines(of path: String, header: String, count: Int) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyFileError(path: path, reason: "cannot be read")
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.count == count + 1, lines[0] == header else {
            throw KeyFileError(path: path, reason: "is not a \(header) file")
        }
        return Array(lines.dropFirst())
    }
}
