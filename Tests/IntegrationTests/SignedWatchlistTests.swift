import Foundation
import TestSupport
import XCTest

/// The intelligence team's flow with real processes: keys, a manifest, build, 2-of-3 signing,
/// inspection, and an edge node that runs only what its trusted signers authorised.
final class SignedWatchlistTests: XCTestCase {
    private let coordinator = Fixtures.executable("coordinator")
    private let edgeNode = Fixtures.executable("edge-node")

    private func ok(_ exe: String, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws
        -> String
    {
        let r = try ChildProcess.run(exe, args)
        XCTAssertEqual(r.status, 0, "\(args.prefix(3)): \(r.stderr)", file: file, line: line)
        return r.stdout
    }

    private func fails(_ exe: String, _ args: [String]) throws -> String {
        let r = try ChildProcess.run(exe, args)
        XCTAssertNotEqual(r.status, 0, "should fail: \(args.prefix(3))")
        return r.stderr
    }

    /// A 2-second clip of one photo, as a camera would see a person standing still.
    private func clip(of photo: String, in folder: String) throws -> String {
        let out = folder + "/clip.mp4"
        let ffmpeg = try ChildProcess(
            "/usr/bin/ffmpeg",
            [
                "-loglevel", "error", "-y", "-loop", "1", "-t", "2", "-i", photo,
                "-vf", "scale=640:-2", "-r", "10", "-pix_fmt", "yuv420p", out,
            ])
        XCTAssertEqual(ffmpeg.wait(), 0, ffmpeg.stderr)
        return out
    }

    func testBuildSignShowAndRun_withTwoOfThreeSigners() throws {
        let dir = try Fixtures.temporaryFolder(self)
        var publicKeys: [String] = []
        for name in ["officer", "authoriser", "third"] {
            let out = try ok(coordinator, ["keys", "new-signer", "--out", "\(dir)/\(name).key"])
            XCTAssert(out.contains("public key"), out)
            XCTAssertEqual(
                try FileManager.default.attributesOfItem(atPath: "\(dir)/\(name).key")[.posixPermissions] as? Int, 0o600
            )
            publicKeys.append("\(dir)/\(name).key.pub")
        }
        XCTAssert(
            try fails(coordinator, ["keys", "new-signer", "--out", "\(dir)/officer.key"]).contains("already exists"))

        for p in ["obama.jpg", "obama2.jpg", "biden.jpg"] {
            try FileManager.default.copyItem(atPath: try Fixtures.photo(p), toPath: "\(dir)/\(p)")
        }
        try """
        subject_id,display_name,category,reason,image_source,image_paths
        s-101,"Obama, Barack",wanted,warrant 123/26,custody photo,obama.jpg;obama2.jpg
        s-102,Joe Biden,missing person,vulnerable adult,family photo,biden.jpg
        s-103,Nobody,wanted,warrant 9,unknown,missing.jpg
        """.write(toFile: "\(dir)/manifest.csv", atomically: true, encoding: .utf8)
        let build = [
            "watchlist", "build", "--manifest", "\(dir)/manifest.csv", "--deployment", "dep-7", "--watchlist-id",
            "wl-1",
            "--version", "3", "--expires", "2099-01-01T00:00:00Z", "--threshold", "0.6", "--out", "\(dir)/wl.bundle",
        ]
        let refused = try fails(coordinator, build)
        XCTAssert(refused.contains("subject s-103") && refused.contains("missing.jpg"), refused)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/wl.bundle"))
        _ = try ok(coordinator, build + ["--allow-rejections"])
        let bytes = try String(decoding: Data(contentsOf: URL(fileURLWithPath: "\(dir)/wl.bundle")), as: UTF8.self)
        XCTAssertFalse(
            bytes.contains("Obama") || bytes.contains("warrant"), "names and reasons stay at the coordinator")

        // Edge config: 2 of 3 trusted signers, this deployment.
        let config = "\(dir)/edge.json"
        let signers = publicKeys.map { "\"\($0)\"" }.joined(separator: ",")
        try #"{"watchlist": {"deployment_id": "dep-7", "required_signatures": 2, "trusted_signers": [\#(signers)]}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let video = try clip(of: "\(dir)/obama2.jpg", in: dir)
        let run = ["run", "--source", video, "--watchlist", "\(dir)/wl.bundle", "--config", config]

        XCTAssert(try fails(edgeNode, run).contains("(unsigned)"))
        _ = try ok(coordinator, ["watchlist", "sign", "--bundle", "\(dir)/wl.bundle", "--key", "\(dir)/officer.key"])
        XCTAssert(try fails(edgeNode, run).contains("(too_few_signers)"))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: "\(dir)/authoriser.key")
        XCTAssert(
            try fails(
                coordinator, ["watchlist", "sign", "--bundle", "\(dir)/wl.bundle", "--key", "\(dir)/authoriser.key"]
            )
            .contains("chmod 600"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(dir)/authoriser.key")
        _ = try ok(
            coordinator, ["watchlist", "sign", "--bundle", "\(dir)/wl.bundle", "--key", "\(dir)/authoriser.key"])

        let shown = try ok(coordinator, ["watchlist", "show", "--bundle", "\(dir)/wl.bundle"])
        XCTAssert(
            shown.contains("deployment:      dep-7")
                && shown.contains("subjects:        2 (3 templates; several photos per subject, one template each)"),
            shown)
        XCTAssertEqual(shown.components(separatedBy: " valid").count - 1, 2, shown)

        let alerts = try ok(edgeNode, run)
        XCTAssert(alerts.contains("\"subject\":\"s-101\""), "the signed list runs: \(alerts)")
        XCTAssertFalse(alerts.contains("\"subject\":\"s-102\""))
        XCTAssert(try fails(edgeNode, run + ["--threshold", "0.9"]).contains("cannot override a signed watchlist"))

        // One flipped byte in the payload: refused, with the reason.
        var tampered = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/wl.bundle"))
        tampered[40] ^= 0x01
        try tampered.write(to: URL(fileURLWithPath: "\(dir)/tampered.bundle"))
        XCTAssert(
            try fails(
                edgeNode, ["run", "--source", video, "--watchlist", "\(dir)/tampered.bundle", "--config", config]
            )
            .contains("(bad_signature)"))
        // Another deployment's node refuses it.
        try #"{"watchlist": {"deployment_id": "dep-8", "required_signatures": 2, "trusted_signers": [\#(signers)]}}"#
            .write(toFile: "\(dir)/other.json", atomically: true, encoding: .utf8)
        XCTAssert(
            try fails(
                edgeNode,
                ["run", "--source", video, "--watchlist", "\(dir)/wl.bundle", "--config", "\(dir)/other.json"]
            )
            .contains("(wrong_deployment)"))
        // A signed bundle without a trust configuration is not run.
        XCTAssert(
            try fails(edgeNode, ["run", "--source", video, "--watchlist", "\(dir)/wl.bundle"]).contains(
                "give --config with a watchlist section"))
    }

    func testBuild_printsTheExpectedRatesOfItsThresholdAndSize_fromAnEvaluationReport() throws {
        let dir = try Fixtures.temporaryFolder(self)
        let fm = FileManager.default
        for (identity, photos) in [("Barack", ["obama.jpg", "obama2.jpg", "obama3.jpg"]), ("Joe", ["biden.jpg"])] {
            try fm.createDirectory(atPath: "\(dir)/data/\(identity)", withIntermediateDirectories: true)
            for p in photos { try fm.copyItem(atPath: try Fixtures.photo(p), toPath: "\(dir)/data/\(identity)/\(p)") }
        }
        _ = try ok(
            coordinator,
            [
                "evaluate", "--dataset", "\(dir)/data", "--json", "\(dir)/eval.json", "--list-sizes", "1", "--cohort",
                "watchlist",
            ])
        _ = try ok(
            coordinator,
            ["evaluate", "--dataset", "\(dir)/data", "--json", "\(dir)/two-fold.json", "--list-sizes", "1"])
        try fm.copyItem(atPath: try Fixtures.photo("obama.jpg"), toPath: "\(dir)/obama.jpg")
        try "subject_id,display_name,category,reason,image_source,image_paths\ns-1,B,wanted,warrant,photo,obama.jpg\n"
            .write(toFile: "\(dir)/m.csv", atomically: true, encoding: .utf8)
        let build = [
            "watchlist", "build", "--manifest", "\(dir)/m.csv", "--deployment", "d", "--watchlist-id", "w", "--version",
            "1",
            "--expires", "2099-01-01T00:00:00Z", "--out", "\(dir)/b",
        ]
        // No --threshold: the highest one the report shows with FPIR <= 1e-3 at this list's size.
        let out = try ok(coordinator, build + ["--evaluation", "\(dir)/eval.json"])
        XCTAssert(
            out.contains("for a list evaluated at 1 people") && out.contains("TPIR 1.0000")
                && out.contains("FPIR 0.0000"), out)
        XCTAssert(try fails(coordinator, build).contains("give --threshold, or --evaluation"))
        // A report made with a separate cohort does not describe a bundle normalised by its own list.
        XCTAssert(
            try fails(coordinator, build + ["--evaluation", "\(dir)/two-fold.json"]).contains(
                "needs one made with --scoring fused --cohort watchlist"))
        let shown = try ok(
            coordinator, ["watchlist", "show", "--bundle", "\(dir)/b", "--evaluation", "\(dir)/eval.json"])
        XCTAssert(shown.contains("FPIR 0.0000"), shown)
        XCTAssert(
            try fails(coordinator, build + ["--evaluation", "\(dir)/missing.json"]).contains(
                "make one with coordinator evaluate --json"))

        // Two photos of one subject: the threshold must come from the enrolment study's rows, which a plain report lacks.
        try fm.copyItem(atPath: try Fixtures.photo("obama2.jpg"), toPath: "\(dir)/obama2.jpg")
        try
            "subject_id,display_name,category,reason,image_source,image_paths\ns-1,B,wanted,warrant,photo,obama.jpg;obama2.jpg\n"
            .write(toFile: "\(dir)/two.csv", atomically: true, encoding: .utf8)
        var twoPhotos = build
        twoPhotos[twoPhotos.firstIndex(of: "\(dir)/m.csv")!] = "\(dir)/two.csv"
        XCTAssert(
            try fails(coordinator, twoPhotos + ["--evaluation", "\(dir)/eval.json"])
                .contains("enrols several (two templates), which needs a stricter threshold"))
        XCTAssert(
            try fails(coordinator, twoPhotos + ["--photos", "fused", "--evaluation", "\(dir)/eval.json"]).contains(
                "several (fused)"))
        _ = try ok(
            coordinator,
            [
                "evaluate", "--dataset", "\(dir)/data", "--json", "\(dir)/study.json", "--list-sizes", "1", "--cohort",
                "watchlist",
                "--enrolment-study",
            ])
        let studied =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/study.json")))
            as! [String: Any]
        let rows = try XCTUnwrap(studied["enrolment_study"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["enrolment"] as? String }, ["one photo", "two templates", "fused"])
        XCTAssertEqual(rows.map { $0["identities"] as? Int }, [1, 1, 1], "only Barack has three photos")
        let twoBuilt = try ok(coordinator, twoPhotos + ["--evaluation", "\(dir)/study.json"])
        XCTAssert(
            twoBuilt.contains("1 subjects, 2 templates") && twoBuilt.contains("for a list evaluated at 1 people"),
            twoBuilt)
        XCTAssert(
            try fails(coordinator, ["watchlist", "show", "--bundle", "\(dir)/b", "--evaluation", "\(dir)/eval.json"])
                .contains("--enrolment-study"), "a bundle of two templates per subject is not shown one-photo figures")
        XCTAssert(
            try ok(coordinator, ["watchlist", "show", "--bundle", "\(dir)/b", "--evaluation", "\(dir)/study.json"])
                .contains("TPIR"))
        // Fused, the two photos make one template, as one photo would: the bundle says it is fused,
        // so show reads the fused row, as the build did, and refuses the one-photo report.
        let fusedBuilt = try ok(coordinator, twoPhotos + ["--photos", "fused", "--evaluation", "\(dir)/study.json"])
        XCTAssert(fusedBuilt.contains("1 subjects, 1 templates"), fusedBuilt)
        let fusedShown = try ok(
            coordinator, ["watchlist", "show", "--bundle", "\(dir)/b", "--evaluation", "\(dir)/study.json"])
        XCTAssert(fusedShown.contains("(1 templates; several photos per subject, fused into one template)"), fusedShown)
        let expectedLine = { (out: String) in out.split(separator: "\n").first { $0.hasPrefix("expected at threshold") }
        }
        XCTAssertNotNil(expectedLine(fusedBuilt))
        XCTAssertEqual(expectedLine(fusedShown), expectedLine(fusedBuilt))
        XCTAssert(
            try fails(coordinator, ["watchlist", "show", "--bundle", "\(dir)/b", "--evaluation", "\(dir)/eval.json"])
                .contains("several (fused)"))

        // With a cohort manifest the bundle carries the cohort, and wants a two-fold report.
        try fm.copyItem(atPath: try Fixtures.photo("biden.jpg"), toPath: "\(dir)/biden.jpg")
        try "image_path,image_source\nbiden.jpg,volunteer consented 2026\n".write(
            toFile: "\(dir)/cohort.csv", atomically: true, encoding: .utf8)
        let withCohort = try ok(
            coordinator, build + ["--cohort", "\(dir)/cohort.csv", "--evaluation", "\(dir)/two-fold.json"])
        XCTAssert(withCohort.contains("1 cohort faces"), withCohort)
        let shownCohort = try ok(coordinator, ["watchlist", "show", "--bundle", "\(dir)/b"])
        XCTAssert(shownCohort.contains("cohort:          1 faces of people not sought"), shownCohort)
        // Centroids average people: the manifest must say whose each photo is, and the report must be a centroid one.
        let centroids = build + ["--cohort-centroids", "5", "--cohort"]
        XCTAssert(
            try fails(coordinator, centroids + ["\(dir)/cohort.csv", "--threshold", "0.9"]).contains(
                "has no person column"))
        try
            "image_path,image_source,person\nbiden.jpg,volunteer consented 2026,p-1\nobama.jpg,volunteer consented 2026,p-2\n"
            .write(toFile: "\(dir)/people.csv", atomically: true, encoding: .utf8)
        XCTAssert(
            try fails(coordinator, centroids + ["\(dir)/people.csv", "--threshold", "0.9"])
                .contains("refused cohort: the faces of 2 people are fewer than one centroid averages (5)"))
        XCTAssert(
            try fails(coordinator, centroids + ["\(dir)/people.csv", "--evaluation", "\(dir)/two-fold.json"])
                .contains("needs one made with --scoring fused --cohort two-fold, centroids of 5 (nearest)"))
        try "image_path,image_source,person\nbiden.jpg,volunteer consented 2026,\n".write(
            toFile: "\(dir)/noperson.csv", atomically: true, encoding: .utf8)
        XCTAssert(
            try fails(coordinator, centroids + ["\(dir)/noperson.csv", "--threshold", "0.9"]).contains(
                "line 2: person is empty"))
        try "image_path,image_source\nbiden.jpg,\n".write(
            toFile: "\(dir)/nosource.csv", atomically: true, encoding: .utf8)
        XCTAssert(
            try fails(coordinator, build + ["--threshold", "0.8", "--cohort", "\(dir)/nosource.csv"]).contains(
                "line 2: image_source is empty"))
    }

    func testCurveKeyCommands_writeOwnerOnlyPairsAndPrintThePublicHalf() throws {
        let dir = try Fixtures.temporaryFolder(self)
        let node = try ok(edgeNode, ["keys", "new", "--out", "\(dir)/node.curve"])
        let coordinatorKeys = try ok(coordinator, ["keys", "new-curve", "--out", "\(dir)/coordinator.curve"])
        for (out, file) in [(node, "node.curve"), (coordinatorKeys, "coordinator.curve")] {
            XCTAssertEqual(
                try FileManager.default.attributesOfItem(atPath: "\(dir)/\(file)")[.posixPermissions] as? Int, 0o600)
            let publicKey = try String(contentsOfFile: "\(dir)/\(file).pub", encoding: .utf8).split(separator: "\n")[1]
            XCTAssert(out.contains(publicKey), out)
            let secret = try String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8).split(separator: "\n")[2]
            XCTAssertFalse(out.contains(secret), "the secret half is never printed")
        }
        XCTAssert(try fails(edgeNode, ["keys", "new", "--out", "\(dir)/node.curve"]).contains("already exists"))
    }

    func testBadManifestsAndTrustConfigs_areRefusedWithTheLine() throws {
        let dir = try Fixtures.temporaryFolder(self)
        try "subject_id,display_name\ns-1,A\n".write(toFile: "\(dir)/cols.csv", atomically: true, encoding: .utf8)
        try "subject_id,display_name,category,reason,image_source,image_paths\ns-1,A,wanted,,photo,a.jpg\n"
            .write(toFile: "\(dir)/reason.csv", atomically: true, encoding: .utf8)
        let common = [
            "--deployment", "d", "--watchlist-id", "w", "--version", "1", "--expires", "2099-01-01T00:00:00Z",
            "--threshold", "0.6",
            "--out", "\(dir)/b",
        ]
        XCTAssert(
            try fails(coordinator, ["watchlist", "build", "--manifest", "\(dir)/cols.csv"] + common).contains(
                "lacks the column(s) category"))
        XCTAssert(
            try fails(coordinator, ["watchlist", "build", "--manifest", "\(dir)/reason.csv"] + common).contains(
                "line 2: reason is empty"))
        XCTAssert(
            try fails(
                coordinator,
                [
                    "watchlist", "build", "--manifest", "\(dir)/reason.csv", "--deployment", "d", "--watchlist-id", "w",
                    "--version", "1", "--expires", "yesterday", "--out", "\(dir)/b",
                ]
            ).contains("is not an ISO 8601 time"))
        try #"{"watchlist": {"deployment_id": "d", "required_signatures": 3, "trusted_signers": ["AAAA"]}}"#
            .write(toFile: "\(dir)/edge.json", atomically: true, encoding: .utf8)
        XCTAssert(
            try fails(edgeNode, ["run", "--source", "x.mp4", "--watchlist", "w", "--config", "\(dir)/edge.json"])
                .contains("watchlist.trusted_signers"))
    }
}
