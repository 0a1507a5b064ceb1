import Foundation
import Hummingbird
import MultipartKit

/// A `multipart/form-data` body (file uploads), parsed by MultipartKit: its text fields and its
/// files, each with the name the browser gave it (without its folder).
public struct MultipartForm: Sendable {
    public struct Part: Sendable {
        public let name: String
        /// The uploaded file's name (without its folder); nil for a text field.
        public let fileName: String?
        public let body: [UInt8]
    }

    public private(set) var parts: [Part] = []

    /// Reads at most `limit` bytes; throws `Access.Denial` with 400/413 for a body that is not a
    /// multipart form or is too large.
    init(_ request: Request, limit: Int) async throws {
        guard let contentType = request.headers[.contentType] else {
            throw Access.Denial.response(plainText(MultipartRefusal.notMultipart.description, status: .badRequest))
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch {
            throw Access.Denial.response(
                plainText(
                    "the upload is larger than \(limit >> 20) MiB: split the list or raise watchlists.max_upload_mib",
                    status: .contentTooLarge))
        }
        do { try self.init(body: body, contentType: contentType) } catch {
            throw Access.Denial.response(plainText(error.description, status: .badRequest))
        }
    }

    /// Parses a body's bytes sent with `contentType` (which names the boundary).
    public init(bytes: [UInt8], contentType: String) throws(MultipartRefusal) {
        try self.init(body: ByteBuffer(bytes: bytes), contentType: contentType)
    }

    init(body: ByteBuffer, contentType: String) throws(MultipartRefusal) {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = Self.parameter("boundary", in: contentType),
            !boundary.isEmpty
        else { throw .notMultipart }
        // MultipartKit 4.7.1 (the newest here) traps on a byte over 127 in a part's header name, which
        // would bring the whole coordinator down: such a body is refused before it reaches the parser.
        guard body.withUnsafeReadableBytes({ Self.headerNamesAreASCII($0, boundary: Array(boundary.utf8)) }) else {
            throw .malformed
        }
        let parser = MultipartParser(boundary: boundary)
        var headers: [(String, String)] = [], current: [UInt8] = [], parts: [Part] = []
        parser.onHeader = { name, value in headers.append((name, value)) }
        parser.onBody = { buffer in current += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        parser.onPartComplete = {
            let disposition = headers.first { $0.0.lowercased() == "content-disposition" }?.1 ?? ""
            if let name = Self.parameter("name", in: disposition) {
                let file = Self.parameter("filename", in: disposition).map {
                    URL(fileURLWithPath: $0).lastPathComponent
                }
                parts.append(Part(name: name, fileName: file, body: current))
            }
            headers = []
            current = []
        }
        do { try parser.execute(body) } catch { throw .malformed }
        self.parts = parts
    }

    /// A non-empty trimmed text field, or nil.
    public func text(_ name: String) -> String? {
        parts.first { $0.name == name && $0.fileName == nil }
            .map { String(decoding: $0.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The files chosen in a file field (an empty choice sends a part with no name and no bytes).
    public func files(_ name: String) -> [Part] {
        parts.filter { $0.name == name && !($0.fileName ?? "").isEmpty }
    }

    /// Whether every header name after every `--boundary` CRLF in the body (wherever the parser
    /// could take one to start a part: it finds the first anywhere in the preamble) is ASCII, up to
    /// its colon or the end of its line.
    static func headerNamesAreASCII(_ body: UnsafeRawBufferPointer, boundary: [UInt8]) -> Bool {
        let delimiter: [UInt8] = [0x2D, 0x2D] + boundary + [0x0D, 0x0A]
        var start = 0
        while start + delimiter.count <= body.count {
            guard body[start] == 0x2D, body[start..<start + delimiter.count].elementsEqual(delimiter) else {
                start += 1
                continue
            }
            var line = start + delimiter.count
            while line < body.count, body[line] != 0x0D {
                var i = line
                while i < body.count, body[i] != 0x3A, body[i] != 0x0D {
                    if body[i] >= 0x80 { return false }
                    i += 1
                }
                while i + 1 < body.count, !(body[i] == 0x0D && body[i + 1] == 0x0A) { i += 1 }
                line = i + 2
            }
            start += 1
        }
        return true
    }

    /// A parameter of a header value such as `form-data; name="x"; filename="a.jpg"`.
    private static func parameter(_ key: String, in value: String) -> String? {
        for item in value.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            return pair[1].count >= 2 && pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"")
                ? String(pair[1].dropFirst().dropLast()) : pair[1]
        }
        return nil
    }
}

/// Why an upload's body was refused.
public enum MultipartRefusal: Error, CustomStringConvertible {
    case notMultipart, malformed

    public var description: String {
        switch self {
        case .notMultipart: "the upload is not multipart/form-data with a boundary: send it from the upload form"
        case .malformed: "the upload is not a well-formed multipart form: send it again"
        }
    }
}
