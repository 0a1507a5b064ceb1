import Shared
import XCTest

final class CSVTableTests: XCTestCase {
    func testQuotedFields_withCommasQuotesAndLineBreaks() throws {
        let t = try CSVTable(text: "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\n", file: "t.csv")
        XCTAssertEqual(t.header, ["a", "b"])
        XCTAssertEqual(t.rows.map(\.fields), [["x, y", "say \"hi\""], ["two\nlines", "z"]])
        XCTAssertEqual(t.rows.map(\.line), [2, 3])
    }

    func testWrongFieldCount_orOpenQuote_namesTheLine() {
        XCTAssertThrowsError(try CSVTable(text: "a,b\n1,2\n3\n", file: "t.csv")) {
            XCTAssert("\($0)".contains("t.csv line 3"), "\($0)")
        }
        XCTAssertThrowsError(try CSVTable(text: "a,b\n\"1,2\n", file: "t.csv")) {
            XCTAssert("\($0)".contains("not closed"), "\($0)")
        }
        XCTAssertThrowsError(try CSVTable(text: "", file: "t.csv"))
    }
}

/// Hostile CSV files: each is refused with a code, naming the file, the line and, where one
/// field is at fault, the column; nothing crashes.
final class CSVTableHostileTests: XCTestCase {
    private func refusal(_ text: String) -> CSVRefusal? {
        do {
            _ = try CSVTable(text: text, file: "m.csv")
            return nil
        } catch { return error }
    }

    func testHostileFiles_areRefusedWithTheirLineAndColumn() throws {
        let cases: [(String, CSVRefusal.Code, Int, Int?)] = [
            ("a,b,a\n1,2,3\n", .repeatedColumn, 1, 3),
            (
                Array(repeating: "c", count: 100_000).enumerated().map { "\($1)\($0 % 10)" }.joined(separator: ","),
                .tooManyColumns, 1, nil
            ),
            ("a,,b\n1,2,3\n", .emptyColumnName, 1, 2),
            ("a,b\n1,2\n3\n", .wrongFieldCount, 3, nil),
            ("a,b\n1,2,3\n", .wrongFieldCount, 2, nil),
            ("a,b\n1,\"2\n", .unclosedQuote, 2, 2),
            ("a,b\n1,x\0y\n", .nulCharacter, 2, 2),
            ("a,b\n1," + String(repeating: "x", count: CSVTable.maxFieldCharacters + 1) + "\n", .fieldTooLong, 2, 2),
            ("", .empty, 1, nil),
        ]
        for (text, code, line, column) in cases {
            let refused = try XCTUnwrap(refusal(text), "\(code)")
            XCTAssertEqual(refused.code, code)
            XCTAssertEqual(refused.line, line, "\(code)")
            XCTAssertEqual(refused.column, column, "\(code)")
            XCTAssertTrue(refused.description.hasPrefix("m.csv line \(line)"), refused.description)
        }
    }

    func testInvalidUTF8_isRefusedWithItsLine_notReplaced() {
        let bytes = Array("a,b\n1,2\n".utf8) + [0x66, 0xFF, 0xFE, 0x2C, 0x31, 0x0A]
        XCTAssertThrowsError(try CSVTable(bytes: bytes, file: "m.csv")) { error in
            XCTAssertEqual((error as? CSVRefusal)?.code, .invalidUTF8)
            XCTAssertEqual((error as? CSVRefusal)?.line, 3)
        }
    }

    func testAByteOrderMark_isSkipped() throws {
        let table = try CSVTable(bytes: [0xEF, 0xBB, 0xBF] + Array("subject_id,x\ns-1,2\n".utf8), file: "m.csv")
        XCTAssertEqual(table.header, ["subject_id", "x"])
    }

    func testALongRepeatedName_isShortenedInTheMessage() {
        let name = String(repeating: "n", count: 10_000)
        XCTAssertLessThan(refusal("\(name),\(name)\n")?.description.count ?? .max, 200)
    }
}
