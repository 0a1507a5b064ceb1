import FaceEngine
import FaceTemplates
import Shared
import ZeroMQTransport

/// The edge node's settings file (JSON). Every key is optional; absent keys keep their defaults.
/// See config/edge-node.example.json and config/README.md for each key.
struct EdgeConfigFile {
    var pipeline: PipelineSettings
    /// Which signed watchlists this node accepts (the `watchlist` section), if configured.
    var bundlePolicy: BundlePolicy?
    /// The node's identity, camera and coordinator (the `node` section, for `edge-node serve`).
    var node: NodeSettings?

    struct NodeSettings {
        var id: String
        var cameraID: String
        var source: String
        var coordinator: String
        var coordinatorKey: String
        var keys: CurveKeyPair
        var stateDirectory: String
        var heartbeatInterval: Duration
        var realtime: Bool
        var loop: Bool
        /// Serve `/metrics` on 127.0.0.1 at this port; nil: off.
        var metricsPort: Int?
    }

    static func load(path: String) throws -> EdgeConfigFile {
        let reader = try ConfigReader(path: path)
        let pipeline = try pipelineSettings(reader)
        let policy = try bundlePolicy(reader)
        let node = try nodeSettings(reader)
        try reader.rejectUnknownKeys()
        return EdgeConfigFile(pipeline: pipeline, bundlePolicy: policy, node: node)
    }

    private static func nodeSettings(_ r: ConfigReader) throws -> NodeSettings? {
        let id = try r.string("node", "id"), camera = try r.string("node", "camera_id"),
            source = try r.string("node", "source")
        let coordinator = try r.endpoint("node", "coordinator"),
            coordinatorKey = try r.string("node", "coordinator_key")
        let keyPath = try r.string("node", "curve_key"), state = try r.string("node", "state_dir")
        let heartbeat = try r.number("node", "heartbeat_seconds", in: 0.1...3600) ?? 5
        let realtime = try r.boolean("node", "pace_files") ?? true
        let loop = try r.boolean("node", "loop_files") ?? false
        let metricsPort = try r.integer("node", "metrics_port", in: 1...65535)
        guard r.hasSection("node") else { return nil }
        guard let id, let camera, let source, let coordinator, let coordinatorKey, let keyPath, let state else {
            throw ConfigError(
                file: r.file, key: "node",
                reason: "needs id, camera_id, source, coordinator, coordinator_key, curve_key and state_dir")
        }
        func keyError(_ key: String, _ error: Error) -> ConfigError {
            ConfigError(file: r.file, key: "node.\(key)", reason: "\(error)")
        }
        let serverKey: String, keys: CurveKeyPair
        do { serverKey = try CurveKeyFile.loadPublic(pathOrText: coordinatorKey) } catch {
            throw keyError("coordinator_key", error)
        }
        do { keys = try CurveKeyFile.load(path: keyPath) } catch { throw keyError("curve_key", error) }
        return NodeSettings(
            id: id, cameraID: camera, source: source, coordinator: coordinator, coordinatorKey: serverKey, keys: keys,
            stateDirectory: state, heartbeatInterval: .milliseconds(Int(heartbeat * 1000)), realtime: realtime,
            loop: loop, metricsPort: metricsPort)
    }

    private static func bundlePolicy(_ r: ConfigReader) throws -> BundlePolicy? {
        let deployment = try r.string("watchlist", "deployment_id")
        let required = try r.integer("watchlist", "required_signatures", in: 1...16)
        let signers = try r.strings("watchlist", "trusted_signers")
        guard r.hasSection("watchlist") else { return nil }
        guard let deployment, let required, let signers else {
            throw ConfigError(
                file: r.file, key: "watchlist", reason: "needs deployment_id, required_signatures and trusted_signers")
        }
        let keys = try signers.map { text -> [UInt8] in
            do { return try SigningKeyFile.loadPublic(pathOrText: text) } catch {
                throw ConfigError(file: r.file, key: "watchlist.trusted_signers", reason: "\(error)")
            }
        }
        guard Set(keys).count == keys.count, required <= keys.count else {
            throw ConfigError(
                file: r.file, key: "watchlist.required_signatures",
                reason: "\(required) signatures required but \(Set(keys).count) distinct trusted signers given")
        }
        return BundlePolicy(
            trustedSigners: Set(keys), requiredSignatures: required, deploymentID: deployment,
            embeddingModel: MatchingRule.recommended.embeddingModel)
    }

    private static func pipelineSettings(_ r: ConfigReader) throws -> PipelineSettings {
        var s = PipelineSettings()
        if let v = try r.integer("detection", "max_side", in: 32...4096) { s.detector.maxSide = v }
        if let v = try r.number("detection", "threshold", in: 0.01...0.99) { s.detector.threshold = Float(v) }
        if let v = try r.number("detection", "nms_iou", in: 0.01...1) { s.detector.nmsIoU = Float(v) }
        if let v = try r.integer("detection", "max_faces", in: 1...1000) { s.detector.maxFaces = v }
        if let v = try r.integer("detection", "interval_frames", in: 1...30) { s.detectionInterval = v }
        if let v = try r.number("quality", "min_inter_eye", in: 0...1000) { s.quality.minInterEye = Float(v) }
        if let v = try r.number("quality", "min_sharpness", in: 0...100_000) { s.quality.minSharpness = Float(v) }
        if let v = try r.number("quality", "min_luma_mean", in: 0...255) { s.quality.minLumaMean = Float(v) }
        if let v = try r.number("quality", "max_luma_mean", in: 0...255) { s.quality.maxLumaMean = Float(v) }
        if let v = try r.number("quality", "min_luma_std", in: 0...255) { s.quality.minLumaStd = Float(v) }
        if let v = try r.number("quality", "max_yaw", in: 0.01...10) { s.quality.maxYaw = Float(v) }
        if let v = try r.number("quality", "max_roll", in: 1...180) { s.quality.maxRoll = Float(v) }
        if let v = try r.number("tracking", "min_iou", in: 0.01...0.99) { s.tracker.minIoU = Float(v) }
        if let v = try r.integer("tracking", "max_missed_frames", in: 0...1000) { s.tracker.maxMissedFrames = v }
        if let v = try r.number("tracking", "identity_switch_distance", in: 0.3...2) {
            s.embedding.identitySwitchDistance = Float(v)
        }
        if let v = try r.integer("embedding", "max_per_track", in: 1...100) { s.embedding.maxEmbeddings = v }
        if let v = try r.integer("embedding", "refresh_frames", in: 1...10_000) { s.embedding.refreshFrames = v }
        if let v = try r.integer("embedding", "max_per_frame", in: 1...100) { s.embedding.maxPerFrame = v }
        if let v = try r.integer("embedding", "max_facenet_per_track", in: 1...100) {
            s.embedding.maxFaceNetPerTrack = v
        }
        if let v = try r.integer("embedding", "max_facenet_per_frame", in: 1...100) {
            s.embedding.maxFaceNetPerFrame = v
        }
        if let v = try r.number("matching", "threshold", in: 0.01...1.99) { s.threshold = Float(v) }
        if let v = try r.number("matching", "facenet_gate", in: 1...10) { s.faceNetGate = Float(v) }
        if let v = try r.number("matching", "repeat_alert_window_s", in: 0...3600) { s.repeatAlertWindow = v }
        do { try s.quality.validate() } catch let e as FaceEngineError {
            throw ConfigError(file: r.file, key: "quality", reason: e.message)
        }
        return s
    }
}
