@testable import EdgeNode
import FaceEngine
import Foundation
import Logging
import TestSupport
import XCTest

/// Warming the nets up before the first frame is not work the report counts, and leaves the
/// first frame to be detected as usual.
final class PipelineWarmUpTests: XCTestCase {
    func testWarmUp_countsNothing_andTheFirstFrameIsStillDetected() throws {
        let pipeline = try RecognitionPipeline(models: Fixtures.models, matcher: nil, settings: PipelineSettings(), threshold: 0.6,
                                               logger: Logger(label: "test"))
        let photo = try Image(contentsOf: try Fixtures.photo("obama.jpg"))
        try pipeline.warmUp(frameSize: FrameSize(width: photo.width, height: photo.height))
        try pipeline.warmUp(frameSize: nil)
        XCTAssertEqual([pipeline.report.framesProcessed, pipeline.report.framesDetected, pipeline.report.facesDetected,
                        pipeline.report.embeddingsComputed, pipeline.report.faceNetEmbeddingsComputed], [0, 0, 0, 0, 0])
        _ = try pipeline.process(Frame(image: photo, index: 0, capturedAt: .now, streamTime: 0)) { _, _, _ in nil }
        XCTAssertEqual([pipeline.report.framesProcessed, pipeline.report.framesDetected, pipeline.report.facesDetected], [1, 1, 1])
    }
}
