import ControlRoom
import CoordinatorRecord
import FaceTemplates
import Foundation
import Shared
import ZeroMQTransport

/// The coordinator's config file, read strictly (see config/README.md): `serve` uses all of it,
/// the record commands (`deployment`, `alerts`, `audit`, `purge`, `report`) its state folder and
/// retention policy.
struct CoordinatorConfigFile {
    let path: String
    let bind: String
    let curveKeyPath: String
    let stateDirectory: String
    let nodes: [EnrolledNode]
    let standingBundlePath: String?
    let standingEnded: String?
    let retention: RetentionPolicy
    /// The control room's web UI, when the config has a `web` section.
    let web: ControlRoomServer.Settings?
    /// The cohort and evaluation report the control room builds and plans watchlists with.
    let watchlistCompiler: EnrollingWatchlistCompiler.Settings
    /// When `serve` checkpoints the audit log on its own (`audit.checkpoint_minutes`, `audit.checkpoint_entries`).
    let checkpointSchedule: CheckpointSchedule
    /// The audit signing key when kept out of the state folder (`audit.signing_key`, or a systemd
    /// credential `audit-signing.key`); nil: `audit-signing.key` in the state folder.
    let auditSigningKey: String?

    init(path: String) throws {
        self.path = path
        let r = try ConfigReader(path: path)
        bind = try r.endpoint("server", "bind") ?? "tcp://127.0.0.1:7700"
        guard let keyPath = try r.string("server", "curve_key") else {
            throw ConfigError(
                file: path, key: "server.curve_key", reason: "is required: create one with coordinator keys new-curve")
        }
        curveKeyPath = keyPath
        guard let state = try r.string("server", "state_dir") else {
            throw ConfigError(
                file: path, key: "server.state_dir", reason: "is required (the coordinator database is kept there)")
        }
        stateDirectory = state
        let entries: [[String: String]]
        do { entries = try r.objects("nodes", "enrolled", fields: ["node_id", "camera", "key"]) ?? [] } catch let error
            as ConfigError
        {
            throw ConfigError(
                file: path, key: error.key,
                reason: error.reason
                    + "; since the deployment record, each node is enrolled with its id and camera: {\"node_id\": \"van-1\", \"camera\": \"van-1-mast\", \"key\": \"/etc/watchpost/nodes/van-1.curve.pub\"}"
            )
        }
        nodes = try entries.map { entry in
            do {
                return EnrolledNode(
                    nodeID: entry["node_id"]!, cameraID: entry["camera"]!,
                    publicKey: try CurveKeyFile.loadPublic(pathOrText: entry["key"]!))
            } catch {
                throw ConfigError(file: path, key: "nodes.enrolled", reason: "node \(entry["node_id"]!): \(error)")
            }
        }
        for (field, values) in [("node_id", nodes.map(\.nodeID)), ("key", nodes.map(\.publicKey))] {
            let repeated = Dictionary(grouping: values, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            if let first = repeated.first {
                throw ConfigError(
                    file: path, key: "nodes.enrolled",
                    reason: "\(field) \(first) is enrolled twice: one key is one node")
            }
        }
        standingBundlePath = try r.string("watchlist", "bundle")
        standingEnded = try r.string("deployment", "ended")
        var retention = RetentionPolicy()
        retention.alertDays = try r.integer("retention", "alert_days", in: 1...3650) ?? retention.alertDays
        retention.rejectedAlertDays =
            try r.integer("retention", "rejected_alert_days", in: 1...3650) ?? retention.rejectedAlertDays
        retention.bundleDestroyDelay =
            try r.number("retention", "bundle_destroy_after_s", in: 0...2_592_000) ?? retention.bundleDestroyDelay
        retention.checkInterval =
            try r.number("retention", "check_interval_s", in: 1...86_400) ?? retention.checkInterval
        retention.watchlistDraftDays =
            try r.integer("retention", "watchlist_draft_days", in: 1...365) ?? retention.watchlistDraftDays
        guard retention.rejectedAlertDays <= retention.alertDays else {
            throw ConfigError(
                file: path, key: "retention.rejected_alert_days", reason: "must not exceed retention.alert_days")
        }
        self.retention = retention
        let signerEntries = try r.objects("watchlists", "signers", fields: ["name", "key"]) ?? []
        var names: [[UInt8]: String] = [:]
        for signer in signerEntries {
            do { names[try SigningKeyFile.loadPublic(pathOrText: signer["key"]!)] = signer["name"]! } catch {
                throw ConfigError(file: path, key: "watchlists.signers", reason: "\(signer["name"]!): \(error)")
            }
        }
        let required = try r.integer("watchlists", "required_signatures", in: 1...16) ?? 1
        guard names.isEmpty || required <= names.count else {
            throw ConfigError(
                file: path, key: "watchlists.required_signatures",
                reason: "is \(required), but only \(names.count) signers are named")
        }
        let signers = WatchlistSigners(names: names, required: required)
        let uploadLimit = (try r.integer("watchlists", "max_upload_mib", in: 1...4096) ?? 256) << 20
        auditSigningKey = Self.auditSigningKey(try r.string("audit", "signing_key"))
        if r.hasSection("web") {
            var web = ControlRoomServer.Settings()
            web.auditSigningKey = auditSigningKey
            web.host = try r.string("web", "host") ?? web.host
            web.port = try r.integer("web", "port", in: 0...65535) ?? web.port
            web.secureCookies = try r.boolean("web", "secure_cookies") ?? web.secureCookies
            web.bcryptCost = UInt8(try r.integer("web", "bcrypt_cost", in: 4...16) ?? Int(web.bcryptCost))
            web.idleTimeoutSeconds = try r.integer("web", "idle_timeout_s", in: 1...600) ?? web.idleTimeoutSeconds
            if let tokenFile = try r.string("web", "metrics_token_file") {
                web.metricsToken = try Self.secret(tokenFile, file: path, key: "web.metrics_token_file")
            }
            switch (try r.string("web", "tls_certificate"), try r.string("web", "tls_key")) {
            case (nil, nil): break
            case (let certificate?, let key?):
                do { try KeyFileIO.requireOwnerOnly(key) } catch {
                    throw ConfigError(file: path, key: "web.tls_key", reason: "\(error)")
                }
                web.tls = .init(certificateChain: certificate, privateKey: key)
            default:
                throw ConfigError(
                    file: path, key: "web.tls_certificate",
                    reason: "give both web.tls_certificate and web.tls_key (PEM files), or neither")
            }
            web.signers = signers
            web.uploadLimitBytes = uploadLimit
            self.web = web
        } else {
            web = nil
        }
        var compiler = EnrollingWatchlistCompiler.Settings()
        for (key, target) in [
            ("cohort", \EnrollingWatchlistCompiler.Settings.cohortManifest), ("evaluation", \.evaluationReport),
        ] {
            guard let file = try r.string("watchlists", key) else { continue }
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw ConfigError(file: path, key: "watchlists.\(key)", reason: "\(file) cannot be read")
            }
            compiler[keyPath: target] = file
        }
        if let perCentroid = try r.integer("watchlists", "cohort_centroids", in: 1...1000) {
            if let refusal = CohortCentroids.refusal(peoplePerCentroid: perCentroid) {
                throw ConfigError(
                    file: path, key: "watchlists.cohort_centroids",
                    reason: refusal.replacingOccurrences(of: "--cohort-centroids ", with: "is "))
            }
            guard let cohort = compiler.cohortManifest else {
                throw ConfigError(
                    file: path, key: "watchlists.cohort_centroids",
                    reason: "needs watchlists.cohort: the manifest of people whose templates are averaged")
            }
            do { _ = try CohortManifest(path: cohort).firstPhotoPerPerson() } catch {
                throw ConfigError(file: path, key: "watchlists.cohort", reason: "\(error)")
            }
            compiler.cohortCentroids = perCentroid
        }
        compiler.modelDirectory = try r.string("watchlists", "models")
        watchlistCompiler = compiler
        checkpointSchedule = CheckpointSchedule(
            interval: TimeInterval(try r.integer("audit", "checkpoint_minutes", in: 1...1440) ?? 5) * 60,
            entries: Int64(try r.integer("audit", "checkpoint_entries", in: 10...1_000_000) ?? 1000))
        try r.rejectUnknownKeys()
    }

