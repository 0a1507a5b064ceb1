import ImageHeaders
import XCTest

/// Photo headers read without decoding: each format's size, and refusals of what a decoder
/// should never see (a canvas beyond the pixel limit, an unknown format, a header cut short).
final class ImageHeaderTests: XCTestCase {
    private func png(_ width: UInt32, _ height: UInt32) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            + withUnsafeBytes(of: width.bigEndian, Array.init) + withUnsafeBytes(of: height.bigEndian, Array.init) + [
                8, 2, 0, 0, 0,
            ]
    }

    func testSizes_ofEachFormat_areReadFromTheHeader() throws {
        let jpeg: [UInt8] = [
            0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x06, 1, 2, 3, 4, 0xFF, 0xFF, 0xC2, 0x00, 0x11, 8, 0x01, 0xE0, 0x02, 0x80, 3,
        ]
        XCTAssertEqual(
            try ImageHeader(jpeg, name: "p"), ImageHeader(format: .jpeg, width: 640, height: 480),
            "past an EXIF segment and a fill byte")
        XCTAssertEqual(try ImageHeader(png(250, 250), name: "p"), ImageHeader(format: .png, width: 250, height: 250))
        let bmp =
            Array("BM".utf8) + [UInt8](repeating: 0, count: 12) + [40, 0, 0, 0, 0x20, 0, 0, 0, 0xF0, 0xFF, 0xFF, 0xFF]
        XCTAssertEqual(
            try ImageHeader(bmp, name: "p"), ImageHeader(format: .bmp, width: 32, height: 16),
            "a top-down BMP's negative height")
        let webp =
            Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8X".utf8) + [UInt8](repeating: 0, count: 8) + [
                0x3F, 0x01, 0x00, 0xEF, 0x00, 0x00,
            ]
        XCTAssertEqual(try ImageHeader(webp, name: "p"), ImageHeader(format: .webp, width: 320, height: 240))
        XCTAssertEqual(
            try ImageHeader(Array("P6\n# made by hand\n320 240\n255\n".utf8) + [1, 2, 3], name: "p"),
            ImageHeader(format: .netpbm, width: 320, height: 240))
        XCTAssertThrowsError(try ImageHeader(Array("P6 99999999999 1\n".utf8), name: "p"), "a side beyond any camera")
    }

    func testAHugeCanvas_isRefusedBeforeDecoding_namingThePhoto() {
        XCTAssertThrowsError(try ImageHeader(png(20_000, 20_000), name: "big.png")) { error in
            XCTAssertEqual((error as? ImageRefusal)?.code, .tooManyPixels)
            XCTAssertEqual(
                "\(error)",
                "photo big.png is 20000x20000 pixels, more than 40 megapixels: scale it down before enrolling it")
        }
        XCTAssertNoThrow(try ImageHeader(png(7_000, 5_000), name: "ok.png"), "35 MP is under the limit")
        XCTAssertThrowsError(try ImageHeader(png(UInt32.max, 1), name: "wide.png"), "one side beyond any camera")
    }

    func testUnknownOrCutHeaders_areRefused() {
        for bytes in [
            Array("<svg>".utf8), [0xFF, 0xD8, 0xFF], [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x12],
            Array(png(10, 10).prefix(20)), png(0, 10), [],
        ] {
            XCTAssertThrowsError(try ImageHeader(bytes, name: "x")) {
                XCTAssertEqual(($0 as? ImageRefusal)?.code, .unreadableHeader)
            }
        }
    }
}
