import Enrolment
import FaceTemplates
import Foundation
import Shared
import TestSupport
import XCTest

@testable import EdgeNode

/// What `edge-node enrol` stores for lists whose file cannot say how they were made: with
/// `--cohort-centroids` the watchlist carries centroids of people, never one stranger's face, and
/// the threshold measured for such cohorts; with `--photos fused` the threshold measured for fused
/// lists. And the default `run` gives a list whose subjects have several templates.
final class EnrolStoredThresholdTests: XCTestCase {
    private let edgeNode = Fixtures.executable("edge-node")

    /// A cohort folder of `count` lfw_dev people with one photo each, through symlinks (never copied).
    private func lfwCohort(_ count: Int, in folder: String) throws -> String {
        let cohort = folder + "/cohort"
        for (person, photo) in try Fixtures.lfwSinglePhotoPeople(count) {
            try FileManager.default.createDirectory(atPath: "\(cohort)/\(person)", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: "\(cohort)/\(person)/photo.jpg", withDestinationPath: photo)
        }
        return cohort
    }

    private func subjectFolder(in folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder + "/enrol/s1", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/enrol/s1/a.jpg", withDestinationPath: try Fixtures.photo("obama.jpg"))
        return folder + "/enrol"
    }

    func testCentroidCohort_holdsNoPersonsFace_andStoresTheCentroidThreshold() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let cohort = try lfwCohort(12, in: folder), enrol = try subjectFolder(in: folder)
        for (out, extra) in [("faces.json", [String]()), ("centroids.json", ["--cohort-centroids", "5"])] {
            let r = try ChildProcess.run(
                edgeNode,
                [
                    "enrol", "--from", enrol, "--out", "\(folder)/\(out)", "--cohort-from", cohort,
                    "--face", "central",
                ] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let faces = try TemplateWatchlist.load(path: folder + "/faces.json")
        let centroids = try TemplateWatchlist.load(path: folder + "/centroids.json")
        XCTAssertEqual(faces.cohort.count, 12)
        XCTAssertNil(faces.threshold, "a list with the cohort's faces gets its threshold when run")
        XCTAssertEqual(centroids.cohort.count, 2, "12 people in groups of at least 5")
        XCTAssertEqual(centroids.threshold, MeasuredThresholds.centroidCohort.threshold(listSize: 1))
        XCTAssertNotEqual(
            centroids.threshold, MeasuredThresholds.threshold(for: .recommended, cohortFaces: 2, listSize: 1),
            "run would otherwise take a two-template cohort for none")
        // Each centroid is far from every face it averages: none is one person's face.
        for centroid in centroids.cohort {
            let nearest = faces.cohort.map { centroid.dlib.distance(to: $0.dlib) }.min()!
            XCTAssertGreaterThan(nearest, 0.2)
        }
        XCTAssertEqual(centroids.entries.map(\.subject), ["s1"])
    }

    func testCentroids_averagePeopleNotPhotos_soOnePersonsManyPhotosAreRefused() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder + "/cohort/obama", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: folder + "/cohort/biden", withIntermediateDirectories: true)
        for (i, name) in ["obama.jpg", "obama2.jpg", "obama3.jpg", "obama.jpg", "obama2.jpg"].enumerated() {
            try fm.createSymbolicLink(
                atPath: "\(folder)/cohort/obama/\(i).jpg", withDestinationPath: try Fixtures.photo(name))
        }
        try fm.createSymbolicLink(
            atPath: folder + "/cohort/biden/b.jpg", withDestinationPath: try Fixtures.photo("biden.jpg"))
        let r = try ChildProcess.run(
            edgeNode,
            [
                "enrol", "--from", try subjectFolder(in: folder), "--out", folder + "/list.json",
                "--cohort-from", folder + "/cohort", "--cohort-centroids", "5",
            ])
        XCTAssertNotEqual(r.status, 0)
        XCTAssert(r.stderr.contains("gave the faces of 2 people, fewer than one centroid averages"), r.stderr)
        XCTAssertFalse(fm.fileExists(atPath: folder + "/list.json"))
    }

    func testCentroidOptions_thatCannotHoldThePromise_areRefused() throws {
        for (args, expected) in [
            (["--cohort-centroids", "4", "--cohort-from", "/tmp"], "at least 5 people"),
            (["--cohort-centroids", "5"], "--cohort-centroids needs --cohort-from"),
        ] {
            let r = try ChildProcess.run(edgeNode, ["enrol", "--from", "/tmp", "--out", "/tmp/never.json"] + args)
            XCTAssertNotEqual(r.status, 0)
            XCTAssert(r.stderr.contains(expected), "\(args): \(r.stderr)")
        }
    }

    /// One subject with two photos of Obama.
    private func twoPhotoSubject(in folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder + "/enrol/s1", withIntermediateDirectories: true)
        for name in ["obama.jpg", "obama2.jpg"] {
            try FileManager.default.createSymbolicLink(
                atPath: "\(folder)/enrol/s1/\(name)", withDestinationPath: try Fixtures.photo(name))
        }
    }

    func testFusedPhotos_storeTheThresholdMeasuredForFusedLists_andSeparateOnesStoreNone() throws {
        let folder = try Fixtures.temporaryFolder(self)
        try twoPhotoSubject(in: folder)
        for photos in ["fused", "separate"] {
            let r = try ChildProcess.run(
                edgeNode,
                ["enrol", "--from", folder + "/enrol", "--out", "\(folder)/\(photos).json", "--photos", photos])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let fused = try TemplateWatchlist.load(path: folder + "/fused.json")
        XCTAssertEqual(fused.threshold, MeasuredThresholds.fusedListAsCohort.threshold(listSize: 1))
        XCTAssertLessThan(
            try XCTUnwrap(fused.threshold), MeasuredThresholds.threshold(for: .recommended, cohortFaces: 0, listSize: 1)
        )
        XCTAssertNil(
            try TemplateWatchlist.load(path: folder + "/separate.json").threshold, "chosen when run, from its templates"
        )
    }

    func testFusedPhotosWithCentroids_haveNoMeasuredThreshold_andNeedOne() throws {
        let folder = try Fixtures.temporaryFolder(self)
        try twoPhotoSubject(in: folder)
        let cohort = try lfwCohort(5, in: folder)
        let r = try ChildProcess.run(
            edgeNode,
            [
                "enrol", "--from", folder + "/enrol", "--out", folder + "/both.json", "--photos", "fused",
                "--cohort-from", cohort, "--cohort-centroids", "5", "--face", "central",
            ])
        XCTAssertNotEqual(r.status, 0)
        XCTAssert(
            r.stderr.contains("--photos fused with --cohort-centroids has no measured default threshold"), r.stderr)
    }

    /// A plain list with a full cohort whose subject has two templates runs at the stricter
    /// threshold measured for such lists (the trace's first line says which).
    func testRun_givesAListWithSeveralTemplatesPerSubject_theStricterDefault() throws {
        let folder = try Fixtures.temporaryFolder(self)
        func unit(_ seed: Int, _ count: Int) -> [Float] {
            var generator = SplitMix(seed: UInt64(seed))
            let v = (0..<count).map { _ in Float(generator.next() % 1000) / 1000 - 0.5 }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / norm }
        }
        let cohort = (0..<1000).map {
            FaceFeatures(
                dlib: Embedding(unit($0, Embedding.dimension)),
                faceNet: FaceNetEmbedding(unit($0 + 5000, FaceNetEmbedding.dimension)))
        }
        let clip = try Fixtures.syntheticClip(self, frames: 5, fps: 5)
        for (name, templates) in [("one", 1), ("two", 2)] {
            let entry = WatchlistEntry(
                subject: "s1",
                features: (0..<templates).map {
                    FaceFeatures(
                        dlib: Embedding(unit(9000 + $0, Embedding.dimension)),
                        faceNet: FaceNetEmbedding(unit(9100 + $0, FaceNetEmbedding.dimension)))
                })
            try TemplateWatchlist(threshold: nil, rule: .recommended, entries: [entry], cohort: cohort).save(
                path: "\(folder)/\(name).json")
            let r = try ChildProcess.run(
                edgeNode,
                [
                    "run", "--source", clip, "--watchlist", "\(folder)/\(name).json", "--trace",
                    "\(folder)/\(name).jsonl",
                ])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        func threshold(_ name: String) throws -> Double {
            let first = try String(contentsOfFile: "\(folder)/\(name).jsonl", encoding: .utf8).split(separator: "\n")[0]
            return try XCTUnwrap(
                (try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])?["threshold"] as? Double)
        }
        XCTAssertEqual(
            try threshold("one"), Double(MeasuredThresholds.withCohort.threshold(listSize: 1)), accuracy: 1e-6)
        XCTAssertEqual(
            try threshold("two"), Double(MeasuredThresholds.twoTemplatesWithCohort.threshold(listSize: 1)),
            accuracy: 1e-6)
    }
}

/// A small deterministic generator, so the synthetic templates are the same on every run.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
