import Shared
import TestSupport
import XCTest

final class ConfigReaderTests: XCTestCase {
    private func reader(_ json: String) throws -> ConfigReader {
        let path = try Fixtures.temporaryFolder(self) + "/edge.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return try ConfigReader(path: path)
    }

    func testKnownNumbers_areRead_absentOnesAreNil() throws {
        let r = try reader(#"{"detection": {"max_side": 480}}"#)
        XCTAssertEqual(try r.number("detection", "max_side", in: 32...4096), 480)
        XCTAssertNil(try r.number("detection", "threshold", in: 0...1))
        XCTAssertNoThrow(try r.rejectUnknownKeys())
    }

    func testUnknownKeyOrSection_isRefusedByName() throws {
        let r = try reader(#"{"detection": {"max_sid": 480}}"#)
        _ = try r.number("detection", "max_side", in: 32...4096)
        XCTAssertThrowsError(try r.rejectUnknownKeys()) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "detection.max_sid")
        }
        let s = try reader(#"{"detecton": {"max_side": 480}}"#)
        _ = try s.number("detection", "max_side", in: 32...4096)
        XCTAssertThrowsError(try s.rejectUnknownKeys()) { XCTAssertEqual(($0 as? ConfigError)?.key, "detecton") }
    }

    func testWrongTypeOrRange_isRefusedWithKeyAndReason() throws {
        let r = try reader(#"{"detection": {"max_side": "big", "threshold": 3, "nms_iou": true}}"#)
        XCTAssertThrowsError(try r.number("detection", "max_side", in: 32...4096)) {
            XCTAssert("\($0)".contains("detection.max_side") && "\($0)".contains("must be a number"), "\($0)")
        }
        XCTAssertThrowsError(try r.number("detection", "threshold", in: 0...1)) {
            XCTAssert("\($0)".contains("out of range"), "\($0)")
        }
        XCTAssertThrowsError(try r.number("detection", "nms_iou", in: 0...1)) {
            XCTAssert("\($0)".contains("must be a number"), "\($0)")
        }
    }

    func testFileThatIsNotAnObject_isRefused() throws {
        XCTAssertThrowsError(try reader("[1, 2]")) { XCTAssert("\($0)".contains("is not a JSON object")) }
        XCTAssertThrowsError(try ConfigReader(path: "/nonexistent/edge.json")) {
            XCTAssert("\($0)".contains("cannot be read"))
        }
    }

    func testFractionForAnInteger_isRefused_notTruncated() throws {
        let r = try reader(#"{"embedding": {"max_per_frame": 2.5, "max_per_track": 4.0, "refresh_frames": 1e30}}"#)
        XCTAssertThrowsError(try r.integer("embedding", "max_per_frame", in: 1...100)) {
            XCTAssertEqual("\($0)", "config \(r.file): key embedding.max_per_frame: must be a whole number, got 2.5")
        }
        XCTAssertEqual(try r.integer("embedding", "max_per_track", in: 1...100), 4, "4.0 is a whole number")
        XCTAssertThrowsError(try r.integer("embedding", "refresh_frames", in: 1...10_000)) {
            XCTAssert("\($0)".contains("whole number"), "\($0)")
        }
    }

    func testIntegerOutOfRange_namesTheIntegerRange() throws {
        let r = try reader(#"{"embedding": {"max_per_frame": 0}}"#)
        XCTAssertThrowsError(try r.integer("embedding", "max_per_frame", in: 1...100)) {
            XCTAssertEqual(($0 as? ConfigError)?.reason, "0 is out of range 1...100")
        }
    }

    func testBoolean_acceptsTrueAndFalse_only() throws {
        let r = try reader(#"{"node": {"a": true, "b": false, "c": 1, "d": 0, "e": "yes"}}"#)
        XCTAssertEqual(try r.boolean("node", "a"), true)
        XCTAssertEqual(try r.boolean("node", "b"), false)
        XCTAssertNil(try r.boolean("node", "absent"))
        for key in ["c", "d", "e"] {
            XCTAssertThrowsError(try r.boolean("node", key)) {
                XCTAssertEqual(($0 as? ConfigError)?.key, "node.\(key)")
                XCTAssert("\($0)".contains("must be true or false"), "\($0)")
            }
        }
    }

    func testEndpoint_acceptsTCPAndIPC_andRefusesTyposByKey() throws {
        let r = try reader(
            #"{"server": {"a": "tcp://127.0.0.1:7700", "b": "ipc:///run/wp.sock", "c": "tcp://127.0.0.1", "d": "127.0.0.1:7700", "e": "tcp://h:70000"}}"#
        )
        XCTAssertEqual(try r.endpoint("server", "a"), "tcp://127.0.0.1:7700")
        XCTAssertEqual(try r.endpoint("server", "b"), "ipc:///run/wp.sock")
        for key in ["c", "d", "e"] {
            XCTAssertThrowsError(try r.endpoint("server", key)) {
                XCTAssertEqual(($0 as? ConfigError)?.key, "server.\(key)")
                XCTAssert("\($0)".contains("must be tcp://HOST:PORT"), "\($0)")
            }
        }
    }
}
