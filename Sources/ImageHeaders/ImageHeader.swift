import Refusals

/// The format and size of an encoded photo, read from its header alone, so that a file claiming
/// a huge canvas is refused before any decoder allocates it (a 388 kB PNG can declare 20000x20000,
/// 1.6 GB decoded). Only formats the engine decodes and that a photo is sent in are recognised.
public struct ImageHeader: Sendable, Equatable {
    public enum Format: String, Sendable {
        case jpeg = "JPEG", png = "PNG", bmp = "BMP", webp = "WebP", netpbm = "Netpbm"
    }

    /// Far beyond any enrolment photo or camera frame (a 4K frame is 8.3 MP); decoded as BGR it is 120 MB.
    public static let maxPixels = 40_000_000

    public let format: Format
    public let width: Int
    public let height: Int

    public var pixels: Int { width * height }

    public init(format: Format, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// Reads the header of `bytes`; refuses an unknown format, a header cut short, a zero size, or
    /// more than `maxPixels`. `name` is how the refusal names the photo.
    public init(_ bytes: [UInt8], name: String, maxPixels: Int = Self.maxPixels) throws(ImageRefusal) {
        guard let header = Self.read(bytes) else {
            throw ImageRefusal(
                .unreadableHeader, photo: name, "is not a JPEG, PNG, BMP, WebP or Netpbm image with a readable size")
        }
        guard header.width > 0, header.height > 0 else {
            throw ImageRefusal(.unreadableHeader, photo: name, "declares a size of \(header.width)x\(header.height)")
        }
        guard header.width <= 1 << 20, header.height <= 1 << 20, header.pixels <= maxPixels else {
            throw ImageRefusal(
                .tooManyPixels, photo: name,
                "is \(header.width)x\(header.height) pixels, more than \(maxPixels / 1_000_000) megapixels: scale it down before enrolling it"
            )
        }
        self = header
    }

    static func read(_ b: [UInt8]) -> ImageHeader? {
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            guard b.count >= 24, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
            return ImageHeader(format: .png, width: Int(be32(b, 16)), height: Int(be32(b, 20)))
        }
        if b.starts(with: [0xFF, 0xD8]) { return jpeg(b) }
        if b.starts(with: Array("BM".utf8)), b.count >= 26 {
            if le32(b, 14) == 12 { return ImageHeader(format: .bmp, width: Int(le16(b, 18)), height: Int(le16(b, 20))) }
            return ImageHeader(
                format: .bmp, width: Int(Int32(bitPattern: le32(b, 18)).magnitude),
                height: Int(Int32(bitPattern: le32(b, 22)).magnitude))
        }
        if b.count >= 30, b.starts(with: Array("RIFF".utf8)), Array(b[8..<15]) == Array("WEBPVP8".utf8) {
            switch b[15] {
            case UInt8(ascii: " "):
                return ImageHeader(format: .webp, width: Int(le16(b, 26) & 0x3FFF), height: Int(le16(b, 28) & 0x3FFF))
            case UInt8(ascii: "L"):
                let bits = le32(b, 21)
                return ImageHeader(format: .webp, width: Int(bits & 0x3FFF) + 1, height: Int((bits >> 14) & 0x3FFF) + 1)
            case UInt8(ascii: "X"):
                return ImageHeader(format: .webp, width: Int(le24(b, 24)) + 1, height: Int(le24(b, 27)) + 1)
            default:
                return nil
            }
        }
        if b.count >= 2, b[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "6")).contains(b[1]) {
            return netpbm(b)
        }
        return nil
    }

    /// Netpbm (PBM, PGM, PPM): `P1`–`P6`, then width and height as ASCII numbers, with `#` comments
    /// and whitespace between.
    private static func netpbm(_ b: [UInt8]) -> ImageHeader? {
        var i = 2, numbers: [Int] = []
        while numbers.count < 2, i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "#") {
                while i < b.count, b[i] != 0x0A { i += 1 }
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                var n = 0
                while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) {
                    n = n * 10 + Int(b[i] - UInt8(ascii: "0"))
                    guard n <= 1 << 20 else { return ImageHeader(format: .netpbm, width: n, height: 1 << 20) }
                    i += 1
                }
                numbers.append(n)
                continue
            } else if ![0x20, 0x09, 0x0A, 0x0D].contains(c) {
                return nil
            }
            i += 1
        }
        return numbers.count == 2 ? ImageHeader(format: .netpbm, width: numbers[0], height: numbers[1]) : nil
    }

    /// Walks the JPEG segments to the first start-of-frame marker, which holds the size.
    private static func jpeg(_ b: [UInt8]) -> ImageHeader? {
        var i = 2
        while i + 3 < b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF {
                i += 1
                continue
            }  // fill byte
            if marker == 0x01 || (0xD0...0xD9).contains(marker) {
                i += 2
                continue
            }  // no length
            let length = Int(be16(b, i + 2))
            guard length >= 2 else { return nil }
            let isStartOfFrame = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isStartOfFrame {
                guard i + 9 <= b.count else { return nil }
                return ImageHeader(format: .jpeg, width: Int(be16(b, i + 7)), height: Int(be16(b, i + 5)))
            }
            i += 2 + length
        }
        return nil
    }

    private static func be16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
    private static func be32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(be16(b, i)) << 16 | UInt32(be16(b, i + 2)) }
    private static func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private static func le24(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(le16(b, i)) | UInt32(b[i + 2]) << 16 }
    private static func le32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(le16(b, i)) | UInt32(le16(b, i + 2)) << 16 }
}

/// Why a photo was refused before decoding, naming it.
public struct ImageRefusal: Refusal, Equatable {
    public enum Code: String, Sendable { case unreadableHeader, tooManyPixels }
    public static let area = "photo"
    public var kind: RefusalKind { .invalid }

    public let code: Code
    public let photo: String
    private let problem: String

    public init(_ code: Code, photo: String, _ problem: String) {
        self.code = code
        self.photo = photo
        self.problem = problem
    }

    public var description: String { "photo \(photo) \(problem)" }
}
