import Foundation
import GRDB

/// A row of the `node` table: an enrolled (or revoked) node and its last heartbeat's figures.
struct NodeRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "node"

    var nodeID: String
    var publicKey: String
    var cameraID: String
    var enrolledAtMs: Int64
    var revokedAtMs: Int64?
    var lastHeartbeatMs: Int64?
    var uptimeS: Int64?
    var fps: Double?
    var watchlistVersion: Int64?
    /// The node's own running totals as last reported, to turn them into per-deployment increments.
    var facesTotal: Int64 = 0
    var droppedTotal: Int64 = 0
    /// Quality rejections by reason, as JSON (`NodeRegistry.encodeCounts`).
    var rejectionsTotal = "{}"
    var lastRefusal: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case nodeID = "node_id"
        case publicKey = "public_key"
        case cameraID = "camera_id"
        case enrolledAtMs = "enrolled_at_ms"
        case revokedAtMs = "revoked_at_ms"
        case lastHeartbeatMs = "last_heartbeat_ms"
        case uptimeS = "uptime_s"
        case fps
        case watchlistVersion = "watchlist_version"
        case facesTotal = "faces_total"
        case droppedTotal = "dropped_total"
        case rejectionsTotal = "rejections_total"
        case lastRefusal = "last_refusal"
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    /// A node the config enrols now: its figures start empty, as a new node's do.
    init(_ node: EnrolledNode, enrolledAtMs: Int64) {
        nodeID = node.nodeID
        publicKey = node.publicKey
        cameraID = node.cameraID
        self.enrolledAtMs = enrolledAtMs
    }

    var node: EnrolledNode { EnrolledNode(nodeID: nodeID, cameraID: cameraID, publicKey: publicKey) }

    /// The quality rejections last reported, by reason.
    func rejections() throws -> [String: UInt64] {
        try NodeRegistry.decodeCounts(
            rejectionsTotal, table: Self.databaseTableName, column: CodingKeys.rejectionsTotal.rawValue, node: nodeID)
    }

    func status() throws -> NodeStatus {
        NodeStatus(
            node: node, revoked: revokedAtMs != nil, lastHeartbeat: lastHeartbeatMs.map(date(milliseconds:)),
            framesPerSecond: fps, watchlistVersion: watchlistVersion.map { UInt64($0) },
            facesTotal: UInt64(facesTotal), framesDropped: UInt64(droppedTotal),
            qualityRejections: try rejections(), lastRefusal: lastRefusal)
    }
}

/// A row of `node_deployment_counts`: what a node counted while it served a deployment, summed
/// from the increments between its heartbeats.
struct NodeDeploymentCountsRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "node_deployment_counts"

    var nodeID: String
    var deploymentID: String
    var facesSeen: Int64 = 0
    var framesDropped: Int64 = 0
    /// Quality rejections by reason, as JSON (`NodeRegistry.encodeCounts`).
    var qualityRejections = "{}"

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case nodeID = "node_id"
        case deploymentID = "deployment_id"
        case facesSeen = "faces_seen"
        case framesDropped = "frames_dropped"
        case qualityRejections = "quality_rejections"
    }
    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    init(nodeID: String, deploymentID: String) {
        self.nodeID = nodeID
        self.deploymentID = deploymentID
    }

    /// The quality rejections counted so far, by reason.
    func rejections() throws -> [String: UInt64] {
        try NodeRegistry.decodeCounts(
            qualityRejections, table: Self.databaseTableName, column: CodingKeys.qualityRejections.rawValue,
            node: nodeID)
    }

    /// One node's counts for one deployment, if it has counted any.
    static func find(node: String, deployment: String, _ db: Database) throws -> NodeDeploymentCountsRow? {
        try filter(Columns.nodeID == node && Columns.deploymentID == deployment).fetchOne(db)
    }
}
