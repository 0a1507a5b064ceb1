import CFaceEngine
import FaceTemplates
import XCTest

@testable import FaceEngine

final class QualityGateTests: XCTestCase {
    private let wellLit = wp_region_stats(laplacian_variance: 300, luma_mean: 120, luma_std: 40)

    /// A frontal face with eyes `eyeGap` apart, nose moved sideways by `noseShift`.
    private func face(eyeGap: Float = 60, noseShift: Float = 0, tilt: Float = 0) -> Detection {
        let points = [
            Point(x: 100, y: 100), Point(x: 100 + eyeGap, y: 100 + tilt),
            Point(x: 100 + eyeGap / 2 + noseShift, y: 130), Point(x: 105, y: 160), Point(x: 95 + eyeGap, y: 160),
        ]
        return Detection(box: Box(x: 80, y: 70, width: eyeGap + 40, height: 110), confidence: 0.9, landmarks: points)
    }

    func testFigures_fromLandmarks() {
        let q = QualityGate.figures(for: face(noseShift: 15), stats: wellLit)
        XCTAssertEqual(q.interEye, 60, accuracy: 1e-4)
        XCTAssertEqual(q.yaw, 0.25, accuracy: 1e-4)
        XCTAssertEqual(q.pitch, 0.5, accuracy: 1e-4)
        XCTAssertEqual(q.roll, 0, accuracy: 1e-4)
        XCTAssertEqual(QualityGate.figures(for: face(tilt: 60), stats: wellLit).roll, 45, accuracy: 1e-3)
    }

    func testEachBar_rejectsWithItsReason() throws {
        let gate = try QualityGate()
        func reason(_ f: Detection, _ s: wp_region_stats) -> QualityRejection? {
            gate.rejection(for: QualityGate.figures(for: f, stats: s))
        }
        XCTAssertNil(reason(face(), wellLit))
        XCTAssertEqual(reason(face(eyeGap: 10), wellLit), .tooSmall)
        XCTAssertEqual(reason(face(noseShift: 40), wellLit), .turnedAway)
        XCTAssertEqual(reason(face(tilt: 60), wellLit), .turnedAway)
        XCTAssertEqual(
            reason(face(), wp_region_stats(laplacian_variance: 300, luma_mean: 10, luma_std: 40)), .underexposed)
        XCTAssertEqual(
            reason(face(), wp_region_stats(laplacian_variance: 300, luma_mean: 250, luma_std: 40)), .overexposed)
        XCTAssertEqual(
            reason(face(), wp_region_stats(laplacian_variance: 300, luma_mean: 120, luma_std: 3)), .lowContrast)
        XCTAssertEqual(reason(face(), wp_region_stats(laplacian_variance: 1, luma_mean: 120, luma_std: 40)), .blurred)
    }

    func testRank_prefersLargerSharperFrontalFaces() {
        let big = QualityGate.figures(for: face(eyeGap: 60), stats: wellLit).rank
        let small = QualityGate.figures(for: face(eyeGap: 30), stats: wellLit).rank
        let turned = QualityGate.figures(for: face(eyeGap: 60, noseShift: 20), stats: wellLit).rank
        XCTAssertGreaterThan(big, small)
        XCTAssertGreaterThan(big, turned)
    }

    func testInconsistentSettings_areRefused() {
        var s = QualitySettings()
        s.minLumaMean = 200
        s.maxLumaMean = 100
        XCTAssertThrowsError(try QualityGate(settings: s))
    }
}
