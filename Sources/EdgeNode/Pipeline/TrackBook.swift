import FaceEngine
import FaceTemplates

/// What the edge holds about each live track: its embeddings (RAM only), the best quality seen
/// and the subjects it has already alerted for. Tracks that end without a match are wiped and
/// the time their biometric data lived is recorded.
struct TrackBook {
    struct Entry {
        /// Capture time of the first frame whose face data the entry holds.
        var startedAt: ContinuousClock.Instant
        var embeddings: [Embedding] = []
        var faceNetEmbeddings: [FaceNetEmbedding] = []
        var bestRank: Float = 0
        var framesSinceEmbedding = 0
        var alertedSubjects: Set<String> = []
    }

    /// How embeddings are spent on a track.
    struct Policy {
        /// Most embeddings computed for one track.
        var maxEmbeddings = 10
        /// Most faces embedded in one frame, so that a crowd cannot stall the frame (and every alert) behind it.
        var maxPerFrame = 2
        /// Embed again when the face's quality rank beats the best so far by this factor...
        var improvement: Float = 1.15
        /// ...or after the face was detected this many times more, as the pose may have changed.
        var refreshFrames = 8
        /// Most FaceNet embeddings for one track: the second model is spent on a track's first
        /// promising faces, and its mean stands for the track afterwards.
        var maxFaceNetPerTrack = 3
        /// Most second looks in one frame (flip-averaged dlib and FaceNet, ~90 ms each), to bound the frame's latency.
        var maxFaceNetPerFrame = 1
        /// A new embedding this far (dlib L2) from the track's mean is another person: where two
        /// people cross, the IoU tracker can hand one's track to the other. The first person's
        /// data is then wiped at once instead of living on with the second's (0.6 separates
        /// people with the dlib model; one person's frames lie well within it).
        var identitySwitchDistance: Float = 0.6
    }

    let policy: Policy
    private(set) var entries: [TrackID: Entry] = [:]
    /// How long non-matching biometric data (a track's embeddings) lived in RAM before being wiped.
    private(set) var nonMatchLifetimes = DurationSummary()
    /// Tracks handed from one person to another, caught by `identitySwitchDistance`.
    private(set) var identitySwitches = 0

    init(policy: Policy) { self.policy = policy }

    mutating func start(_ id: TrackID, at time: ContinuousClock.Instant) {
        entries[id] = Entry(startedAt: time)
    }

    func hasAlerted(_ id: TrackID) -> Bool { !(entries[id]?.alertedSubjects.isEmpty ?? true) }

    func alertedSubjects(_ id: TrackID) -> Set<String> { entries[id]?.alertedSubjects ?? [] }

    /// Counts a frame of the track and says how much a face of this rank deserves an embedding:
    /// nil for not at all; tracks never embedded come first, then the better faces.
    mutating func embeddingPriority(_ id: TrackID, rank: Float) -> Float? {
        guard var e = entries[id] else { return nil }
        defer { entries[id] = e }
        e.framesSinceEmbedding += 1
        guard e.alertedSubjects.isEmpty, e.embeddings.count < policy.maxEmbeddings else { return nil }
        if e.embeddings.isEmpty { return 2 + rank }
        return rank > e.bestRank * policy.improvement || e.framesSinceEmbedding >= policy.refreshFrames ? rank : nil
    }

    /// Adds an embedding and returns the track's mean embedding, which is steadier than any single
    /// frame. If the embedding is another person's (`identitySwitchDistance`), the track's earlier
    /// data is wiped first and the track starts again from this frame (`capturedAt`).
    mutating func add(
        _ embedding: Embedding, rank: Float, to id: TrackID, capturedAt: ContinuousClock.Instant,
        now: ContinuousClock.Instant
    ) -> Embedding {
        guard var e = entries[id] else { return embedding }
        if !e.embeddings.isEmpty, embedding.distance(to: Embedding.mean(e.embeddings)) > policy.identitySwitchDistance {
            retire(&e, at: now)
            e = Entry(startedAt: capturedAt)
            identitySwitches += 1
        }
        e.embeddings.append(embedding)
        e.bestRank = max(e.bestRank, rank)
        e.framesSinceEmbedding = 0
        entries[id] = e
        return Embedding.mean(e.embeddings)
    }

    /// How many of the track's frames its mean embedding is made of.
    func embeddingCount(_ id: TrackID) -> Int { entries[id]?.embeddings.count ?? 0 }

    /// Whether the track may still have a FaceNet embedding computed.
    func wantsFaceNet(_ id: TrackID) -> Bool {
        (entries[id]?.faceNetEmbeddings.count ?? .max) < policy.maxFaceNetPerTrack
    }

    /// The mean of the track's FaceNet embeddings so far, if any.
    func faceNetMean(_ id: TrackID) -> FaceNetEmbedding? {
        guard let e = entries[id], !e.faceNetEmbeddings.isEmpty else { return nil }
        return FaceNetEmbedding.mean(e.faceNetEmbeddings)
    }

    /// Adds a FaceNet embedding and returns the track's mean FaceNet embedding (unit length again).
    mutating func addFaceNet(_ embedding: FaceNetEmbedding, to id: TrackID) -> FaceNetEmbedding {
        guard var e = entries[id] else { return embedding }
        e.faceNetEmbeddings.append(embedding)
        entries[id] = e
        return FaceNetEmbedding.mean(e.faceNetEmbeddings)
    }

    /// Records an alert; returns false when this track already alerted for the subject.
    mutating func recordAlert(_ subject: String, for id: TrackID) -> Bool {
        entries[id]?.alertedSubjects.insert(subject).inserted ?? false
    }

    /// Ends a track: overwrites its embeddings and, if it never matched, records how long they lived.
    mutating func end(_ id: TrackID, at time: ContinuousClock.Instant) {
        guard var e = entries.removeValue(forKey: id) else { return }
        retire(&e, at: time)
    }

    /// Wipes an entry's face data and records its lifetime if it never matched.
    private mutating func retire(_ e: inout Entry, at time: ContinuousClock.Instant) {
        for embedding in e.embeddings { embedding.wipe() }
        for embedding in e.faceNetEmbeddings { embedding.wipe() }
        if e.alertedSubjects.isEmpty, !e.embeddings.isEmpty {
            nonMatchLifetimes.record(seconds: (time - e.startedAt).inSeconds)
        }
        e.embeddings.removeAll()
        e.faceNetEmbeddings.removeAll()
    }
}
