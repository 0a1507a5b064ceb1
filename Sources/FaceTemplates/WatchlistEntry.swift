/// One person on a watchlist: an opaque subject id and one or more templates. With the fused
/// rule each dlib template has a FaceNet template of the same photo, at the same index.
public struct WatchlistEntry: Sendable, Equatable {
    public var subject: String
    public var templates: [Embedding]
    public var faceNetTemplates: [FaceNetEmbedding]

    public init(subject: String, templates: [Embedding], faceNetTemplates: [FaceNetEmbedding] = []) {
        self.subject = subject
        self.templates = templates
        self.faceNetTemplates = faceNetTemplates
    }

    public init(subject: String, features: [FaceFeatures]) {
        self.init(subject: subject, templates: features.map(\.dlib), faceNetTemplates: features.compactMap(\.faceNet))
    }
}
