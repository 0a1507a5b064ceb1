import CoordinatorRecord
import Crypto
import FaceTemplates
import Foundation
import GRDB
import Shared

// The deployment record under load, on this machine (2 cores), each figure the median of several
// runs with a baseline measured in the same process:
//   1. alerts stored with their audit entry, flat out and paced at 2,000/s (baseline: the same
//      inserts into a table without the audit chain);
//   2. `audit verify` over 1,000,000 entries (baseline: reading the same rows without hashing);
//   3. the transparency report of a year: 365 deployments, 100,000 alerts (baseline: one scan of the alerts).
// Usage: swift run -c release RecordBenchmark [work folder]   (default: a temporary folder, removed after)

let folder = CommandLine.arguments.dropFirst().first ?? NSTemporaryDirectory() + "record-benchmark-\(getpid())"
try? FileManager.default.removeItem(atPath: folder)
defer { if CommandLine.arguments.count < 2 { try? FileManager.default.removeItem(atPath: folder) } }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let node = EnrolledNode(nodeID: "node1", cameraID: "cam-1", publicKey: "KEY1")
let crop = [UInt8](repeating: 0xAB, count: 12_000)  // a typical probe crop
func alert(_ deployment: String, at time: Date) -> WireMessage.AlertMessage {
    WireMessage.AlertMessage(
        alertID: UUID(), nodeID: node.nodeID, cameraID: node.cameraID, deploymentID: deployment, watchlistVersion: 1,
        subject: "s-1", score: 0.7, distance: 0.4, capturedAt: time, track: 1, quality: [30, 200, 90, 40, 1, 2, 3],
        cropJPEG: crop)
}

// 1. Alerts with their audit entries.
do {
    let runs = 3, perRun = 4000
    var audited: [Double] = [], plain: [Double] = []
    for run in 0..<runs {
        let database = try CoordinatorDatabase(stateDirectory: "\(folder)/append-\(run)")
        let store = AlertStore(database: database)
        audited.append(
            Double(perRun)
                / (try seconds {
                    for _ in 0..<perRun {
                        try store.store(
                            alert("dep", at: Date()), from: node, receivedAt: Date(), standingDeployment: "dep")
                    }
                }))
        // Baseline: the same row, one transaction per alert, no audit chain.
        let queue = try DatabasePool(path: "\(folder)/append-\(run)/plain.sqlite")
        try queue.write {
            try $0.execute(
                sql:
                    "CREATE TABLE alert (id TEXT PRIMARY KEY, node_id TEXT, subject TEXT, crop BLOB, received_at_ms INTEGER)"
            )
        }
        plain.append(
            Double(perRun)
                / (try seconds {
                    for _ in 0..<perRun {
                        try queue.write {
                            try $0.execute(
                                sql: "INSERT INTO alert VALUES (?, ?, ?, ?, ?)",
                                arguments: [UUID().uuidString, "node1", "s-1", Data(crop), 0])
                        }
                    }
                }))
    }
    // Paced: 2,000 alerts a second for 5 s; how far behind the schedule the last one was stored.
    let paced = try CoordinatorDatabase(stateDirectory: "\(folder)/paced")
    let store = AlertStore(database: paced)
    let start = ContinuousClock.now
    var maxLag = Duration.zero
    for i in 0..<10_000 {
        let due = start + .microseconds(500 * i)
        if ContinuousClock.now < due { try await Task.sleep(until: due, clock: .continuous) }
        try store.store(alert("dep", at: Date()), from: node, receivedAt: Date(), standingDeployment: "dep")
        maxLag = max(maxLag, ContinuousClock.now - due)
    }
    let intact = try AuditVerifier.verify(paced)
    print("alerts stored with their audit entry (median of \(runs) runs of \(perRun), 12 kB crops):")
    print(
        String(
            format: "  %.0f alerts/s with the audit chain, %.0f/s plain inserts; ratio %.2f", median(audited),
            median(plain), median(audited) / median(plain)))
    print(
        "  paced at 2,000/s for 5 s: 10,000 stored, largest lag behind schedule \(maxLag.formatted(.units(allowed: [.milliseconds]))); chain intact: \(intact.isIntact) (\(intact.entries) entries)"
    )
}

// 2. Verifying a million entries.
do {
    let database = try CoordinatorDatabase(stateDirectory: "\(folder)/verify")
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let fill = try seconds {
        try database.change { _, audit in
            for i in 0..<1_000_000 {
                try audit.append(
                    AuditEvent(
                        actor: "node:node\(i % 50)", action: .alertReceived, target: UUID().uuidString,
                        detail: ["deployment": "dep-\(i / 3000)", "score": "0.7123", "subject": "s-\(i % 400)"]),
                    at: t0 + Double(i) / 100)
            }
        }
    }
    let queue = try DatabaseQueue(
        path: database.path,
        configuration: {
            var c = Configuration()
            c.readonly = true
            return c
        }())
    var verify: [Double] = [], scan: [Double] = []
    var result: AuditVerification?
    for _ in 0..<3 {
        verify.append(try seconds { result = try AuditVerifier.verify(database) })
        scan.append(
            try seconds {
                try queue.read { db in
                    let rows = try Row.fetchCursor(
                        db,
                        sql: "SELECT seq, at_ms, actor, action, target, detail, prev_hash, hash FROM audit ORDER BY seq"
                    )
                    var bytes = 0
                    while let row = try rows.next() { bytes += (row["detail"] as String).utf8.count }
                    precondition(bytes > 0)
                }
            })
    }
    print("audit verify over 1,000,000 entries (median of 3; written in \(String(format: "%.1f", fill)) s):")
    print(
        String(
            format: "  %.2f s (target <= 10 s); reading the rows alone %.2f s; ratio %.2f; %@", median(verify),
            median(scan),
            median(verify) / median(scan), result?.description ?? "-"))
}

