import Foundation

/// Ending a live deployment, wherever it is ended from (`coordinator deployment end`, the control
/// room's *End*, its planned window closing in `coordinator serve`): the record's transition, a
/// signed checkpoint of the audit log that covers it, and the nodes told to wipe the list. One
/// type, so that the three ways cannot drift apart.
public struct DeploymentEnding: Sendable {
    /// What became of the checkpoint after an end.
    public enum Checkpoint: Sendable, Equatable {
        case written(path: String)
        /// This process cannot sign (the key is `coordinator serve`'s credential); serve signs the next one.
        case notWritten(reason: String)
    }

    /// One ended deployment and what followed.
    public struct Ended: Sendable {
        public let id: String
        public let checkpoint: Checkpoint
        /// What telling the nodes did, in a sentence.
        public let nodes: String
    }

    public let database: CoordinatorDatabase
    public let checkpoints: AuditCheckpointWriter
    /// Tells the nodes: `serve` reloads its assignments, a command signals a running serve. Returns a sentence.
    public let tellNodes: @Sendable () -> String

    public init(
        database: CoordinatorDatabase, checkpoints: AuditCheckpointWriter, tellNodes: @escaping @Sendable () -> String
    ) {
        self.database = database
        self.checkpoints = checkpoints
        self.tellNodes = tellNodes
    }

    /// Ends `id` as `actor`; throws `DeploymentTransitionError` when it is not live.
    public func end(_ id: String, by actor: String, at now: Date) throws -> Ended {
        try DeploymentStore.end(id, by: actor, in: database, at: now)
        let checkpoint = try checkpoint(actor: actor, reason: "deployment \(id) ended", at: now)
        return Ended(id: id, checkpoint: checkpoint, nodes: tellNodes())
    }

    /// Ends every live deployment whose planned window has closed; the nodes are told once.
    public func endPastWindows(at now: Date, actor: String) throws -> [Ended] {
        let ids = try DeploymentStore.endPastWindow(in: database, at: now, actor: actor)
        guard !ids.isEmpty else { return [] }
        let written = try ids.map {
            try checkpoint(actor: actor, reason: "deployment \($0) ended: planned window closed", at: now)
        }
        let nodes = tellNodes()
        return zip(ids, written).map { Ended(id: $0, checkpoint: $1, nodes: nodes) }
    }

    private func checkpoint(actor: String, reason: String, at now: Date) throws -> Checkpoint {
        do {
            return .written(path: try checkpoints.checkpoint(database, actor: actor, reason: reason, at: now).path)
        } catch let unavailable as AuditKeyUnavailable {
            return .notWritten(reason: "\(unavailable)")
        }
    }
}
