/// Identifies one face across frames while the person is in view.
public struct TrackID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (a: TrackID, b: TrackID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// Settings for associating detections with tracks.
public struct TrackerSettings: Sendable, Equatable {
    /// Smallest overlap between a track's last box and a detection for them to be the same face.
    public var minIoU: Float = 0.25
    /// A track ends after more than this many frames without its face (frames, not detections:
    /// with detection on a schedule the frames between detections count too).
    public var maxMissedFrames: Int = 10
    /// How far a face's centre may be from where its track expected it, for a detection that no
    /// longer overlaps its track: in widths of the face per frame since it was last seen, and never
    /// more than `maxShift` widths. A small face crossing the view moves further than its own width
    /// between two detections, and a track seen once has no velocity to predict with yet.
    public var maxShiftPerFrame: Float = 0.5
    public var maxShift: Float = 2

    public init(minIoU: Float = 0.25, maxMissedFrames: Int = 10, maxShiftPerFrame: Float = 0.5, maxShift: Float = 2) {
        self.minIoU = minIoU
        self.maxMissedFrames = maxMissedFrames
        self.maxShiftPerFrame = maxShiftPerFrame
        self.maxShift = maxShift
    }

    public func validate() throws {
        guard minIoU > 0, minIoU < 1 else {
            throw FaceEngineError(
                .invalidArgument, "tracker min IoU \(minIoU) is out of range: use a value between 0 and 1")
        }
        guard maxMissedFrames >= 0 else {
            throw FaceEngineError(.invalidArgument, "tracker max missed frames must be >= 0")
        }
        guard maxShiftPerFrame >= 0, maxShift >= 0 else {
            throw FaceEngineError(.invalidArgument, "tracker max shift must be >= 0")
        }
    }
}

/// What one frame did to the tracks.
public struct TrackerUpdate: Sendable, Equatable {
    /// The track of each detection, in detection order.
    public var assignments: [TrackID]
    /// Tracks started by this frame.
    public var started: [TrackID]
    /// Tracks that ended (their face has not been seen for too long).
    public var ended: [TrackID]
}

/// Greedy association with constant-velocity prediction, as a value-type state machine without
/// I/O. A track's box is predicted from its velocity (the smoothed change between its sightings)
/// over the frames since it was last seen, so that a face followed between detections run on a
/// schedule (one frame in `detection.interval_frames`), or missed for a few frames, is still found
/// where it went. Overlap decides first; a detection of a similar size whose centre is within
/// reach of the expected centre is taken next, nearest first.
///
///     new detection ──► live ──(seen)──► live
///                        └──(unseen for > maxMissedFrames frames)──► ended
public struct Tracker: Sendable {
    private struct Track: Sendable {
        let id: TrackID
        /// Where the face was last seen.
        var box: Box
        /// Change of the box per frame, from its last sightings; nil until seen twice.
        var velocity: Box?
        /// Frames since the face was last seen.
        var unseen: Int

        /// Where the face is expected after `frames` more frames.
        func predicted(after frames: Int) -> Box {
            guard let v = velocity else { return box }
            let t = Float(unseen + frames)
            return Box(
                x: box.x + v.x * t, y: box.y + v.y * t,
                width: max(1, box.width + v.width * t), height: max(1, box.height + v.height * t))
        }

        mutating func see(_ seen: Box, after frames: Int) {
            let t = Float(unseen + frames)
            let step = Box(
                x: (seen.x - box.x) / t, y: (seen.y - box.y) / t,
                width: (seen.width - box.width) / t, height: (seen.height - box.height) / t)
            // Half the last step, half the history: one jittery box does not throw the prediction off.
            velocity =
                velocity.map {
                    Box(
                        x: ($0.x + step.x) / 2, y: ($0.y + step.y) / 2,
                        width: ($0.width + step.width) / 2, height: ($0.height + step.height) / 2)
                } ?? step
            box = seen
            unseen = 0
        }
    }

    public let settings: TrackerSettings
    private var tracks: [Track] = []
    private var nextID = 1

    public init(settings: TrackerSettings = TrackerSettings()) {
        self.settings = settings
    }

    public var liveTracks: [TrackID] { tracks.map(\.id) }

    /// Associates this frame's boxes with the live tracks; `frames` is how many frames have passed
    /// since the previous update (more than 1 when detection runs on a schedule or frames were dropped).
    public mutating func update(with boxes: [Box], frames: Int = 1) -> TrackerUpdate {
        let frames = max(1, frames)
        var pairs: [(closeness: Float, track: Int, detection: Int)] = []
        for (t, track) in tracks.enumerated() {
            let predicted = track.predicted(after: frames)
            for (d, box) in boxes.enumerated() {
                if let closeness = closeness(of: box, to: track, predicted: predicted, after: frames) {
                    pairs.append((closeness, t, d))
                }
            }
        }
        pairs.sort { $0.closeness > $1.closeness }
        var assignment = [TrackID?](repeating: nil, count: boxes.count)
        var trackUsed = [Bool](repeating: false, count: tracks.count)
        for pair in pairs where !trackUsed[pair.track] && assignment[pair.detection] == nil {
            trackUsed[pair.track] = true
            assignment[pair.detection] = tracks[pair.track].id
            tracks[pair.track].see(boxes[pair.detection], after: frames)
        }
        var ended: [TrackID] = []
        for t in tracks.indices where !trackUsed[t] { tracks[t].unseen += frames }
        tracks.removeAll { track in
            if track.unseen > settings.maxMissedFrames {
                ended.append(track.id)
                return true
            }
            return false
        }
        var started: [TrackID] = []
        for d in boxes.indices where assignment[d] == nil {
            let id = TrackID(nextID)
            nextID += 1
            tracks.append(Track(id: id, box: boxes[d], velocity: nil, unseen: 0))
            assignment[d] = id
            started.append(id)
        }
        return TrackerUpdate(assignments: assignment.map { $0! }, started: started, ended: ended)
    }

    /// Above 1 for an overlap (1 + IoU), in [0, 1) for a centre within reach (1 at the expected
    /// centre, 0 at the edge of reach), nil when the detection cannot be this track's face.
    private func closeness(of box: Box, to track: Track, predicted: Box, after frames: Int) -> Float? {
        // Where it went, or where it was: a face that stopped is not lost to its old velocity.
        let overlap = max(predicted.iou(box), track.box.iou(box))
        if overlap >= settings.minIoU { return 1 + overlap }
        let sizeRatio = box.width / max(1, track.box.width)
        guard sizeRatio >= 2 / 3, sizeRatio <= 1.5 else { return nil }
        let reach = min(settings.maxShiftPerFrame * Float(track.unseen + frames), settings.maxShift) * track.box.width
        let dx = box.centerX - predicted.centerX, dy = box.centerY - predicted.centerY
        let distance = (dx * dx + dy * dy).squareRoot()
        return distance < reach ? 1 - distance / reach : nil
    }

    /// Ends every live track (end of stream or shutdown).
    public mutating func endAll() -> [TrackID] {
        defer { tracks.removeAll() }
        return tracks.map(\.id)
    }
}
