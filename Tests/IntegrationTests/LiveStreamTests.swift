import Foundation
import TestSupport
import XCTest

/// A live RTSP camera (gst-rtsp-server on 127.0.0.1) that stalls, drops and comes back.
final class LiveStreamTests: XCTestCase {
    private let edgeNode = Fixtures.executable("edge-node")
    private let serverScript = Fixtures.repository + "/scripts/rtsp-test-server.py"

    private func startCamera(port: Int) throws -> ChildProcess {
        guard FileManager.default.fileExists(atPath: "/usr/bin/python3") else {
            throw XCTSkip("Debian python3 (with python3-gi) is not installed")
        }
        let server = try ChildProcess("/usr/bin/python3", [serverScript, String(port)])
        for _ in 0..<100 where !server.stdout.contains("ready") && server.process.isRunning { usleep(50_000) }
        guard server.stdout.contains("ready") else {
            XCTFail("RTSP test server did not start (run scripts/setup.sh): \(server.stderr)")
            throw XCTSkip("no RTSP server")
        }
        return server
    }

    private func watchlist() throws -> String {
        let folder = try Fixtures.temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder + "/in/s1", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Fixtures.photo("obama.jpg"), toPath: folder + "/in/s1/a.jpg")
        let r = try ChildProcess.run(edgeNode, ["enrol", "--from", folder + "/in", "--out", folder + "/list.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return folder + "/list.json"
    }

    func testStalledAndDroppedStream_isReopenedWithBackoff_andTheNodeKeepsRunning() throws {
        let port = Fixtures.freePort()
        var camera: ChildProcess? = try startCamera(port: port)
        let report = try Fixtures.temporaryFolder(self) + "/report.json"
        // The camera's URL carries credentials, as real ones do: no log line of any path
        // (open, stall, drop, retry, reconnect) may show them.
        let password = "Cam-S3cret"
        let node = try ChildProcess(
            edgeNode,
            [
                "run", "--source", "rtsp://watch:\(password)@127.0.0.1:\(port)/cam", "--watchlist", try watchlist(),
                "--report", report, "--health-interval", "1",
            ])
        XCTAssertTrue(node.waitForStderr("video source opened", timeout: .seconds(30)), node.stderr)
        XCTAssertTrue(
            node.waitForStderr("health", timeout: .seconds(30)), "frames flow before the stall: \(node.stderr)")

        // Stall: the server stops sending but keeps the connection (SIGSTOP); reads time out.
        camera!.signal(SIGSTOP)
        XCTAssertTrue(
            node.waitForStderr("video stream stalled or dropped, reopening", timeout: .seconds(30)), node.stderr)
        XCTAssertTrue(node.process.isRunning, "a stalled camera is not fatal")
        // Drop: the server dies; reopening fails and is retried with a growing delay.
        camera!.signal(SIGKILL)
        camera!.wait()
        XCTAssertTrue(node.waitForStderr("video source unavailable, retrying", timeout: .seconds(30)), node.stderr)
        XCTAssertTrue(node.process.isRunning)

        // The camera comes back on the same address: the node reconnects by itself.
        camera = try startCamera(port: port)
        let opened = node.stderr.components(separatedBy: "video source opened").count - 1
        let deadline = ContinuousClock.now + .seconds(60)
        while node.stderr.components(separatedBy: "video source opened").count - 1 <= opened,
            ContinuousClock.now < deadline
        { usleep(100_000) }
        XCTAssertGreaterThan(node.stderr.components(separatedBy: "video source opened").count - 1, opened, node.stderr)
        let healthLines = node.stderr.components(separatedBy: "health").count
        while node.stderr.components(separatedBy: "health").count <= healthLines + 1, ContinuousClock.now < deadline {
            usleep(100_000)
        }

        node.signal(SIGTERM)
        XCTAssertEqual(node.wait(timeout: .seconds(30)), 0, "graceful stop on SIGTERM: \(node.stderr)")
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        XCTAssertGreaterThanOrEqual(summary["stream_stalls"] as? Int ?? 0, 1)
        XCTAssertGreaterThan(summary["frames_processed"] as? Int ?? 0, 15, "frames flow again after the reconnect")
        XCTAssertFalse(
            node.stderr.contains(password) || node.stdout.contains(password),
            "credentials reached the log: \(node.stderr)")
        XCTAssert(node.stderr.contains("rtsp://***@127.0.0.1"), "the log still names the camera: \(node.stderr)")
        camera?.signal(SIGKILL)
    }
}
