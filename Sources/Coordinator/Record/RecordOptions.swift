import ArgumentParser
import CoordinatorRecord
import Foundation
import Shared

/// The options every record command takes: the coordinator config (for its state folder).
struct RecordOptions: ParsableArguments {
    @Option(help: "Coordinator config (the one coordinator serve runs with); its server.state_dir holds the database.")
    var config: String

    func open() throws -> (file: CoordinatorConfigFile, database: CoordinatorDatabase) {
        let file = try CoordinatorConfigFile(path: config)
        return (file, try file.openDatabase())
    }
}

/// Who is acting: recorded with every change in the audit log. (The web UI, with its logins, names the user itself.)
struct ActorOption: ParsableArguments {
    @Option(name: .customLong("as"), help: "Your name or collar number, recorded in the audit log with what you do.")
    var actor: String

    func validate() throws {
        guard !actor.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--as must name who is acting")
        }
    }
}

/// An ISO 8601 time given on the command line.
func parseTime(_ text: String, _ option: String) throws -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else {
        throw ValidationError("\(option) \(text) is not an ISO 8601 time such as 2026-12-01T08:00:00Z")
    }
    return date
}

func isoTime(_ date: Date?) -> String { date.map { ISO8601DateFormatter().string(from: $0) } ?? "-" }
