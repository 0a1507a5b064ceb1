import FaceTemplates

/// Both embedding models over the same dlib-aligned face. The FaceNet stage is separate so that
/// the edge can spend it only on faces the first model already finds close to someone.
/// Not thread-safe: one owner calls it at a time.
public final class FeatureExtractor {
    public let embedder: FaceEmbedder
    public let faceNet: FaceNetEmbedder

    public init(embedder: FaceEmbedder, faceNet: FaceNetEmbedder) {
        self.embedder = embedder
        self.faceNet = faceNet
    }

    /// Both embeddings of each face; flip-averaged for templates and offline probes.
    public func features(_ detections: [Detection], in image: Image, flipAveraged: Bool) throws -> [FaceFeatures] {
        let dlib = try embedder.embed(detections, in: image, flipAveraged: flipAveraged)
        let second = try faceNetEmbeddings(detections, in: image, flipAveraged: flipAveraged)
        return zip(dlib, second).map { FaceFeatures(dlib: $0, faceNet: $1) }
    }

    /// The FaceNet embedding of each face, from its own 160-pixel chip (wiped after use).
    public func faceNetEmbeddings(_ detections: [Detection], in image: Image, flipAveraged: Bool) throws
        -> [FaceNetEmbedding]
    {
        var chips = try embedder.chips(
            detections, in: image, size: FaceNetEmbedder.chipSize, padding: FaceNetEmbedder.chipPadding)
        defer { for i in chips.indices { chips[i].wipe() } }
        return try faceNet.embed(chips, flipAveraged: flipAveraged)
    }
}
