import Logging
import TestSupport
import XCTest

@testable import FaceEngine

final class VideoSourceTests: XCTestCase {
    func testSourceKinds() {
        XCTAssertEqual(SourceKind(source: "rtsp://cam/1"), .rtsp)
        XCTAssertEqual(SourceKind(source: "/dev/video0"), .v4l2)
        XCTAssertEqual(SourceKind(source: "clip.mp4"), .file)
        XCTAssertFalse(SourceKind.file.isLive)
    }

    func testMissingFile_isRefusedWithItsPath() {
        XCTAssertThrowsError(try VideoSource(source: "/nonexistent/clip.mp4")) { error in
            XCTAssertEqual((error as? FaceEngineError)?.code, .fileUnreadable)
            XCTAssert("\(error)".contains("/nonexistent/clip.mp4"))
        }
    }

    func testFileThatIsNotVideo_isRefused() throws {
        let path = try Fixtures.temporaryFolder(self) + "/notes.mp4"
        FileManager.default.createFile(atPath: path, contents: Data("plain text".utf8))
        XCTAssertThrowsError(try VideoSource(source: path)) { error in
            XCTAssertEqual((error as? FaceEngineError)?.code, .decodeFailed)
            XCTAssert("\(error)".contains(path))
        }
    }

    func testFeed_readsAnimatedGIF() async throws {
        let clip = try Fixtures.dataset("videos/intel-sample-videos/face-demographics-walking.gif")
        let feed = FrameFeed(source: clip, settings: .defaults(for: .file), logger: Logger(label: "test"))
        let capture = try started(feed)
        defer { capture.cancel() }
        var count = 0
        while await feed.next() != nil { count += 1 }
        XCTAssertEqual(count, 35)
    }

    func testFeed_deliversEveryFrameOfAFile_thenEnds() async throws {
        let clip = try Fixtures.syntheticClip(self, frames: 35, fps: 25)
        let feed = FrameFeed(source: clip, settings: .defaults(for: .file), logger: Logger(label: "test"))
        let capture = try started(feed)
        defer { capture.cancel() }
        var indices: [Int] = []
        while let frame = await feed.next() { indices.append(frame.index) }
        XCTAssertEqual(indices, Array(0..<35))
        XCTAssertEqual(feed.endReason, .endOfFile)
        XCTAssertEqual(feed.snapshot.dropped, 0)
    }

    func testLoopingFile_startsAgain_withIndicesAndStreamTimeRunningOn() async throws {
        let clip = try Fixtures.syntheticClip(self, frames: 10, fps: 25)
        let feed = FrameFeed(source: clip, settings: .defaults(for: .file, loop: true), logger: Logger(label: "test"))
        let capture = try started(feed)
        defer { capture.cancel() }
        var frames: [Frame] = []
        while frames.count < 35, let frame = await feed.next() { frames.append(frame) }
        feed.stop()
        XCTAssertEqual(frames.map(\.index), Array(0..<35))
        XCTAssertEqual(frames[34].streamTime, 34.0 / 25, accuracy: 1e-9, "stream time runs on across passes")
        XCTAssertGreaterThanOrEqual(feed.snapshot.loops, 3)
    }

    /// Regression: a frame that waited for buffer space once overtook the consumer's next wait.
    func testFeed_keepsFrameOrder_whenTheConsumerAlternatesBetweenFastAndSlow() async throws {
        let clip = try Fixtures.syntheticClip(self, frames: 300, fps: 25)
        let feed = FrameFeed(source: clip, settings: .defaults(for: .file), logger: Logger(label: "test"))
        let capture = try started(feed)
        defer { capture.cancel() }
        var indices: [Int] = []
        while let frame = await feed.next() {
            indices.append(frame.index)
            if frame.index % 3 == 0 { try await Task.sleep(for: .microseconds(Int.random(in: 0...3000))) }
        }
        XCTAssertEqual(indices, Array(0..<300))
    }

    func testFeed_dropsAndCounts_whenProcessingFallsBehind() async throws {
        let clip = try Fixtures.syntheticClip(self, frames: 35, fps: 25)
        var settings = CaptureSettings.defaults(for: .file, realtime: true)
        settings.bufferCapacity = 1
        let feed = FrameFeed(source: clip, settings: settings, logger: Logger(label: "test"))
        let capture = try started(feed)
        defer { capture.cancel() }
        var processed = 0
        while await feed.next() != nil {
            processed += 1
            try await Task.sleep(for: .milliseconds(150))  // slower than the clip's 25 fps
        }
        let counters = feed.snapshot
        XCTAssertEqual(counters.captured, 35)
        XCTAssertGreaterThan(counters.dropped, 10)
        XCTAssertEqual(processed + counters.dropped, 35, "every frame is either processed or counted as dropped")
    }
}

/// A feed opened now and capturing in a task of its own, as a service runs it.
private func started(_ feed: FrameFeed) throws -> Task<Void, Error> {
    try feed.open()
    return Task { try await feed.run() }
}

final class SourceRedactionTests: XCTestCase {
    private let secret = "pa@ss:w0rd"

    func testUserInformation_isHiddenForEveryScheme_evenWithAnAtInThePassword() {
        XCTAssertEqual(redacted("rtsp://admin:secret@10.0.0.5:554/stream1"), "rtsp://***@10.0.0.5:554/stream1")
        XCTAssertEqual(redacted("rtsp://admin:\(secret)@10.0.0.5/s@1"), "rtsp://***@10.0.0.5/s@1")
        XCTAssertEqual(redacted("rtsps://admin:\(secret)@cam.local"), "rtsps://***@cam.local")
        XCTAssertEqual(redacted("http://u:\(secret)@cam/x.mp4"), "http://***@cam/x.mp4")
        XCTAssertEqual(redacted("rtsp://10.0.0.5/stream"), "rtsp://10.0.0.5/stream")
        XCTAssertEqual(redacted("/data/clip@night.mp4"), "/data/clip@night.mp4")
    }

    /// Nothing listens on port 9: OpenCV's open fails at once, and its error must not carry the password.
    func testCameraThatCannotBeOpened_errorNamesTheHost_notThePassword() {
        XCTAssertThrowsError(
            try VideoSource(source: "rtsp://admin:\(secret)@127.0.0.1:9/cam", openTimeout: .seconds(2))
        ) { error in
            XCTAssertFalse("\(error)".contains("w0rd"), "\(error)")
            XCTAssert("\(error)".contains("rtsp://***@127.0.0.1:9/cam"), "\(error)")
        }
    }

    /// An unsupported scheme is taken for a file path; the refusal must not print it with its password.
    func testUnsupportedScheme_isRefused_withoutThePassword() {
        XCTAssertThrowsError(try VideoSource(source: "http://admin:\(secret)@127.0.0.1/cam.mp4")) { error in
            XCTAssertEqual((error as? FaceEngineError)?.code, .fileUnreadable)
            XCTAssertFalse("\(error)".contains("w0rd"), "\(error)")
            XCTAssert("\(error)".contains("rtsp://"), "the error says which sources are supported: \(error)")
        }
    }
}
