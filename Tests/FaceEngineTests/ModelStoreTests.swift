import FaceEngine
import TestSupport
import VisionTestSupport
import XCTest

final class ModelStoreTests: XCTestCase {
    func testMissingModel_namesTheFileAndTheSetupCommand() throws {
        let empty = try Fixtures.temporaryFolder(self)
        XCTAssertThrowsError(try ModelStore(directory: empty).makeDetector()) { error in
            let e = error as? FaceEngineError
            XCTAssertEqual(e?.code, .fileUnreadable)
            XCTAssert(e?.message.contains(empty + "/centerface.onnx") ?? false, "\(error)")
            XCTAssert(e?.message.contains("scripts/setup.sh") ?? false, "\(error)")
        }
    }

    func testTruncatedModel_isRefusedByChecksum() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let good = try Fixtures.models.verifiedPath(.resnet)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: good))
        FileManager.default.createFile(
            atPath: folder + "/" + ModelStore.Model.resnet.rawValue, contents: bytes.prefix(1000))
        XCTAssertThrowsError(try ModelStore(directory: folder).verifiedPath(.resnet)) { error in
            let e = error as? FaceEngineError
            XCTAssertEqual(e?.code, .checksumMismatch)
            XCTAssert(e?.message.contains("dlib_face_recognition_resnet_model_v1.dat is corrupt") ?? false, "\(error)")
        }
    }

    func testGarbageModel_givenDirectly_isReportedAsCorrupt() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let onnx = folder + "/centerface.onnx", dat = folder + "/sp.dat"
        FileManager.default.createFile(atPath: onnx, contents: Data(repeating: 7, count: 4096))
        FileManager.default.createFile(atPath: dat, contents: Data(repeating: 7, count: 4096))
        XCTAssertThrowsError(try FaceDetector(modelPath: onnx)) { error in
            XCTAssertEqual((error as? FaceEngineError)?.code, .modelCorrupt)
            XCTAssert("\(error)".contains(onnx))
        }
        XCTAssertThrowsError(try FaceEmbedder(shapePredictorPath: dat, resnetPath: dat)) { error in
            XCTAssertEqual((error as? FaceEngineError)?.code, .modelCorrupt)
            XCTAssert("\(error)".contains(dat))
        }
    }

    func testDetectorSettings_outOfRange_areRefused() throws {
        let path = try Fixtures.models.verifiedPath(.centerFace)
        XCTAssertThrowsError(try FaceDetector(modelPath: path, settings: DetectorSettings(maxSide: 8)))
        XCTAssertThrowsError(try FaceDetector(modelPath: path, settings: DetectorSettings(threshold: 1.5)))
    }
}
