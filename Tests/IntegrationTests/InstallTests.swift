import Foundation
import TestSupport
import XCTest

/// `scripts/install.sh` into a folder (WATCHPOST_ROOT): what it puts where, with which
/// permissions; a second run overwrites no config and no key; the units pass `systemd-analyze verify`.
final class InstallTests: XCTestCase {
    private let repo = Fixtures.repository

    func testInstall_placesEverything_keepsExistingConfigsAndKeys_andTheUnitsVerify() throws {
        let bin = Fixtures.executablesFolder
        let root = try Fixtures.temporaryFolder(self) + "/root"
        func install() throws {
            let r = try ChildProcess.run(
                "/bin/bash", [repo + "/scripts/install.sh"], timeout: .seconds(600),
                environment: ["WATCHPOST_ROOT": root, "WATCHPOST_BIN": bin])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        try install()
        func mode(_ path: String) throws -> Int {
            try FileManager.default.attributesOfItem(atPath: root + path)[.posixPermissions] as! Int
        }
        XCTAssertEqual(try mode("/usr/local/bin/coordinator"), 0o755)
        XCTAssertEqual(try mode("/etc/watchpost/coordinator.curve"), 0o600)
        XCTAssertEqual(try mode("/etc/watchpost/node.curve"), 0o600)
        XCTAssertEqual(try mode("/etc/watchpost/credentials"), 0o700, "the audit key's folder is root's alone")
        XCTAssertEqual(try mode("/etc/watchpost/credentials/audit-signing.key"), 0o600)
        XCTAssertEqual(try mode("/etc/watchpost/coordinator.json"), 0o640)
        XCTAssertEqual(try mode("/var/lib/watchpost/coordinator"), 0o700)
        XCTAssertEqual(try mode("/var/lib/watchpost/edge"), 0o700)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/var/lib/watchpost/models/centerface.onnx"))
        let key = try Data(contentsOf: URL(fileURLWithPath: root + "/etc/watchpost/coordinator.curve"))
        try "{\"edited\": true}".write(
            toFile: root + "/etc/watchpost/coordinator.json", atomically: true, encoding: .utf8)
        try install()
        XCTAssertEqual(
            try String(contentsOfFile: root + "/etc/watchpost/coordinator.json", encoding: .utf8), "{\"edited\": true}",
            "a config is never overwritten")
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: root + "/etc/watchpost/coordinator.curve")), key,
            "a key is never overwritten")

        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else {
            throw XCTSkip("systemd-analyze is not installed: scripts/setup.sh --with-test-data installs it")
        }
        for unit in ["watchpost-coordinator.service", "watchpost-edge.service"] {
            // systemd-analyze checks that ExecStart exists: point it at the installed binary.
            let text = try String(contentsOfFile: root + "/etc/systemd/system/" + unit, encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/", with: root + "/usr/local/bin/")
            let copy = root + "/" + unit
            try text.write(toFile: copy, atomically: true, encoding: .utf8)
            let verify = try ChildProcess.run(analyze, ["verify", copy])
            XCTAssertEqual(verify.status, 0, "\(unit): \(verify.stderr)")
            XCTAssertEqual(
                verify.stderr.split(separator: "\n").filter { $0.contains(unit) }, [],
                "\(unit) has warnings: \(verify.stderr)")
            let security = try ChildProcess.run(analyze, ["security", "--offline=true", copy])
            let score =
                security.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") }.map(String.init)
                ?? security.stdout
            print("\(unit): \(score)")
        }
    }
}
