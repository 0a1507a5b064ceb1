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
        XCTAssertThrowsError(try r.rejectUnknownKeys()) { XCTAssertEqual(($0 as? ConfigError)?.key, "detection.max_sid") }
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
        XCTAssertThrowsError(try ConfigReader(path: "/nonexistent/edge.json")) { XCTAssert("\($0)".contains("cannot be read")) }
    }
}
