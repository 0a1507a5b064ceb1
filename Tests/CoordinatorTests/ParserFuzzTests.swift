import Foundation
import FuzzSupport
import TestSupport
import XCTest

@testable import Coordinator

/// The coordinator's own readers of a user's file, fed random and mutated files for a fixed
/// count (they live in the executable, which the `FileFuzz` target cannot link): none crashes,
/// and every refusal names the file.
final class ParserFuzzTests: XCTestCase {
    func testMutatedCoordinatorConfigs_areTakenOrRefusedNamingTheFile() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let sample = Array(
            #"""
            {"server": {"bind": "tcp://127.0.0.1:7700", "curve_key": "\#(folder)/c.curve", "state_dir": "\#(folder)/state"},
             "nodes": {"enrolled": []},
             "web": {"host": "127.0.0.1", "port": 8080, "bcrypt_cost": 12, "idle_timeout_s": 30},
             "audit": {"checkpoint_minutes": 5, "checkpoint_entries": 1000},
             "retention": {"alert_days": 31, "rejected_alert_days": 7, "bundle_destroy_after_s": 86400, "check_interval_s": 3600}}
            """#.utf8)
        let outcome = FileParserFuzz.run(samples: [sample], count: 2000, path: folder + "/coordinator.json") { path in
            _ = try CoordinatorConfigFile(path: path)
        }
        XCTAssertEqual(outcome.refusalsNotNamingTheFile, [])
        XCTAssertGreaterThan(outcome.refused, 0)
        XCTAssertGreaterThan(outcome.taken, 0)
    }
}
