import CFaceEngine
import Foundation
import ImageHeaders

/// A decoded BGR image owned by the engine.
///
/// Immutable after creation except for `wipe()`, which overwrites its pixels; that is why it may
/// cross from the capture thread to the pipeline.
public final class Image: @unchecked Sendable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { wp_image_free(handle) }

    /// Loads an image file (JPEG, PNG, BMP, WebP or Netpbm), refusing one whose header declares more than
    /// `ImageHeader.maxPixels` before it is decoded.
    public convenience init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FaceEngineError(.fileUnreadable, "cannot read \(path): check the path and its permissions")
        }
        try self.init(encoded: Array(data), name: path)
    }

    /// Decodes encoded image bytes after their header is checked (`ImageHeader`); `name` is how a
    /// refusal names them.
    public convenience init(encoded bytes: [UInt8], name: String = "image") throws {
        _ = try ImageHeader(bytes, name: name)
        let handle = try bytes.withUnsafeBufferPointer { buffer in
            try callEngine { wp_image_decode(buffer.baseAddress, buffer.count, $0) }
        }
        self.init(handle: handle)
    }

    public var width: Int { Int(wp_image_width(handle)) }
    public var height: Int { Int(wp_image_height(handle)) }

    public func resized(width: Int, height: Int) throws -> Image {
        Image(handle: try callEngine { wp_image_resized(handle, Int32(width), Int32(height), $0) })
    }

    /// This image and another side by side, the other scaled to this one's height.
    public func sideBySide(with other: Image) throws -> Image {
        Image(handle: try callEngine { wp_image_side_by_side(handle, other.handle, $0) })
    }

    /// A mirror image (left and right swapped).
    public func flipped() throws -> Image {
        Image(handle: try callEngine { wp_image_flipped(handle, $0) })
    }

    /// JPEG bytes of a region (clamped to the image).
    public func jpeg(of region: Box, quality: Int = 90) throws -> [UInt8] {
        var bytes: UnsafeMutablePointer<UInt8>?
        var count = 0
        _ = try callEngine {
            wp_image_encode_jpeg(handle, region.cRect, Int32(quality), &bytes, &count, $0) == 0 ? true : nil
        }
        defer { wp_bytes_free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: count))
    }

    /// Overwrites every pixel with zero, so that a face that did not match does not linger in RAM.
    public func wipe() { wp_image_wipe(handle) }
}
