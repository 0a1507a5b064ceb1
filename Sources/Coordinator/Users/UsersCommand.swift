import ArgumentParser
import CoordinatorRecord
import Foundation
import Shared

/// `coordinator users`: bootstrap and manage the control room's users. Passwords are read from
/// standard input (one line), never from the command line, where other users could see them.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, re-password, re-role, disable and list control-room users (each change audited).",
        subcommands: [Add.self, Passwd.self, ChangeRole.self, Disable.self, List.self])

    static let roles = Role.allCases.map { $0.rawValue.replacingOccurrences(of: " ", with: "-") }.joined(
        separator: ", ")

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user; the password is read from standard input.")
        @OptionGroup var change: UserChange
        @Option(help: "Role: \(UsersCommand.roles).") var role: String

        func run() throws {
            try change.store().add(
                change.name, role: try parseRole(role), password: try readPassword(), by: change.actor, at: Date())
            print("user \(change.name) added as \(role)")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "passwd", abstract: "Set a user's password (read from standard input); their sessions end.")
        @OptionGroup var change: UserChange

        func run() throws {
            try change.store().setPassword(change.name, password: try readPassword(), by: change.actor, at: Date())
            print("password of \(change.name) changed")
        }
    }

    struct ChangeRole: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "role", abstract: "Change a user's role; their sessions end.")
        @OptionGroup var change: UserChange
        @Option(help: "Role: \(UsersCommand.roles).") var role: String

        func run() throws {
            try change.store().setRole(change.name, role: try parseRole(role), by: change.actor, at: Date())
            print("\(change.name) is now \(role)")
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user: their sessions end at once.")
        @OptionGroup var change: UserChange

        func run() throws {
            try change.store().disable(change.name, by: change.actor, at: Date())
            print("user \(change.name) disabled")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users with their role and state.")
        @OptionGroup var record: RecordOptions

        func run() throws {
            let (file, database) = try record.open()
            for u in try userStore(file, database).list() {
                print(
                    "\(u.name)\t\(u.role.rawValue)\t\(u.disabled ? "disabled" : (u.lockedUntil.map { $0 > Date() ? "locked until \(isoTime($0))" : "active" } ?? "active"))"
                )
            }
        }
    }
}

/// What every change to a user names: the record, who makes the change, and whose account.
struct UserChange: ParsableArguments {
    @OptionGroup var record: RecordOptions
    @OptionGroup var who: ActorOption
    @Option(help: "User name.") var name: String

    var actor: String { who.actor }

    func store() throws -> UserStore {
        let (file, database) = try record.open()
        return userStore(file, database)
    }
}

private func userStore(_ file: CoordinatorConfigFile, _ database: CoordinatorDatabase) -> UserStore {
    UserStore(database: database, bcryptCost: file.web?.bcryptCost ?? 12)
}

private func parseRole(_ text: String) throws -> Role {
    guard let role = Role(rawValue: text.replacingOccurrences(of: "-", with: " ")) else {
        throw ValidationError("role \(text) is not one of \(UsersCommand.roles)")
    }
    return role
}

private func readPassword() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw CommandFailure("no password on standard input: pipe it in, e.g. from a password manager")
    }
    return line
}
