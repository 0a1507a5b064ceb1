import Dispatch
import FaceEngine
import FaceTemplates
import Foundation

/// Per-stage latency of the vision path: median of repeated runs, with ratios against a baseline
/// run in the same process (1 OpenCV thread for detection; a scalar loop for matching).
///
///     swift run -c release StageBenchmark [--repeats N]
@main
enum StageBenchmark {
    static func main() throws {
        let args = CommandLine.arguments
        let repeats = args.firstIndex(of: "--repeats").flatMap { Int(args[$0 + 1]) } ?? 15
        let models = ModelStore.locate()
        let detector = try models.makeDetector(settings: DetectorSettings(maxSide: 1280))
        let pipelineDetector = try models.makeDetector()
        let embedder = try models.makeEmbedder()
        let scene = try sceneFrame()
        print(
            "stage benchmark: median of \(repeats) runs, release build, \(ProcessInfo.processInfo.activeProcessorCount) cores"
        )
        print(row("stage", "median ms", "baseline ms", "ratio"))

        for (w, h) in [(640, 480), (1280, 720)] {
            let frame = try scene.resized(width: w, height: h)
            FaceDetector.setThreads(1)
            let one = try median(repeats) { _ = try detector.detect(in: frame) }
            FaceDetector.setThreads(2)
            let two = try median(repeats) { _ = try detector.detect(in: frame) }
            print(row("detect \(w)x\(h) full size (2 threads vs 1)", two, one, one / two))
        }
        let hd = try scene.resized(width: 1280, height: 720)
        let scaled = try median(repeats) { _ = try pipelineDetector.detect(in: hd) }
        let full = try median(repeats) { _ = try detector.detect(in: hd) }
        print(row("detect 1280x720 scaled to 640x384 (vs full)", scaled, full, full / scaled))
        // Throughput alternative: two single-thread nets on alternate frames.
        let small = try scene.resized(width: 640, height: 360)
        let second = try models.makeDetector()
        FaceDetector.setThreads(1)
        nonisolated(unsafe) let pair = [pipelineDetector, second]  // each net is used by one thread only
        let parallel =
            try median(repeats) {
                DispatchQueue.concurrentPerform(iterations: 2) { i in _ = try? pair[i].detect(in: small) }
            } / 2
        FaceDetector.setThreads(2)
        let serial = try median(repeats) { _ = try pipelineDetector.detect(in: small) }
        print(row("detect 640x360: 2 nets x 1 thread (vs 1 x 2)", parallel, serial, serial / parallel))

        let frame = try scene.resized(width: 1280, height: 720)
        let faces = try detector.detect(in: frame)
        guard let face = faces.first else { throw FaceEngineError(.invalidArgument, "no face in the benchmark frame") }
        print(row("landmarks, per face", try median(repeats) { _ = try embedder.landmarks([face], in: frame) }))
        print(row("embedding, per face", try median(repeats) { _ = try embedder.embed([face], in: frame) }))
        let batch = Array(faces.prefix(8))
        let batched = try median(max(3, repeats / 3)) { _ = try embedder.embed(batch, in: frame) } / Double(batch.count)
        print(row("embedding, per face in a batch of \(batch.count)", batched))
        let plain = try median(repeats) { _ = try embedder.embed([face], in: frame) }
        let flipped = try median(repeats) { _ = try embedder.embed([face], in: frame, flipAveraged: true) }
        print(row("embedding flip-averaged, per face (vs plain)", flipped, plain, plain / flipped))
        let extractor = FeatureExtractor(embedder: embedder, faceNet: try models.makeFaceNetEmbedder())
        let faceNetMs = try median(repeats) {
            _ = try extractor.faceNetEmbeddings([face], in: frame, flipAveraged: false)
        }
        print(row("FaceNet chip + embedding, per face (vs dlib)", faceNetMs, plain, plain / faceNetMs))

        var generator = SystemRandomNumberGenerator()
        func randomEmbedding() -> Embedding {
            let v = (0..<Embedding.dimension).map { _ in Float.random(in: -1...1, using: &generator) }
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return Embedding(v.map { $0 / n })
        }
        for count in [1_000, 10_000, 100_000] {
            let entries = (0..<count).map { WatchlistEntry(subject: "s\($0)", templates: [randomEmbedding()]) }
            let matcher = Matcher(entries: entries)
            let probes = (0..<repeats).map { _ in randomEmbedding() }
            var i = 0
            let fast = try median(repeats) {
                _ = matcher.nearest(to: probes[i % probes.count])
                i += 1
            }
            let slow = try median(max(3, repeats / 3)) {
                _ = entries.min { $0.templates[0].distance(to: probes[0]) < $1.templates[0].distance(to: probes[0]) }
            }
            print(row("match \(count) templates (BLAS vs scalar loop)", fast, slow, slow / fast))
        }
        // The fused rule: both models' distances to every entry and to a 1,000-face cohort, then the normaliser.
        func randomSecond() -> FaceNetEmbedding {
            let v = (0..<FaceNetEmbedding.dimension).map { _ in Float.random(in: -1...1, using: &generator) }
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return FaceNetEmbedding(v.map { $0 / n })
        }
        let cohort = (0..<1_000).map { _ in FaceFeatures(dlib: randomEmbedding(), faceNet: randomSecond()) }
        for count in [1_000, 10_000, 100_000] {
            let entries = (0..<count).map {
                WatchlistEntry(subject: "s\($0)", templates: [randomEmbedding()], faceNetTemplates: [randomSecond()])
            }
            let plainMatcher = Matcher(entries: entries)
            let fused = try Matcher(entries: entries, rule: .recommended, cohort: cohort)
            let probes = (0..<repeats).map { _ in FaceFeatures(dlib: randomEmbedding(), faceNet: randomSecond()) }
            var i = 0, j = 0
            let fusedMs = try median(repeats) {
                _ = fused.nearest(to: probes[i % probes.count])
                i += 1
            }
            let plainMs = try median(repeats) {
                _ = plainMatcher.nearest(to: probes[j % probes.count].dlib)
                j += 1
            }
            print(row("match fused \(count) + 1,000 cohort (vs dlib only)", fusedMs, plainMs, plainMs / fusedMs))
        }
    }

    /// A real crowd frame when the shared clips are present, else a public test photo.
    static func sceneFrame() throws -> Image {
        let datasets = ProcessInfo.processInfo.environment["WATCHPOST_DATASETS"] ?? "../shared/datasets"
        let clip = datasets + "/videos/facenet-pytorch/video.mp4"
        if FileManager.default.fileExists(atPath: clip) {
            let video = try VideoSource(source: clip)
            for _ in 0..<30 { _ = try video.read() }
            if let frame = try video.read() { return frame }
        }
        print("(crowd clip not found under \(datasets); using .testdata/obama.jpg)")
        return try Image(contentsOf: ".testdata/obama.jpg")
    }
}

/// Median wall time of `runs` calls in milliseconds, after one warm-up call.
func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - start
        times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }
    times.sort()
    return times[times.count / 2]
}

func row(_ name: String, _ value: Double, _ baseline: Double? = nil, _ ratio: Double? = nil) -> String {
    row(
        name, String(format: "%.3f", value), baseline.map { String(format: "%.3f", $0) } ?? "",
        ratio.map { String(format: "%.1fx", $0) } ?? "")
}

func row(_ a: String, _ b: String, _ c: String, _ d: String) -> String {
    a.padding(toLength: 48, withPad: " ", startingAt: 0) + b.leftPadded(12) + c.leftPadded(14) + d.leftPadded(8)
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
