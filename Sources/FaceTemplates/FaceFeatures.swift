/// One face as the matcher sees it: its dlib embedding and, when computed, its FaceNet embedding.
/// Biometric data: its embeddings erase themselves when the last copy goes away.
public struct FaceFeatures: Sendable, Equatable {
    public var dlib: Embedding
    public var faceNet: FaceNetEmbedding?

    public init(dlib: Embedding, faceNet: FaceNetEmbedding? = nil) {
        self.dlib = dlib
        self.faceNet = faceNet
    }

    /// Erases both embeddings now, in every copy.
    public func wipe() {
        dlib.wipe()
        faceNet?.wipe()
    }
}
