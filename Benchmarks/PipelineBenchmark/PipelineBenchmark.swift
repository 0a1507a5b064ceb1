import FaceEngine
import Foundation

/// End-to-end throughput, capture-to-alert latency and peak RSS of the real `edge-node run`
/// process on the shared clips, and the Python face_recognition loop on the same clips in the
/// same benchmark run (when scripts/setup-baseline.sh has installed it), with the ratio.
///
///     swift run -c release PipelineBenchmark [--repeats N] [--no-baseline]
@main
enum PipelineBenchmark {
    struct Clip {
        let name: String
        let path: String
        /// Edge settings file for this run and what it changes (nil: the defaults).
        var config: (path: String, label: String)? = nil
        /// Photos enrolled for the run, as (subject, image path).
        let enrol: [(String, String)]
    }

    static func main() {
        do { try measure() } catch {
            FileHandle.standardError.write(Data("pipeline benchmark failed: \(error)\n".utf8))
            exit(1)
        }
    }

    static func measure() throws {
        let args = CommandLine.arguments
        let repeats = args.firstIndex(of: "--repeats").flatMap { Int(args[$0 + 1]) } ?? 3
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let edgeNode = bin + "/edge-node"
        let datasets = ProcessInfo.processInfo.environment["WATCHPOST_DATASETS"] ?? "../shared/datasets"
        let videos = URL(fileURLWithPath: datasets + "/videos").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: videos) else {
            print("pipeline benchmark: \(videos) not found (set WATCHPOST_DATASETS); nothing to measure")
            return
        }
        let work = NSTemporaryDirectory() + "watchpost-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        let hamilton = Clip(
            name: "Hamilton 640x360", path: videos + "/face_recognition/short_hamilton_clip.mp4",
            enrol: [
                (
                    "Lin_Manuel_Miranda",
                    videos + "/face_recognition/hamilton_enroll/Lin_Manuel_Miranda/lin-manuel-miranda.png"
                ),
                ("Barack_Obama", videos + "/face_recognition/hamilton_enroll/Barack_Obama/obama.jpg"),
            ])
        let crowdPath = videos + "/facenet-pytorch/video.mp4"
        // Nobody in the crowd clip is known: enrol two of its own faces (frame 40) so that alerts, and their latency, exist.
        let crowd = Clip(
            name: "crowd 1920x1080", path: crowdPath,
            enrol: try facesFromClip(crowdPath, frame: 40, count: 2, into: work))
        let baseline = args.contains("--no-baseline") ? nil : baselinePython()
        // The same clips detecting on every frame: what the detection schedule buys, within this run.
        let everyFrame = (path: work + "/detect-every-frame.json", label: "detect every frame")
        try #"{"detection": {"interval_frames": 1}}"#.write(toFile: everyFrame.path, atomically: true, encoding: .utf8)
        var hamiltonEveryFrame = hamilton, crowdEveryFrame = crowd
        hamiltonEveryFrame.config = everyFrame
        crowdEveryFrame.config = everyFrame

        print(
            "pipeline benchmark: edge-node (release) vs face_recognition loop; median of \(repeats) runs, every frame and paced alike"
        )
        print(
            "clip                                             | fps (all frames) | capture-to-decision p50/p95 ms (realtime) | capture-to-alert p50/p95 ms | dropped (realtime) | peak RSS MiB | alerts | baseline fps | ratio | faces: baseline vs ours"
        )
        for clip in [hamilton, hamiltonEveryFrame, crowd, crowdEveryFrame] {
            let list = try enrolWatchlist(clip, edgeNode: edgeNode, work: work)
            var fps: [Double] = [], rss: [Double] = [], alerts = 0, faces = 0, detectedOn = "-"
            for _ in 0..<repeats {
                let r = try runEdge(edgeNode, clip: clip, watchlist: list, realtime: false, work: work)
                fps.append(r["frames_per_second"] as! Double)
                rss.append(r["peak_rss_mib"] as! Double)
                alerts = r["alerts"] as! Int
                faces = r["faces_detected"] as! Int
                detectedOn = "\(r["frames_detected"] as! Int) of \(r["frames_processed"] as! Int) frames"
            }
            // Paced runs vary most on a shared machine (frames dropped by a factor of two between
            // runs minutes apart): each figure is the median of the runs, with the drops' range.
            let live = try (0..<repeats).map { _ in
                try runEdge(edgeNode, clip: clip, watchlist: list, realtime: true, work: work)
            }
            func pair(_ key: String) -> String {
                let f = { (k: String) in
                    let values = live.compactMap { $0[k] as? Double }
                    return values.isEmpty ? "-" : String(format: "%.0f", median(values))
                }
                return "\(f(key + "_p50")) / \(f(key + "_p95"))"
            }
            let drops = live.map { Double($0["frames_dropped"] as! Int) }
            var baseFPS = "-", ratio = "-", baseFaces = "-"
            if let python = baseline, clip.config == nil {
                let b = try runBaseline(python, clip: clip.path, known: clip.enrol.map(\.1))
                let f = b["fps"] as! Double
                baseFPS = String(format: "%.2f", f)
                ratio = String(format: "%.1fx", median(fps) / f)
                baseFaces = "\(b["faces"] as! Int)"
            }
            let name = clip.name + (clip.config.map { ", " + $0.label } ?? "")
            print(
                [
                    name.padding(toLength: 48, withPad: " ", startingAt: 0),
                    String(format: "%16.1f", median(fps)),
                    pair("decision_latency_ms").leftPadded(41), pair("alert_latency_ms").leftPadded(27),
                    String(format: "%5.0f (%3.0f-%3.0f)", median(drops), drops.min()!, drops.max()!).leftPadded(18),
                    String(format: "%12.0f", rss.max() ?? 0), String(format: "%6d", alerts),
                    baseFPS, ratio, "\(baseFaces) vs \(faces) (ours on \(detectedOn))",
                ].joined(separator: " | "))
        }
    }

    static func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }

    /// Crops the largest faces of one frame into temporary enrolment photos (deleted with the work folder).
    static func facesFromClip(_ clip: String, frame: Int, count: Int, into work: String) throws -> [(String, String)] {
        guard FileManager.default.fileExists(atPath: clip) else { return [] }
        let video = try VideoSource(source: clip)
        for _ in 0..<frame { _ = try video.read() }
        guard let image = try video.read() else { return [] }
        let faces = try ModelStore.locate().makeDetector(settings: DetectorSettings(maxSide: 1920)).detect(in: image)
            .sorted { $0.box.area > $1.box.area }.prefix(count)
        return try faces.enumerated().map { i, face in
            let path = "\(work)/crowd-\(i).jpg"
            _ = FileManager.default.createFile(
                atPath: path, contents: Data(try image.jpeg(of: face.box.expanded(by: 0.5))))
            return ("crowd-\(i)", path)
        }
    }

    static func enrolWatchlist(_ clip: Clip, edgeNode: String, work: String) throws -> String {
        let folder = "\(work)/enrol-\(UUID().uuidString)"
        for (subject, image) in clip.enrol {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(subject)", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: "\(folder)/\(subject)/\((image as NSString).lastPathComponent)", withDestinationPath: image)
        }
        let out = folder + ".json"
        _ = try run(edgeNode, ["enrol", "--from", folder, "--out", out, "--allow-rejections"])
        return out
    }

    static func runEdge(_ edgeNode: String, clip: Clip, watchlist: String, realtime: Bool, work: String) throws
        -> [String: Any]
    {
        let report = "\(work)/report-\(UUID().uuidString).json"
        _ = try run(
            edgeNode,
            ["run", "--source", clip.path, "--watchlist", watchlist, "--report", report]
                + (realtime ? ["--realtime"] : []) + (clip.config.map { ["--config", $0.path] } ?? []))
        return try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
    }

    static func baselinePython() -> String? {
        let python = FileManager.default.currentDirectoryPath + "/.venv-baseline/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("(baseline not installed: run scripts/setup-baseline.sh for the face_recognition comparison)")
            return nil
        }
        return python
    }

    static func runBaseline(_ python: String, clip: String, known: [String]) throws -> [String: Any] {
        let out = try run(python, ["Benchmarks/baseline/face_recognition_loop.py", clip] + known)
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
    }

    /// Runs a process to completion, returning its standard output; fails loudly on a non-zero exit.
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw BenchmarkFailure(
                description: "\(executable) \(arguments.joined(separator: " ")) failed:\n"
                    + String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
