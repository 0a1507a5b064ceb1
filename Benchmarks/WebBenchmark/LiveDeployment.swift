import CoordinatorRecord
import FaceTemplates
import Foundation
import Shared

/// A deployment on the record, live now on node-0, with a field officer on its team: made through
/// the record's own use cases in the benchmark's process, against the running coordinator's database.
struct LiveDeployment {
    static let id = "bench-live"
    static let subjects = (0..<10).map { "s-\($0)" }
    static let password = "benchmark password"
    let database: CoordinatorDatabase

    init(stateDirectory: String, signerKey: String, bcryptCost: UInt8) throws {
        database = try CoordinatorDatabase(stateDirectory: stateDirectory)
        let now = Date()
        let bundle = WatchlistBundle(
            deploymentID: Self.id, watchlistID: "w-live", version: 1, issuedAt: now, notBefore: now - 60,
            expiresAt: now + 86_400, embeddingModel: MatchingRule.recommended.embeddingModel, threshold: 0.88,
            rule: .recommended,
            entries: Self.subjects.map {
                WatchlistEntry(
                    subject: $0, templates: [Embedding([Float](repeating: 0.08, count: 128))],
                    faceNetTemplates: [FaceNetEmbedding([Float](repeating: 0.04, count: 512))])
            })
        let signed = try SignedBundle(payload: bundle.payloadBytes()).signed(
            with: try SigningKeyFile.loadPrivate(path: signerKey))
        try DeploymentStore.create(
            DeploymentPlan(
                id: Self.id,
                details: DeploymentPlanning.Details(
                    placeName: "Benchmark Street", latitude: 51.5, longitude: -0.1, windowStart: now - 60,
                    windowEnd: now + 80_000, purpose: "benchmark", legalBasis: "benchmark", nodes: ["node-0"]),
                bundle: signed.fileBytes(),
                subjects: Self.subjects.map {
                    ListedSubject(
                        subjectID: $0, displayName: "Person \($0)", category: "wanted", reason: "warrant",
                        warning: nil, legalBasis: "warrant", imageSource: "custody photo", under18: false,
                        referencePhoto: [0xFF, 0xD8, 0xFF, 1, 2, 3])
                },
                expected: ExpectedPerformance(
                    tpir: 0.9, tpirInterval: [0.85, 0.94], fpir: 0.001, fpirInterval: [0.0005, 0.002],
                    evaluatedListSize: 10, report: "benchmark")), by: "benchmark", in: database, at: now)
        try DeploymentStore.authorise(Self.id, officer: "benchmark", in: database, at: now)
        try DeploymentStore.start(Self.id, by: "benchmark", in: database, at: now)
        let users = UserStore(database: database, bcryptCost: bcryptCost)
        try users.add("bench-operator", role: .operator_, password: Self.password, by: "benchmark", at: now)
        try users.add("bench-field", role: .fieldOfficer, password: Self.password, by: "benchmark", at: now)
        try FieldTeam.assign("bench-field", to: Self.id, by: "benchmark", in: database, at: now)
    }
}
