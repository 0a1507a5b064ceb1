import Foundation
import GRDB
import Shared

/// A node the coordinator admits: its CURVE public key is its identity, and it is recorded with
/// the node id and camera it may speak for. What a node claims in its messages is checked against this.
public struct EnrolledNode: Sendable, Equatable, Hashable {
    public var nodeID: String
    public var cameraID: String
    public var publicKey: String

    public init(nodeID: String, cameraID: String, publicKey: String) {
        self.nodeID = nodeID
        self.cameraID = cameraID
        self.publicKey = publicKey
    }
}

/// A node's health as last reported, for `coordinator nodes list` and the control room.
public struct NodeStatus: Sendable, Equatable {
    public var node: EnrolledNode
    public var revoked: Bool
    public var lastHeartbeat: Date?
    public var framesPerSecond: Double?
    public var watchlistVersion: UInt64?
    public var facesTotal: UInt64
    public var framesDropped: UInt64
    /// Quality rejections by reason since the node started.
    public var qualityRejections: [String: UInt64]
    public var lastRefusal: String?

    public init(
        node: EnrolledNode, revoked: Bool, lastHeartbeat: Date?, framesPerSecond: Double?, watchlistVersion: UInt64?,
        facesTotal: UInt64, framesDropped: UInt64, qualityRejections: [String: UInt64], lastRefusal: String?
    ) {
        self.node = node
        self.revoked = revoked
        self.lastHeartbeat = lastHeartbeat
        self.framesPerSecond = framesPerSecond
        self.watchlistVersion = watchlistVersion
        self.facesTotal = facesTotal
        self.framesDropped = framesDropped
        self.qualityRejections = qualityRejections
        self.lastRefusal = lastRefusal
    }

    /// A plain flag for the supervisor: what is wrong with this camera, if anything. Rejections are
    /// counted per face per frame, faces once per pass: a reason counts when it rejected more face
    /// images than the node tracked faces (at least 10) and is at least a third of all rejections.
    public var health: String {
        var problems: [String] = []
        let total = qualityRejections.values.reduce(0, +)
        for (reason, words) in [
            ("underexposed", "too dark"), ("too_small", "faces too small"), ("blurred", "too blurred"),
            ("overexposed", "too bright"), ("turned_away", "faces turned away"),
        ] {
            let count = qualityRejections[reason] ?? 0
            if count > max(facesTotal, 10), count * 3 >= total { problems.append(words) }
        }
        if let fps = framesPerSecond, fps < 5 { problems.append("dropping frames") }
        return problems.isEmpty ? "ok" : "degraded: " + problems.joined(separator: ", ")
    }
}

/// The enrolled nodes in the database and the health counts they report. Enrolment comes from the
/// coordinator config (`nodes.enrolled`); each sync records and audits what changed.
public enum NodeRegistry {
    /// Makes the database's enrolled nodes those of the config: new ones enrolled, missing ones
    /// revoked, a node whose key or camera changed re-enrolled; each change audited.
    public static func sync(_ nodes: [EnrolledNode], in database: CoordinatorDatabase, actor: String, at time: Date)
        throws
    {
        let ms = milliseconds(time)
        try database.change { db, audit in
            let current = try enrolled(db)
            let wanted = Dictionary(uniqueKeysWithValues: nodes.map { ($0.nodeID, $0) })
            for old in current.values where wanted[old.nodeID] != old {
                try NodeRecord.filter(key: old.nodeID).updateAll(db, NodeRecord.Columns.revokedAtMs.set(to: ms))
                try audit.append(
                    AuditEvent(
                        actor: actor, action: .nodeRevoked, target: old.nodeID,
                        detail: ["public_key": old.publicKey, "camera": old.cameraID]), at: time)
            }
            for node in nodes.sorted(by: { $0.nodeID < $1.nodeID }) where current[node.nodeID] != node {
                // A re-enrolled node keeps its last figures; key, camera and enrolment are the config's.
                var record = try NodeRecord.fetchOne(db, key: node.nodeID) ?? NodeRecord(node, enrolledAtMs: ms)
                (record.publicKey, record.cameraID, record.enrolledAtMs, record.revokedAtMs) =
                    (node.publicKey, node.cameraID, ms, nil)
                try record.save(db)
                try audit.append(
                    AuditEvent(
                        actor: actor, action: .nodeEnrolled, target: node.nodeID,
                        detail: ["public_key": node.publicKey, "camera": node.cameraID]), at: time)
            }
        }
    }

