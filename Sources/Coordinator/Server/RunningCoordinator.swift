import Foundation
import Shared

/// How the record commands reach a running `coordinator serve`: it writes its process id to
/// `coordinator.pid` in the state folder; a command that changed what nodes should hold (a
/// deployment started or ended) sends it SIGHUP, and it reloads from the database.
enum RunningCoordinator {
    static let pidFileName = "coordinator.pid"

    static func register(stateDirectory: String) throws -> String {
        let path = stateDirectory + "/" + pidFileName
        try PrivateFile.write(Array("\(getpid())\n".utf8), to: path, mode: .replaceAtomically)
        return path
    }

    /// Tells the running coordinator to reload; a sentence saying what happened.
    static func notify(stateDirectory: String) -> String {
        let path = stateDirectory + "/" + pidFileName
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
            command.contains("coordinator"),
            kill(pid, SIGHUP) == 0
        else {
            return "no running coordinator serve found for \(stateDirectory): the nodes hear of it when it starts"
        }
        return "coordinator serve (pid \(pid)) told to reload: the nodes hear of it now"
    }
}
