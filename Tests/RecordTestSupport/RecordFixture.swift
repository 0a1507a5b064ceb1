import CoordinatorRecord
import Crypto
import FaceTemplates
import Foundation
import GRDB
import Shared
import TestSupport
import XCTest

/// A coordinator database in a temporary folder with two enrolled nodes, and helpers to make
/// signed bundles, plans and alerts with the library (no processes: the record's own rules).
public struct RecordFixture {
    public static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    public let folder: String
    public let database: CoordinatorDatabase
    public let signer = Curve25519.Signing.PrivateKey()
    public let node1 = EnrolledNode(nodeID: "node1", cameraID: "cam-1", publicKey: "KEY1")
    public let node2 = EnrolledNode(nodeID: "node2", cameraID: "cam-2", publicKey: "KEY2")

    public init(_ test: XCTestCase) throws {
        folder = try Fixtures.temporaryFolder(test)
        database = try CoordinatorDatabase(stateDirectory: folder)
        try NodeRegistry.sync([node1, node2], in: database, actor: "config", at: Self.t0)
    }

    /// - Parameter fusedWithCentroids: a list said to be fused, with a cohort of two centroids of this many people.
    public func signedBundle(
        deployment: String, subjects: [String], version: UInt64 = 1, signed: Bool = true,
        fusedWithCentroids: Int? = nil
    ) throws -> [UInt8] {
        var bundle = WatchlistBundle(
            deploymentID: deployment, watchlistID: "wl-\(deployment)", version: version, issuedAt: Self.t0,
            notBefore: Self.t0 - 3600,
            expiresAt: Self.t0 + 30 * 86_400, embeddingModel: MatchingRule.recommended.embeddingModel, threshold: 0.9,
            rule: .recommended,
            entries: subjects.map {
                WatchlistEntry(
                    subject: $0, templates: [Embedding([Float](repeating: 0.08, count: 128))],
                    faceNetTemplates: [FaceNetEmbedding([Float](repeating: 0.04, count: 512))])
            })
        if let people = fusedWithCentroids {
            bundle.enrolment = .fused
            bundle.peoplePerCohortTemplate = people
            bundle.cohort = Array(
                repeating: FaceFeatures(
                    dlib: Embedding([Float](repeating: 0.08, count: 128)),
                    faceNet: FaceNetEmbedding([Float](repeating: 0.04, count: 512))), count: 2)
        }
        let unsigned = SignedBundle(payload: bundle.payloadBytes())
        return (signed ? try unsigned.signed(with: signer) : unsigned).fileBytes()
    }

    public func plan(
        _ id: String, subjects: [String] = ["s-1", "s-2"], minors: Set<String> = [], nodes: [String] = ["node1"],
        bundleFor: String? = nil, fpir: Double = 0.001, fusedWithCentroids: Int? = nil, names: [String: String] = [:],
        warnings: [String: String] = [:]
    ) throws -> DeploymentPlan {
        DeploymentPlan(
            id: id,
            details: DeploymentPlanning.Details(
                placeName: "Oxford Circus <north exit>", latitude: 51.5154, longitude: -0.1419,
                windowStart: Self.t0, windowEnd: Self.t0 + 8 * 3600, purpose: "locate people wanted on warrant",
                legalBasis: "common law policing powers", nodes: nodes),
            bundle: try signedBundle(
                deployment: bundleFor ?? id, subjects: subjects, fusedWithCentroids: fusedWithCentroids),
            subjects: subjects.map {
                ListedSubject(
                    subjectID: $0, displayName: names[$0], category: "wanted", reason: "warrant", warning: warnings[$0],
                    legalBasis: "warrant",
                    imageSource: "custody photo", under18: minors.contains($0),
                    referencePhoto: [0xFF, 0xD8, 0xFF, 1, 2, 3])
            },
            expected: ExpectedPerformance(
                tpir: 0.9, tpirInterval: [0.85, 0.94], fpir: fpir, fpirInterval: [fpir / 2, fpir * 2],
                evaluatedListSize: 10, report: "r.json"))
    }

    /// A deployment created, authorised and started at t0.
    public func liveDeployment(_ id: String, nodes: [String] = ["node1"]) throws {
        try DeploymentStore.create(try plan(id, nodes: nodes), by: "intel", in: database, at: Self.t0)
        try DeploymentStore.authorise(id, officer: "Supt Ames", in: database, at: Self.t0 + 60)
        try DeploymentStore.start(id, by: "op", in: database, at: Self.t0 + 120)
    }

    public func alert(_ deployment: String, node: EnrolledNode? = nil, capturedAt: Date = t0, crop: [UInt8]? = nil)
        -> WireMessage.AlertMessage
    {
        let node = node ?? node1
        return WireMessage.AlertMessage(
            alertID: UUID(), nodeID: node.nodeID, cameraID: node.cameraID, deploymentID: deployment,
            watchlistVersion: 1,
            subject: "s-1", score: 0.7, distance: 0.4, capturedAt: capturedAt, track: 1, quality: [30, 200],
            cropJPEG: crop ?? [0xFF, 0xD8] + (0..<2000).map { _ in UInt8.random(in: 0...255) })
    }

    public var auditCount: Int {
        get throws { try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM audit") ?? 0 } }
    }

    public func auditActions() throws -> [String] { try AuditLog.entries(in: database, limit: 100_000).map(\.action) }

    /// Raw SQL, as someone with the file and sqlite3 would run it (the append-only triggers dropped first).
    public func tamper(_ sql: String) throws {
        let queue = try DatabaseQueue(path: database.path)
        try queue.write { db in
            try db.execute(
                sql: "DROP TRIGGER IF EXISTS audit_append_only_update; DROP TRIGGER IF EXISTS audit_append_only_delete")
            try db.execute(sql: sql)
        }
    }
}
