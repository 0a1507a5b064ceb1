import Foundation
import TestSupport
import XCTest

/// `coordinator evaluate` end to end on a tiny dataset made of the public test photos.
final class EvaluateTests: XCTestCase {
    private let coordinator = Fixtures.executable("coordinator")

    /// Barack: obama.jpg (enrolled), obama2.jpg and obama3.jpg (mated probes). Joe: biden.jpg (non-mated probe).
    private func tinyDataset() throws -> String {
        let root = try Fixtures.temporaryFolder(self) + "/data"
        let fm = FileManager.default
        for (identity, photos) in [("Barack", ["obama.jpg", "obama2.jpg", "obama3.jpg"]), ("Joe", ["biden.jpg"])] {
            try fm.createDirectory(atPath: "\(root)/\(identity)", withIntermediateDirectories: true)
            for p in photos { try fm.copyItem(atPath: try Fixtures.photo(p), toPath: "\(root)/\(identity)/\(p)") }
        }
        return root
    }

    func testTinyDataset_reportsTheProtocolCountsAndRates() throws {
        let data = try tinyDataset()
        let out = try Fixtures.temporaryFolder(self)
        let r = try ChildProcess.run(
            coordinator,
            [
                "evaluate", "--dataset", data, "--json", out + "/r.json", "--det", out + "/det.csv",
                "--det-svg", out + "/det.svg", "--threshold", "0.47", "--list-sizes", "1",
                "--scoring", "dlib",
            ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("mated searches: 2"), r.stdout)
        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/r.json")))
            as! [String: Any]
        XCTAssertEqual(report["mated"] as? Int, 2)
        XCTAssertEqual(report["non_mated"] as? Int, 1)
        XCTAssertEqual((report["detection_failures"] as? [String: Any])?["total"] as? Int, 0)
        let fixed = try XCTUnwrap(report["fixed_threshold"] as? [String: Any])
        XCTAssertEqual(fixed["tpir"] as? Double, 1, "both other Obama photos lie within 0.47 of the first")
        XCTAssertEqual(fixed["fpir"] as? Double, 0, "Biden does not")
        let points = try XCTUnwrap(report["operating_points"] as? [[String: Any]])
        XCTAssertEqual(points.compactMap { $0["fpir"] as? Double }, [0.01, 0.001])
        for p in points {
            XCTAssertNotNil(p["threshold"] as? Double)
            XCTAssertNotNil(p["tpir"] as? Double)
        }
        let thresholds = try XCTUnwrap(report["thresholds"] as? [[String: Any]])
        XCTAssertFalse(thresholds.isEmpty)
        XCTAssert(thresholds.allSatisfy { $0["threshold"] != nil && $0["tpir"] != nil && $0["fpir"] != nil })
        XCTAssert(try String(contentsOfFile: out + "/det.csv", encoding: .utf8).hasPrefix("threshold,fpir,fnir\n"))
        XCTAssert(try String(contentsOfFile: out + "/det.svg", encoding: .utf8).contains("<svg"))
    }

    /// The product's rule: flip-averaged dlib + FaceNet, normalised; Biden's photo is the cohort of
    /// every other search (two-fold), and never of its own.
    func testFusedScoring_matchesObama_notBiden_andSaysHowItScored() throws {
        let data = try tinyDataset()
        let out = try Fixtures.temporaryFolder(self) + "/r.json"
        let r = try ChildProcess.run(
            coordinator, ["evaluate", "--dataset", data, "--json", out, "--threshold", "0.6", "--list-sizes", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("scoring: fused   cohort: two-fold"), r.stdout)
        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        XCTAssertEqual(report["scoring"] as? String, "fused")
        XCTAssertEqual(report["cohort"] as? String, "two-fold")
        let fixed = try XCTUnwrap(report["fixed_threshold"] as? [String: Any])
        XCTAssertEqual(fixed["tpir"] as? Double, 1)
        XCTAssertEqual(fixed["fpir"] as? Double, 0)
        let bad = try ChildProcess.run(coordinator, ["evaluate", "--dataset", data, "--cohort", "everyone"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssert(bad.stderr.contains("everyone"), bad.stderr)
    }

    func testGroups_reportRatesPerGroup_andBadGroupFilesAreRefusedBeforeAnyWork() throws {
        let data = try tinyDataset()
        let out = try Fixtures.temporaryFolder(self)
        try "identity,group\nBarack,A\nJoe,B\n".write(toFile: out + "/g.csv", atomically: true, encoding: .utf8)
        let r = try ChildProcess.run(
            coordinator, ["evaluate", "--dataset", data, "--json", out + "/r.json", "--groups", out + "/g.csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/r.json")))
            as! [String: Any]
        let groups = try XCTUnwrap((report["groups"] as? [String: Any])?["groups"] as? [[String: Any]])
        XCTAssertEqual(groups.compactMap { $0["group"] as? String }, ["A", "B"])
        XCTAssertEqual(groups[0]["mated"] as? Int, 2)
        XCTAssertEqual((groups[0]["rates"] as? [String: Any])?["tpir"] as? Double, 1)
        XCTAssertEqual(groups[1]["non_mated"] as? Int, 1)
        XCTAssertNotNil(report["false_match_spread"] as? [String: Any])

        try "Barack,A\nJoe\n".write(toFile: out + "/bad.csv", atomically: true, encoding: .utf8)
        let bad = try ChildProcess.run(coordinator, ["evaluate", "--dataset", data, "--groups", out + "/bad.csv"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssert(bad.stderr.contains("groups file \(out)/bad.csv line 2"), bad.stderr)
    }

    func testEnrolFraction_turnsTheOthersIntoNonMatedSearches() throws {
        let data = try tinyDataset()
        try FileManager.default.createDirectory(atPath: data + "/Twin", withIntermediateDirectories: true)
        for p in ["obama2.jpg", "obama3.jpg"] {
            try FileManager.default.copyItem(atPath: try Fixtures.photo(p), toPath: "\(data)/Twin/\(p)")
        }
        let out = try Fixtures.temporaryFolder(self) + "/r.json"
        let r = try ChildProcess.run(
            coordinator, ["evaluate", "--dataset", data, "--json", out, "--enrol-fraction", "0.5"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        XCTAssertEqual(report["identities_enrolled"] as? Int, 1)
        XCTAssertEqual(
            (report["mated"] as? Int ?? 0) + (report["non_mated"] as? Int ?? 0), 5,
            "every image but the one enrolment image is a search")
        XCTAssertNotEqual(
            try ChildProcess.run(coordinator, ["evaluate", "--dataset", data, "--enrol-fraction", "0"]).status, 0)
    }

    func testSameInputs_giveTheSameReport() throws {
        let data = try tinyDataset()
        let out = try Fixtures.temporaryFolder(self)
        for name in ["a", "b"] {
            let r = try ChildProcess.run(coordinator, ["evaluate", "--dataset", data, "--json", "\(out)/\(name).json"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: out + "/a.json")),
            try Data(contentsOf: URL(fileURLWithPath: out + "/b.json")))
    }
}
