import Foundation
import Hummingbird
import MultipartKit

/// A `multipart/form-data` body (file uploads), parsed by MultipartKit: its text fields and its
/// files, each with the name the browser gave it.
struct MultipartForm {
    struct Part {
        let name: String
        /// The uploaded file's name (without its folder); nil for a text field.
        let fileName: String?
        let body: [UInt8]
    }

    private(set) var parts: [Part] = []

    /// Reads at most `limit` bytes; throws `Access.Refusal` with 400/413 for a body that is not a
    /// multipart form or is too large.
    init(_ request: Request, limit: Int) async throws {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundary = Self.parameter("boundary", in: contentType), !boundary.isEmpty else {
            throw Access.Refusal.response(plainText("send this form as multipart/form-data (a file upload form)", status: .badRequest))
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch {
            throw Access.Refusal.response(plainText("the upload is larger than \(limit >> 20) MiB: split the list or raise watchlists.max_upload_mib",
                                                    status: .contentTooLarge))
        }
        let parser = MultipartParser(boundary: boundary)
        var headers: [(String, String)] = [], current: [UInt8] = [], parts: [Part] = []
        parser.onHeader = { name, value in headers.append((name, value)) }
        parser.onBody = { buffer in current += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        parser.onPartComplete = {
            let disposition = headers.first { $0.0.lowercased() == "content-disposition" }?.1 ?? ""
            if let name = Self.parameter("name", in: disposition) {
                let file = Self.parameter("filename", in: disposition).map { URL(fileURLWithPath: $0).lastPathComponent }
                parts.append(Part(name: name, fileName: file, body: current))
            }
            headers = []; current = []
        }
        do { try parser.execute(body) } catch {
            throw Access.Refusal.response(plainText("the upload is not a well-formed multipart form: send it again", status: .badRequest))
        }
        self.parts = parts
    }

    /// A non-empty trimmed text field, or nil.
    func text(_ name: String) -> String? {
        parts.first { $0.name == name && $0.fileName == nil }
            .map { String(decoding: $0.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The files chosen in a file field (an empty choice sends a part with no name and no bytes).
    func files(_ name: String) -> [Part] {
        parts.filter { $0.name == name && !($0.fileName ?? "").isEmpty }
    }

    /// A parameter of a header value such as `form-data; name="x"; filename="a.jpg"`.
    private static func parameter(_ key: String, in value: String) -> String? {
        for item in value.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            return pair[1].count >= 2 && pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") ? String(pair[1].dropFirst().dropLast()) : pair[1]
        }
        return nil
    }
}
