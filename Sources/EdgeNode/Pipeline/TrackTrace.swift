import FaceEngine
import Foundation
import Shared

/// What happened to one track, for evaluation runs (`edge-node run --trace FILE`): counts, scores
/// and where the face was, never an embedding or a subject id, so that a benchmark can say where a
/// missed pass was lost (never detected, kept from the models by the quality gate and why, not
/// embedded, first look too far, second look too far).
struct TrackTrace: Codable, Equatable {
    var track: Int
    var firstFrame: Int
    var lastFrame: Int
    var detections = 0
    var qualityRejections: [String: Int] = [:]
    /// Faces embedded by the first model (dlib).
    var embedded = 0
    /// Faces that reached the second look (flip-averaged dlib and FaceNet).
    var secondLooks = 0
    /// Lowest first-look score (dlib only, normalised); the second look runs at or below threshold x facenet_gate.
    var bestFirstLook: Float?
    /// Lowest score the match was decided on (fused under the fused rule).
    var bestScore: Float?
    /// The track matched a subject (its alert may have been held back as a repeat of the pass).
    var matched = false
    /// Mean centre of the track's face boxes, in pixels, to place it in a clip.
    var centreX: Float = 0
    var centreY: Float = 0
    /// Mean width of the track's face boxes, in pixels: with the centre, how far apart two tracks are in faces.
    var width: Float = 0

    init(track: Int, frame: Int) {
        self.track = track
        firstFrame = frame
        lastFrame = frame
    }

    mutating func saw(_ box: Box, frame: Int) {
        let n = Float(detections)
        centreX = (centreX * n + box.x + box.width / 2) / (n + 1)
        centreY = (centreY * n + box.y + box.height / 2) / (n + 1)
        width = (width * n + box.width) / (n + 1)
        detections += 1
        lastFrame = frame
    }

    enum CodingKeys: String, CodingKey {
        case track, firstFrame = "first_frame", lastFrame = "last_frame", detections, qualityRejections =
            "quality_rejections"
        case embedded, secondLooks = "second_looks", bestFirstLook = "best_first_look", bestScore = "best_score",
            matched
        case centreX = "centre_x", centreY = "centre_y", width
    }
}

/// The traces of live tracks; a track's trace is handed out when the track ends.
struct TrackTraceBook {
    private var traces: [TrackID: TrackTrace] = [:]

    mutating func update(_ id: TrackID, frame: Int, _ change: (inout TrackTrace) -> Void) {
        change(&traces[id, default: TrackTrace(track: id.rawValue, frame: frame)])
    }

    mutating func end(_ id: TrackID) -> TrackTrace? { traces.removeValue(forKey: id) }
}

/// `edge-node run --trace FILE`: a first line with the threshold and second-look gate, then one
/// `TrackTrace` per line as tracks end (0600: it describes where faces were).
final class TraceFile {
    private let handle: FileHandle
    private let encoder = JSONEncoder()

    init(path: String, threshold: Float, faceNetGate: Float) throws {
        try PrivateFile.write([], to: path, mode: .replaceAtomically)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CommandFailure("cannot write the trace file \(path)")
        }
        self.handle = handle
        encoder.outputFormatting = [.sortedKeys]
        handle.write(try encoder.encode(["threshold": threshold, "facenet_gate": faceNetGate]) + Data("\n".utf8))
    }

    func write(_ trace: TrackTrace) {
        guard let line = try? encoder.encode(trace) else { return }
        handle.write(line + Data("\n".utf8))
    }
}
