/// One face as the matcher sees it: its dlib embedding and, when computed, its FaceNet embedding.
/// Biometric data: wipe it when the face is done with.
public struct FaceFeatures: Sendable, Equatable {
    public var dlib: Embedding
    public var faceNet: FaceNetEmbedding?

    public init(dlib: Embedding, faceNet: FaceNetEmbedding? = nil) {
        self.dlib = dlib; self.faceNet = faceNet
    }

    public mutating func wipe() {
        dlib.wipe()
        faceNet?.wipe()
    }
}
