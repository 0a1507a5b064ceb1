@testable import EdgeNode
import FaceTemplates
import Foundation
import Shared
import TestSupport
import XCTest

/// `edge-node enrol --cohort-centroids`: the watchlist carries centroids of people, never one
/// stranger's face, and the threshold measured for such cohorts.
final class CentroidCohortEnrolTests: XCTestCase {
    private let edgeNode = Fixtures.executable("edge-node")

    /// A cohort folder of `count` lfw_dev people with one photo each, through symlinks (never copied).
    private func lfwCohort(_ count: Int, in folder: String) throws -> String {
        let cohort = folder + "/cohort"
        for (person, photo) in try Fixtures.lfwSinglePhotoPeople(count) {
            try FileManager.default.createDirectory(atPath: "\(cohort)/\(person)", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: "\(cohort)/\(person)/photo.jpg", withDestinationPath: photo)
        }
        return cohort
    }

    private func subjectFolder(in folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder + "/enrol/s1", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/enrol/s1/a.jpg", withDestinationPath: try Fixtures.photo("obama.jpg"))
        return folder + "/enrol"
    }

    func testCentroidCohort_holdsNoPersonsFace_andStoresTheCentroidThreshold() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let cohort = try lfwCohort(12, in: folder), enrol = try subjectFolder(in: folder)
        for (out, extra) in [("faces.json", [String]()), ("centroids.json", ["--cohort-centroids", "5"])] {
            let r = try ChildProcess.run(edgeNode, ["enrol", "--from", enrol, "--out", "\(folder)/\(out)", "--cohort-from", cohort,
                                                    "--face", "central"] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let faces = try TemplateWatchlist.load(path: folder + "/faces.json")
        let centroids = try TemplateWatchlist.load(path: folder + "/centroids.json")
        XCTAssertEqual(faces.cohort.count, 12)
        XCTAssertNil(faces.threshold, "a list with the cohort's faces gets its threshold when run")
        XCTAssertEqual(centroids.cohort.count, 2, "12 people in groups of at least 5")
        XCTAssertEqual(centroids.threshold, EdgeDefaults.centroidCohort.threshold(listSize: 1))
        XCTAssertNotEqual(centroids.threshold, EdgeDefaults.threshold(for: .recommended, cohortFaces: 2, listSize: 1),
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
            try fm.createSymbolicLink(atPath: "\(folder)/cohort/obama/\(i).jpg", withDestinationPath: try Fixtures.photo(name))
        }
        try fm.createSymbolicLink(atPath: folder + "/cohort/biden/b.jpg", withDestinationPath: try Fixtures.photo("biden.jpg"))
        let r = try ChildProcess.run(edgeNode, ["enrol", "--from", try subjectFolder(in: folder), "--out", folder + "/list.json",
                                                "--cohort-from", folder + "/cohort", "--cohort-centroids", "5"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssert(r.stderr.contains("gave the faces of 2 people, fewer than one centroid averages"), r.stderr)
        XCTAssertFalse(fm.fileExists(atPath: folder + "/list.json"))
    }

    func testCentroidOptions_thatCannotHoldThePromise_areRefused() throws {
        for (args, expected) in [(["--cohort-centroids", "4", "--cohort-from", "/tmp"], "at least 5 people"),
                                 (["--cohort-centroids", "5"], "--cohort-centroids needs --cohort-from")] {
            let r = try ChildProcess.run(edgeNode, ["enrol", "--from", "/tmp", "--out", "/tmp/never.json"] + args)
            XCTAssertNotEqual(r.status, 0)
            XCTAssert(r.stderr.contains(expected), "\(args): \(r.stderr)")
        }
    }
}
