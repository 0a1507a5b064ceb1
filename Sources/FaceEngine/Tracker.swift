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
    /// A track ends after this many processed frames without its face.
    public var maxMissedFrames: Int = 10

    public init(minIoU: Float = 0.25, maxMissedFrames: Int = 10) {
        self.minIoU = minIoU; self.maxMissedFrames = maxMissedFrames
    }

    public func validate() throws {
        guard minIoU > 0, minIoU < 1 else {
            throw FaceEngineError(.invalidArgument, "tracker min IoU \(minIoU) is out of range: use a value between 0 and 1")
        }
        guard maxMissedFrames >= 0 else {
            throw FaceEngineError(.invalidArgument, "tracker max missed frames must be >= 0")
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

/// Greedy IoU association, as a value-type state machine without I/O.
///
///     new detection ──► live ──(seen)──► live
///                        └──(missed > maxMissedFrames)──► ended
public struct Tracker: Sendable {
    private struct Track: Sendable {
        let id: TrackID
        var box: Box
        var missed: Int
    }

    public let settings: TrackerSettings
    private var tracks: [Track] = []
    private var nextID = 1

    public init(settings: TrackerSettings = TrackerSettings()) {
        self.settings = settings
    }

    public var liveTracks: [TrackID] { tracks.map(\.id) }

    /// Associates this frame's boxes with the live tracks.
    public mutating func update(with boxes: [Box]) -> TrackerUpdate {
        var pairs: [(iou: Float, track: Int, detection: Int)] = []
        for (t, track) in tracks.enumerated() {
            for (d, box) in boxes.enumerated() {
                let overlap = track.box.iou(box)
                if overlap >= settings.minIoU { pairs.append((overlap, t, d)) }
            }
        }
        pairs.sort { $0.iou > $1.iou }
        var assignment = [TrackID?](repeating: nil, count: boxes.count)
        var trackUsed = [Bool](repeating: false, count: tracks.count)
        for pair in pairs where !trackUsed[pair.track] && assignment[pair.detection] == nil {
            trackUsed[pair.track] = true
            assignment[pair.detection] = tracks[pair.track].id
            tracks[pair.track].box = boxes[pair.detection]
            tracks[pair.track].missed = 0
        }
        var ended: [TrackID] = []
        for t in tracks.indices where !trackUsed[t] { tracks[t].missed += 1 }
        tracks.removeAll { track in
            if track.missed > settings.maxMissedFrames { ended.append(track.id); return true }
            return false
        }
        var started: [TrackID] = []
        for d in boxes.indices where assignment[d] == nil {
            let id = TrackID(nextID)
            nextID += 1
            tracks.append(Track(id: id, box: boxes[d], missed: 0))
            assignment[d] = id
            started.append(id)
        }
        return TrackerUpdate(assignments: assignment.map { $0! }, started: started, ended: ended)
    }

    /// Ends every live track (end of stream or shutdown).
    public mutating func endAll() -> [TrackID] {
        defer { tracks.removeAll() }
        return tracks.map(\.id)
    }
}