    /// A secret kept in its own file: owner-only permissions, at least 32 characters, first line.
    private static func secret(_ secretPath: String, file: String, key: String) throws -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: secretPath),
            let text = try? String(contentsOfFile: secretPath, encoding: .utf8)
        else {
            throw ConfigError(file: file, key: key, reason: "\(secretPath) cannot be read")
        }
        guard let mode = attributes[.posixPermissions] as? Int, mode & 0o077 == 0 else {
            throw ConfigError(file: file, key: key, reason: "\(secretPath) is readable by others: chmod 600 it")
        }
        let token = text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard token.count >= 32 else {
            throw ConfigError(file: file, key: key, reason: "\(secretPath) must hold a token of at least 32 characters")
        }
        return token
    }

    /// The configured key, else a systemd credential of that name (`LoadCredential=audit-signing.key:…`)
    /// when the service has one. Not read here: record commands run as the service user may not be
    /// able to read it, and leave the checkpoint to `serve` (which checks the key as it starts).
    private static func auditSigningKey(_ configured: String?) -> String? {
        if let configured { return configured }
        guard let credentials = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] else { return nil }
        let credential = credentials + "/" + AuditCheckpointWriter.keyFileName
        return FileManager.default.isReadableFile(atPath: credential) ? credential : nil
    }

    func openDatabase() throws -> CoordinatorDatabase { try CoordinatorDatabase(stateDirectory: stateDirectory) }

    /// Signs audit checkpoints with the configured key.
    func checkpointWriter() -> AuditCheckpointWriter {
        AuditCheckpointWriter(stateDirectory: stateDirectory, keyPath: auditSigningKey)
    }

    /// What `serve` runs with: the keys and the standing bundle loaded.
    func serverSettings() throws -> CoordinatorServer.Settings {
        let keys: CurveKeyPair
        do { keys = try CurveKeyFile.load(path: curveKeyPath) } catch {
            throw ConfigError(file: path, key: "server.curve_key", reason: "\(error)")
        }
        let bundle = try standingBundlePath.map { p -> [UInt8] in
            guard let data = FileManager.default.contents(atPath: p) else {
                throw ConfigError(file: path, key: "watchlist.bundle", reason: "\(p) cannot be read")
            }
            return Array(data)
        }
        return CoordinatorServer.Settings(
            bind: bind, keys: keys, nodes: nodes, stateDirectory: stateDirectory, bundle: bundle,
            recordFrames: nil, endedDeployment: standingEnded, retention: retention)
    }
}