    static func enrolled(_ db: Database) throws -> [String: EnrolledNode] {
        let records = try NodeRecord.filter(NodeRecord.Columns.revokedAtMs == nil).fetchAll(db)
        return Dictionary(uniqueKeysWithValues: records.map { ($0.nodeID, $0.node) })
    }

    public static func enrolled(in database: CoordinatorDatabase) throws -> [EnrolledNode] {
        try database.read { try enrolled($0).values.sorted { $0.nodeID < $1.nodeID } }
    }

    /// Stores a heartbeat's figures and adds what the node counted since its last one to the
    /// deployment it serves, so that a deployment's faces seen is a stored figure. The node's
    /// totals restart at zero when it restarts; a total lower than the last is taken as new.
    public static func recordHeartbeat(
        _ beat: WireMessage.Heartbeat, from nodeID: String, deploymentID: String?,
        in database: CoordinatorDatabase, at time: Date
    ) throws {
        try database.pool.write { db in
            guard var record = try NodeRecord.fetchOne(db, key: nodeID) else { return }
            let oldFaces = UInt64(record.facesTotal), oldDropped = UInt64(record.droppedTotal)
            let oldRejections = try record.rejections()
            func increment(_ new: UInt64, _ old: UInt64) -> UInt64 { new >= old ? new - old : new }
            record.lastHeartbeatMs = milliseconds(time)
            record.uptimeS = Int64(clamping: beat.uptimeSeconds)
            record.fps = Double(beat.framesPerSecond)
            record.watchlistVersion = Int64(clamping: beat.watchlistVersion)
            record.facesTotal = Int64(clamping: beat.facesSeen)
            record.droppedTotal = Int64(clamping: beat.framesDropped)
            record.rejectionsTotal = encodeCounts(beat.qualityRejections)
            try record.update(db)
            guard let deploymentID else { return }
            let faces = increment(beat.facesSeen, oldFaces), dropped = increment(beat.framesDropped, oldDropped)
            let rejections = beat.qualityRejections.mapValues { $0 }.reduce(into: [String: UInt64]()) { sums, item in
                sums[item.key] = increment(item.value, oldRejections[item.key] ?? 0)
            }
            var counts =
                try NodeDeploymentCountsRow.find(node: nodeID, deployment: deploymentID, db)
                ?? NodeDeploymentCountsRow(nodeID: nodeID, deploymentID: deploymentID)
            counts.facesSeen += Int64(clamping: faces)
            counts.framesDropped += Int64(clamping: dropped)
            counts.qualityRejections = encodeCounts(try counts.rejections().merging(rejections, uniquingKeysWith: +))
            try counts.save(db)
        }
    }

    /// Notes the last watchlist refusal a node reported, for its status.
    public static func recordRefusal(_ reason: String?, from nodeID: String, in database: CoordinatorDatabase) throws {
        try database.pool.write { db in
            try NodeRecord.filter(key: nodeID).updateAll(db, NodeRecord.Columns.lastRefusal.set(to: reason))
        }
    }

    public static func statuses(in database: CoordinatorDatabase) throws -> [NodeStatus] {
        try database.read { db in
            try NodeRecord.order(NodeRecord.Columns.nodeID).fetchAll(db).map { try $0.status() }
        }
    }

    static func encodeCounts(_ counts: [String: UInt64]) -> String {
        AuditEntry.detailJSON(counts.mapValues { String($0) })
    }

    /// Counts by reason as `encodeCounts` stores them; anything else is a damaged row, not zero
    /// counts (which would quietly restart a deployment's totals).
    static func decodeCounts(_ text: String, table: String, column: String, node: String) throws -> [String: UInt64] {
        let damaged = DamagedRow(table: table, column: column, key: node, value: text)
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] else {
            throw damaged
        }
        let counts = object.compactMapValues { UInt64($0) }
        guard counts.count == object.count else { throw damaged }
        return counts
    }
}

func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }
