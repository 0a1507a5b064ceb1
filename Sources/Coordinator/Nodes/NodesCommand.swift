import ArgumentParser
import CoordinatorRecord
import Foundation

/// `coordinator nodes`: the enrolled nodes and their last reported health.
struct NodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "List the nodes on the record (enrolment is in the config's nodes.enrolled; SIGHUP applies it).",
        subcommands: [List.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each node: camera, enrolment, last heartbeat, fps, list held, last refusal.")

        @OptionGroup var record: RecordOptions

        func run() throws {
            let (_, database) = try record.open()
            for n in try NodeRegistry.statuses(in: database) {
                print(
                    "\(n.node.nodeID)\tcamera \(n.node.cameraID)\t\(n.revoked ? "REVOKED" : "enrolled")\tlast heartbeat \(isoTime(n.lastHeartbeat))"
                        + "\tfps \(n.framesPerSecond.map { String(format: "%.1f", $0) } ?? "-")\tlist v\(n.watchlistVersion.map(String.init) ?? "-")"
                        + "\tfaces \(n.facesTotal)\(n.lastRefusal.map { "\tlast refusal: \($0)" } ?? "")")
            }
        }
    }
}
