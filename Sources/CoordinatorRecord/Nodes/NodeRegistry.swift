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
                try db.execute(sql: "UPDATE node SET revoked_at_ms = ? WHERE node_id = ?", arguments: [ms, old.nodeID])
                try audit.append(
                    AuditEvent(
                        actor: actor, action: .nodeRevoked, target: old.nodeID,
                        detail: ["public_key": old.publicKey, "camera": old.cameraID]), at: time)
            }
            for node in nodes.sorted(by: { $0.nodeID < $1.nodeID }) where current[node.nodeID] != node {
                try db.execute(
                    sql: """
                        INSERT INTO node (node_id, public_key, camera_id, enrolled_at_ms) VALUES (?, ?, ?, ?)
                        ON CONFLICT(node_id) DO UPDATE SET public_key = excluded.public_key, camera_id = excluded.camera_id,
                            enrolled_at_ms = excluded.enrolled_at_ms, revoked_at_ms = NULL
                        """, arguments: [node.nodeID, node.publicKey, node.cameraID, ms])
                try audit.append(
                    AuditEvent(
                        actor: actor, action: .nodeEnrolled, target: node.nodeID,
                        detail: ["public_key": node.publicKey, "camera": node.cameraID]), at: time)
            }
        }
    }

    static func enrolled(_ db: Database) throws -> [String: EnrolledNode] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT node_id, camera_id, public_key FROM node WHERE revoked_at_ms IS NULL")
        return Dictionary(
            uniqueKeysWithValues: rows.map { row in
                (
                    row["node_id"],
                    EnrolledNode(nodeID: row["node_id"], cameraID: row["camera_id"], publicKey: row["public_key"])
                )
            })
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
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT faces_total, dropped_total, rejections_total FROM node WHERE node_id = ?",
                    arguments: [nodeID])
            else { return }
            let oldFaces = UInt64(row["faces_total"] as Int64), oldDropped = UInt64(row["dropped_total"] as Int64)
            let oldRejections = decodeCounts(row["rejections_total"])
            func increment(_ new: UInt64, _ old: UInt64) -> UInt64 { new >= old ? new - old : new }
            try db.execute(
                sql: """
                    UPDATE node SET last_heartbeat_ms = ?, uptime_s = ?, fps = ?, watchlist_version = ?,
                    faces_total = ?,
                        dropped_total = ?, rejections_total = ? WHERE node_id = ?
                    """,
                arguments: [
                    milliseconds(time), Int64(clamping: beat.uptimeSeconds), Double(beat.framesPerSecond),
                    Int64(clamping: beat.watchlistVersion), Int64(clamping: beat.facesSeen),
                    Int64(clamping: beat.framesDropped), encodeCounts(beat.qualityRejections), nodeID,
                ])
            guard let deploymentID else { return }
            let faces = increment(beat.facesSeen, oldFaces), dropped = increment(beat.framesDropped, oldDropped)
            let rejections = beat.qualityRejections.mapValues { $0 }.reduce(into: [String: UInt64]()) { sums, item in
                sums[item.key] = increment(item.value, oldRejections[item.key] ?? 0)
            }
            let stored = try String.fetchOne(
                db,
                sql: "SELECT quality_rejections FROM node_deployment_counts WHERE node_id = ? AND deployment_id = ?",
                arguments: [nodeID, deploymentID])
            let total = decodeCounts(stored).merging(rejections, uniquingKeysWith: +)
            try db.execute(
                sql: """
                    INSERT INTO node_deployment_counts (node_id, deployment_id, faces_seen, frames_dropped,
                    quality_rejections)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(node_id, deployment_id) DO UPDATE SET faces_seen = faces_seen + excluded.faces_seen,
                        frames_dropped = frames_dropped + excluded.frames_dropped, quality_rejections = excluded.quality_rejections
                    """,
                arguments: [
                    nodeID, deploymentID, Int64(clamping: faces), Int64(clamping: dropped), encodeCounts(total),
                ])
        }
    }

    /// Notes the last watchlist refusal a node reported, for its status.
    public static func recordRefusal(_ reason: String?, from nodeID: String, in database: CoordinatorDatabase) throws {
        try database.pool.write { db in
            try db.execute(sql: "UPDATE node SET last_refusal = ? WHERE node_id = ?", arguments: [reason, nodeID])
        }
    }

    public static func statuses(in database: CoordinatorDatabase) throws -> [NodeStatus] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM node ORDER BY node_id").map { row in
                NodeStatus(
                    node: EnrolledNode(
                        nodeID: row["node_id"], cameraID: row["camera_id"], publicKey: row["public_key"]),
                    revoked: (row["revoked_at_ms"] as Int64?) != nil,
                    lastHeartbeat: (row["last_heartbeat_ms"] as Int64?).map(date(milliseconds:)),
                    framesPerSecond: row["fps"],
                    watchlistVersion: (row["watchlist_version"] as Int64?).map { UInt64($0) },
                    facesTotal: UInt64(row["faces_total"] as Int64),
                    framesDropped: UInt64(row["dropped_total"] as Int64),
                    qualityRejections: decodeCounts(row["rejections_total"]), lastRefusal: row["last_refusal"])
            }
        }
    }

    static func encodeCounts(_ counts: [String: UInt64]) -> String {
        AuditEntry.detailJSON(counts.mapValues { String($0) })
    }

    static func decodeCounts(_ text: String?) -> [String: UInt64] {
        guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        else { return [:] }
        return object.compactMapValues { UInt64($0) }
    }
}

func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }
