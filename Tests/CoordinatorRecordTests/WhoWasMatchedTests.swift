import CoordinatorRecord
import Foundation
import RecordTestSupport
import XCTest

/// The manifest's name and officer-safety warning reach the record with the list, are there for
/// the operator while the coordinator holds the bundle, and go with it.
final class WhoWasMatchedTests: XCTestCase {
    private func manifest(_ warning: String?) throws -> WatchlistManifest {
        let header = "subject_id,display_name,category,reason,image_source,image_paths"
        let row = "s-1,Alex Doe,wanted,warrant 123,custody,a.jpg"
        return try WatchlistManifest(
            uploadedText: warning.map { "\(header),warning\n\(row),\($0)\n" } ?? "\(header)\n\(row)\n",
            name: "list.csv")
    }

    func testTheWarningColumn_isOptional_trimmed_andBounded() throws {
        XCTAssertNil(try manifest(nil).subjects[0].warning, "no column: no warning")
        XCTAssertNil(try manifest("  ").subjects[0].warning, "an empty warning is none")
        XCTAssertEqual(try manifest(" violent when cornered ").subjects[0].warning, "violent when cornered")
        XCTAssertThrowsError(try manifest(String(repeating: "x", count: 201))) {
            XCTAssertEqual(($0 as? ManifestRefusal)?.code, .warningTooLong)
            XCTAssertEqual(($0 as? ManifestRefusal)?.line, 2)
        }
    }

    func testTheNameAndWarning_areOnTheRecord_untilTheBundleIsDestroyed() throws {
        let f = try RecordFixture(self)
        try DeploymentStore.create(
            try f.plan("dep-1", names: ["s-1": "Alex Doe"], warnings: ["s-1": "may carry a knife"]), by: "intel",
            in: f.database, at: RecordFixture.t0)
        let listed = try XCTUnwrap(try DeploymentStore.subject("s-1", onListOf: "dep-1", in: f.database))
        XCTAssertEqual(listed.displayName, "Alex Doe")
        XCTAssertEqual(listed.warning, "may carry a knife")
        XCTAssertEqual(listed.reason, "warrant")
        XCTAssertNil(try DeploymentStore.subject("s-9", onListOf: "dep-1", in: f.database), "not on the list")
        XCTAssertNil(try DeploymentStore.subject("s-1", onListOf: "dep-9", in: f.database), "no such deployment")

        try DeploymentStore.authorise("dep-1", officer: "Supt Ames", in: f.database, at: RecordFixture.t0 + 60)
        try DeploymentStore.start("dep-1", by: "op", in: f.database, at: RecordFixture.t0 + 120)
        try DeploymentStore.end("dep-1", by: "op", in: f.database, at: RecordFixture.t0 + 3600)
        _ = try DeploymentStore.destroyDueBundles(delay: 0, in: f.database, at: RecordFixture.t0 + 3601, actor: "r")
        XCTAssertNil(try DeploymentStore.subject("s-1", onListOf: "dep-1", in: f.database))
        let kept = try DeploymentStore.show("dep-1", in: f.database).subjects[0]
        XCTAssertNil(kept.displayName, "the name goes with the bundle")
        XCTAssertNil(kept.warning)
        XCTAssertEqual(kept.reason, "warrant", "the reason stays for the reports")
        let scan = try Data(contentsOf: URL(fileURLWithPath: f.database.path))
        XCTAssertNil(scan.range(of: Data("may carry a knife".utf8)), "no copy of the warning left in the file")
    }
}
