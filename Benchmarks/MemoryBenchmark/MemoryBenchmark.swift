import FaceEngine
import Foundation

/// Where an edge node's resident memory goes at 1080p: each part loaded and first used in the
/// order `edge-node run` does it, in one process, with the resident set (VmRSS) it adds. What is
/// held after a part's first use stays held (nets keep their buffers), so the rows add up to
/// about the node's peak.
///
///     swift run -c release MemoryBenchmark    (needs ../shared/datasets or WATCHPOST_DATASETS)
@main
enum MemoryBenchmark {
    static func main() throws {
        let datasets = ProcessInfo.processInfo.environment["WATCHPOST_DATASETS"] ?? "../shared/datasets"
        let clip = URL(fileURLWithPath: datasets + "/videos/facenet-pytorch/video.mp4").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: clip) else {
            print("memory benchmark: \(clip) not found (set WATCHPOST_DATASETS); nothing to measure")
            return
        }
        var last = residentMiB()
        print("memory benchmark: resident MiB each part adds, in edge-node run's order (1080p crowd clip)")
        print(label("process with its libraries mapped") + String(format: "%8.1f", last))
        func step(_ name: String, _ body: () throws -> Void) rethrows {
            try body()
            let now = residentMiB()
            print(label(name) + String(format: "%+8.1f", now - last))
            last = now
        }
        let models = ModelStore.locate()
        var faceNet: FaceNetEmbedder?, detector: FaceDetector?, embedder: FaceEmbedder?
        try step("FaceNet graph loaded") { faceNet = try models.makeFaceNetEmbedder() }
        try step("CenterFace loaded") { detector = try models.makeDetector() }
        try step("dlib landmarks and ResNet loaded") { embedder = try models.makeEmbedder() }
        let video = try VideoSource(source: clip)
        var frame: Image?
        try step("1080p decoder, first 40 frames read") { for _ in 0..<40 { frame = try video.read() } }
        guard let frame, let detector, let embedder, let faceNet else {
            throw FaceEngineError(.invalidArgument, "\(clip) has under 40 frames")
        }
        var faces: [Detection] = []
        try step("first detection (640x384)") {
            faces = try detector.detect(in: frame).sorted { $0.box.area > $1.box.area }
        }
        guard !faces.isEmpty else { throw FaceEngineError(.invalidArgument, "no face in frame 40 of \(clip)") }
        try step("first dlib embedding, one face") { _ = try embedder.embed([faces[0]], in: frame) }
        try step("dlib embeddings, \(faces.count) faces at once") { _ = try embedder.embed(faces, in: frame) }
        let extractor = FeatureExtractor(embedder: embedder, faceNet: faceNet)
        try step("first FaceNet embedding (second look, flip-averaged)") {
            _ = try extractor.faceNetEmbeddings([faces[0]], in: frame, flipAveraged: true)
        }
        try step("60 more frames decoded and detected") {
            for _ in 0..<60 { if let next = try video.read() { _ = try detector.detect(in: next) } }
        }
        print(label("resident now; peak (VmHWM)") + String(format: "%8.1f; %.1f", last, peakMiB()))
    }

    static func label(_ text: String) -> String { text.padding(toLength: 56, withPad: " ", startingAt: 0) }
    static func residentMiB() -> Double { statusField("VmRSS:") }
    static func peakMiB() -> Double { statusField("VmHWM:") }

    private static func statusField(_ name: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
            let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kib / 1024
    }
}
