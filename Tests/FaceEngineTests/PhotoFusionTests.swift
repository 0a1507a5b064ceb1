import FaceTemplates
import XCTest

/// A subject's several enrolment photos: one template, their mean model by model, or one each.
final class PhotoFusionTests: XCTestCase {
    private func face(dlib: Float, faceNet: [Float]?) -> FaceFeatures {
        FaceFeatures(
            dlib: Embedding([Float](repeating: dlib, count: Embedding.dimension)),
            faceNet: faceNet.map { values in
                FaceNetEmbedding(values + [Float](repeating: 0, count: FaceNetEmbedding.dimension - values.count))
            })
    }

    func testFused_isOneTemplate_theDlibMean_andTheUnitLengthFaceNetMean() {
        let fused = PhotoFusion.fused.templates([face(dlib: 0.1, faceNet: [1, 0]), face(dlib: 0.3, faceNet: [0, 1])])
        XCTAssertEqual(fused.count, 1)
        XCTAssertEqual(fused[0].dlib.values[0], 0.2, accuracy: 1e-6)
        let faceNet = try! XCTUnwrap(fused[0].faceNet).values
        let half = Float(0.5).squareRoot()
        XCTAssertEqual(faceNet[0], half, accuracy: 1e-6, "the mean (0.5, 0.5) brought back to unit length")
        XCTAssertEqual(faceNet[1], half, accuracy: 1e-6)
    }

    func testSeparate_keepsOneTemplatePerPhoto_andOnePhotoIsItsOwnTemplate() {
        let faces = [face(dlib: 0.1, faceNet: [1]), face(dlib: 0.3, faceNet: [1])]
        XCTAssertEqual(PhotoFusion.separate.templates(faces), faces)
        XCTAssertEqual(PhotoFusion.fused.templates([faces[0]]), [faces[0]])
    }

    /// A FaceNet mean of only some photos would not describe the same photos as the dlib mean.
    func testFused_withoutFaceNetForEveryPhoto_hasNoFaceNetTemplate() {
        let fused = PhotoFusion.fused.templates([face(dlib: 0.1, faceNet: [1]), face(dlib: 0.3, faceNet: nil)])
        XCTAssertEqual(fused.count, 1)
        XCTAssertNil(fused[0].faceNet)
    }
}
