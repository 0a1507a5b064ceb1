import FaceEngine
import Shared

/// The edge node's settings file (JSON). Every key is optional; absent keys keep their defaults.
/// See config/edge-node.example.json and config/README.md for each key.
struct EdgeConfigFile {
    var pipeline: PipelineSettings
    /// Which signed watchlists this node accepts (the `watchlist` section), if configured.
    var bundlePolicy: BundlePolicy?

    static func load(path: String) throws -> EdgeConfigFile {
        let reader = try ConfigReader(path: path)
        let pipeline = try pipelineSettings(reader)
        let policy = try bundlePolicy(reader)
        try reader.rejectUnknownKeys()
        return EdgeConfigFile(pipeline: pipeline, bundlePolicy: policy)
    }

    private static func bundlePolicy(_ r: ConfigReader) throws -> BundlePolicy? {
        let deployment = try r.string("watchlist", "deployment_id")
        let required = try r.number("watchlist", "required_signatures", in: 1...16)
        let signers = try r.strings("watchlist", "trusted_signers")
        guard r.hasSection("watchlist") else { return nil }
        guard let deployment, let required, let signers else {
            throw ConfigError(file: r.file, key: "watchlist", reason: "needs deployment_id, required_signatures and trusted_signers")
        }
        let keys = try signers.map { text -> [UInt8] in
            do { return try SigningKeyFile.loadPublic(pathOrText: text) } catch {
                throw ConfigError(file: r.file, key: "watchlist.trusted_signers", reason: "\(error)")
            }
        }
        guard Set(keys).count == keys.count, Int(required) <= keys.count else {
            throw ConfigError(file: r.file, key: "watchlist.required_signatures",
                              reason: "\(Int(required)) signatures required but \(Set(keys).count) distinct trusted signers given")
        }
        return BundlePolicy(trustedSigners: Set(keys), requiredSignatures: Int(required), deploymentID: deployment,
                            embeddingModel: TemplateWatchlist.embeddingModel)
    }

    private static func pipelineSettings(_ r: ConfigReader) throws -> PipelineSettings {
        var s = PipelineSettings()
        if let v = try r.number("detection", "max_side", in: 32...4096) { s.detector.maxSide = Int(v) }
        if let v = try r.number("detection", "threshold", in: 0.01...0.99) { s.detector.threshold = Float(v) }
        if let v = try r.number("detection", "nms_iou", in: 0.01...1) { s.detector.nmsIoU = Float(v) }
        if let v = try r.number("detection", "max_faces", in: 1...1000) { s.detector.maxFaces = Int(v) }
        if let v = try r.number("quality", "min_inter_eye", in: 0...1000) { s.quality.minInterEye = Float(v) }
        if let v = try r.number("quality", "min_sharpness", in: 0...100_000) { s.quality.minSharpness = Float(v) }
        if let v = try r.number("quality", "min_luma_mean", in: 0...255) { s.quality.minLumaMean = Float(v) }
        if let v = try r.number("quality", "max_luma_mean", in: 0...255) { s.quality.maxLumaMean = Float(v) }
        if let v = try r.number("quality", "min_luma_std", in: 0...255) { s.quality.minLumaStd = Float(v) }
        if let v = try r.number("quality", "max_yaw", in: 0.01...10) { s.quality.maxYaw = Float(v) }
        if let v = try r.number("quality", "max_roll", in: 1...180) { s.quality.maxRoll = Float(v) }
        if let v = try r.number("tracking", "min_iou", in: 0.01...0.99) { s.tracker.minIoU = Float(v) }
        if let v = try r.number("tracking", "max_missed_frames", in: 0...1000) { s.tracker.maxMissedFrames = Int(v) }
        if let v = try r.number("embedding", "max_per_track", in: 1...100) { s.embedding.maxEmbeddings = Int(v) }
        if let v = try r.number("embedding", "refresh_frames", in: 1...10_000) { s.embedding.refreshFrames = Int(v) }
        if let v = try r.number("embedding", "max_per_frame", in: 1...100) { s.embedding.maxPerFrame = Int(v) }
        if let v = try r.number("matching", "threshold", in: 0.01...1.99) { s.threshold = Float(v) }
        do { try s.quality.validate() } catch let e as FaceEngineError {
            throw ConfigError(file: r.file, key: "quality", reason: e.message)
        }
        return s
    }
}