// 3. A year's report.
do {
    let database = try CoordinatorDatabase(stateDirectory: "\(folder)/year")
    let signer = Curve25519.Signing.PrivateKey()
    let year = Date(timeIntervalSince1970: 1_798_761_600)  // 2027-01-01
    try NodeRegistry.sync([node], in: database, actor: "config", at: year)
    for day in 0..<365 {
        let id = "dep-\(day)"
        let start = year + Double(day) * 86_400 + 9 * 3600
        let bundle = WatchlistBundle(
            deploymentID: id, watchlistID: "wl", version: 1, issuedAt: start, notBefore: start,
            expiresAt: start + 86_400,
            embeddingModel: MatchingRule.recommended.embeddingModel, threshold: 0.9, rule: .recommended,
            entries: (0..<10).map {
                WatchlistEntry(
                    subject: "s-\($0)", templates: [Embedding([Float](repeating: 0.08, count: 128))],
                    faceNetTemplates: [FaceNetEmbedding([Float](repeating: 0.04, count: 512))])
            })
        let plan = DeploymentPlan(
            id: id,
            details: DeploymentPlanning.Details(
                placeName: "Place \(day % 20)", latitude: 51.5, longitude: -0.1, windowStart: start,
                windowEnd: start + 8 * 3600, purpose: "p", legalBasis: "l", nodes: ["node1"]),
            bundle: try SignedBundle(payload: bundle.payloadBytes()).signed(with: signer).fileBytes(),
            subjects: (0..<10).map {
                ListedSubject(
                    subjectID: "s-\($0)", category: "c", reason: "r", legalBasis: "l", imageSource: "i", under18: false)
            },
            expected: ExpectedPerformance(
                tpir: 0.9, tpirInterval: [0.88, 0.92], fpir: 0.001, fpirInterval: [0.0008, 0.0012],
                evaluatedListSize: 10, report: "r.json"))
        try DeploymentStore.create(plan, by: "intel", in: database, at: start - 3600)
        try DeploymentStore.authorise(id, officer: "A", in: database, at: start - 1800)
        try DeploymentStore.start(id, by: "op", in: database, at: start)
        try NodeRegistry.recordHeartbeat(
            .init(
                uptimeSeconds: 1, framesPerSecond: 10, facesSeen: UInt64(200_000 + day), framesDropped: 0,
                watchlistVersion: 1, qualityRejections: ["too_small": 100]),
            from: "node1", deploymentID: id, in: database, at: start + 3600)
        try DeploymentStore.end(id, by: "op", in: database, at: start + 8 * 3600)
    }
    // 100,000 alerts with both stages filled in, seeded in one transaction (the benchmark is of the report, not of seeding).
    let pool = try DatabasePool(path: database.path)
    let reviews = ["match", "no match", "unsure", nil],
        outcomes = ["identity verified", "not the person", "not engaged", "lost in crowd", nil]
    try pool.write { db in
        for i in 0..<100_000 {
            let review = reviews[i % 4], outcome = review == "no match" ? nil : outcomes[i % 5]
            try db.execute(
                sql: """
                    INSERT INTO alert (id, node_id, node_key, camera_id, deployment_id, watchlist_version, subject,
                    score, distance, captured_at_ms,
                        track, quality, crop, received_at_ms, review, review_by, outcome, outcome_action, outcome_by)
                    VALUES (?, 'node1', 'KEY1', 'cam-1', ?, 1, 's-1', 0.7, 0.4, ?, 1, x'', ?, ?, ?, 'op', ?, ?, 'pc')
                    """,
                arguments: [
                    UUID().uuidString, "dep-\(i % 365)", Int64(i), Data(crop.prefix(2000)), Int64(i), review, outcome,
                    outcome == nil ? nil : "no action",
                ])
        }
    }
    var report: [Double] = [], scan: [Double] = [], rendered: [Double] = []
    var made: TransparencyReport?
    for _ in 0..<5 {
        report.append(
            try seconds {
                made = try TransparencyReport.make(from: year, to: year + 365 * 86_400, in: database, at: Date())
            })
        rendered.append(
            try seconds {
                _ = try made!.rendered(as: .html)
                _ = try made!.rendered(as: .csv)
            })
        scan.append(
            try seconds { _ = try pool.read { try Int.fetchOne($0, sql: "SELECT SUM(length(review)) FROM alert") } })
    }
    print("transparency report of a year (365 deployments, 100,000 alerts; median of 5):")
    print(
        String(
            format:
                "  %.3f s to compute (target <= 2 s), %.3f s to render HTML and CSV; one scan of the alerts %.3f s; ratio %.1f",
            median(report), median(rendered), median(scan), median(report) / median(scan)))
    print(
        "  \(made!.deployments.count) deployments, \(made!.totals.alerts) alerts, \(made!.totals.facesSeen) faces seen, \(made!.totals.falseAlerts) false alerts"
    )
}
