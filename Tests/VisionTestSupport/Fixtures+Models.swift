import FaceEngine
import Foundation
import TestSupport

/// The models, for the tests of vision: kept out of `TestSupport` so that the record's and the
/// control room's tests link no OpenCV or dlib.
extension Fixtures {
    public static var models: ModelStore {
        ModelStore.locate(explicit: ProcessInfo.processInfo.environment["WATCHPOST_MODELS"] ?? repository + "/models")
    }

    /// A synthetic image without any face: a smooth gradient, encoded as PPM.
    public static func facelessImage(width: Int = 320, height: Int = 240) throws -> Image {
        var bytes = Array("P6\n\(width) \(height)\n255\n".utf8)
        for y in 0..<height {
            for x in 0..<width { bytes += [UInt8(x * 255 / width), UInt8(y * 255 / height), 128] }
        }
        return try Image(encoded: bytes)
    }
}
