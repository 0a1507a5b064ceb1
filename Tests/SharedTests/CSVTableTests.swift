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
        XCTAssertThrowsError(try CSVTable(text: "a,b\n1,2\n3\n", file: "t.csv")) { XCTAssert("\($0)".contains("t.csv line 3"), "\($0)") }
        XCTAssertThrowsError(try CSVTable(text: "a,b\n\"1,2\n", file: "t.csv")) { XCTAssert("\($0)".contains("not closed"), "\($0)") }
        XCTAssertThrowsError(try CSVTable(text: "", file: "t.csv"))
    }
}
