import Foundation

/// Little-endian, length-prefixed binary writing and bounds-checked reading: the canonical
/// encoding of signed watchlists. Every read checks the remaining length first, so a truncated or
/// hostile input ends in a `MalformedBytes` error, never a trap.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    public mutating func f32(_ v: Float) { u32(v.bitPattern) }
    /// A 16-bit float (IEEE 754 half precision, rounded to nearest): 2 bytes.
    public mutating func f16(_ v: Float) { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { bytes += $0 } }
    public mutating func raw(_ v: [UInt8]) { bytes += v }
    public mutating func blob(_ v: [UInt8]) {
        u32(UInt32(v.count))
        bytes += v
    }
    public mutating func string(_ v: String) { blob(Array(v.utf8)) }
    public mutating func uuid(_ v: UUID) { withUnsafeBytes(of: v.uuid) { bytes += $0 } }
}

/// Why bytes could not be decoded.
struct MalformedBytes: Error, CustomStringConvertible {
    let description: String
}

struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ n: Int, _ what: String) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else {
            throw MalformedBytes(description: "truncated at byte \(offset) reading \(what)")
        }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    public mutating func u8(_ what: String) throws -> UInt8 { try take(1, what).first! }

    public mutating func u32(_ what: String) throws -> UInt32 {
        try take(4, what).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    public mutating func u64(_ what: String) throws -> UInt64 {
        try take(8, what).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    public mutating func i64(_ what: String) throws -> Int64 { Int64(bitPattern: try u64(what)) }
    public mutating func f32(_ what: String) throws -> Float { Float(bitPattern: try u32(what)) }
    public mutating func f16(_ what: String) throws -> Float {
        let two = try take(2, what)
        return Float(Float16(bitPattern: UInt16(two[two.startIndex]) | UInt16(two[two.startIndex + 1]) << 8))
    }
    public mutating func raw(_ n: Int, _ what: String) throws -> [UInt8] { Array(try take(n, what)) }

    /// A length-prefixed blob of at most `limit` bytes.
    public mutating func blob(_ what: String, limit: Int) throws -> [UInt8] {
        let n = Int(try u32(what + " length"))
        guard n <= limit else {
            throw MalformedBytes(description: "\(what) of \(n) bytes exceeds the limit of \(limit)")
        }
        return try raw(n, what)
    }

    public mutating func uuid(_ what: String) throws -> UUID {
        let b = try raw(16, what)
        return UUID(
            uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])
        )
    }

    public mutating func string(_ what: String, limit: Int = 256) throws -> String {
        let b = try blob(what, limit: limit)
        guard let s = String(validating: b, as: UTF8.self) else {
            throw MalformedBytes(description: "\(what) is not UTF-8")
        }
        return s
    }
}
