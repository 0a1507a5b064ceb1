import Foundation
import Glibc
import XCTest

/// Where tests find models, public test photos, the shared research datasets and the built executables.
public enum Fixtures {
    /// The repository root (this file is Tests/TestSupport/Fixtures.swift).
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The evaluation report the demo and the tests plan with: made on lfw_dev with lists that are
    /// their own cohort, figures only, committed with the command that made it (docs/evaluation).
    public static let committedEvaluation = repository + "/docs/evaluation/lfw_dev-watchlist-cohort.json"

    /// A photo from the face_recognition 1.3.0 sdist, installed by `scripts/setup.sh --with-test-data`.
    public static func photo(_ name: String) throws -> String { try testData(name) }

    /// A file `scripts/setup.sh --with-test-data` installs (public test photos, axe-core).
    public static func testData(_ name: String) throws -> String {
        let folder = ProcessInfo.processInfo.environment["WATCHPOST_TESTDATA"] ?? repository + "/.testdata"
        let path = folder + "/" + name
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("test data \(path) is missing: run scripts/setup.sh --with-test-data")
            throw CocoaError(.fileNoSuchFile)
        }
        return path
    }

    /// A path under the shared research datasets (`$WATCHPOST_DATASETS`, default ../shared/datasets);
    /// skips the test with a message when they are absent. Never copied into the project.
    public static func dataset(_ relative: String) throws -> String {
        let root = ProcessInfo.processInfo.environment["WATCHPOST_DATASETS"] ?? repository + "/../shared/datasets"
        let path = root + "/" + relative
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("shared dataset \(path) is absent (set WATCHPOST_DATASETS): skipping")
        }
        return path
    }

    /// The photos of the first `count` lfw_dev people (by name) who have one photo each: people
    /// who are not sought, for cohorts. Skips the test when the datasets are absent.
    public static func lfwSinglePhotoPeople(_ count: Int) throws -> [(person: String, photo: String)] {
        let lfw = try dataset("lfw_dev")
        let fm = FileManager.default
        var people: [(person: String, photo: String)] = []
        var isFolder: ObjCBool = false
        for name in try fm.contentsOfDirectory(atPath: lfw).sorted() where people.count < count {
            guard fm.fileExists(atPath: "\(lfw)/\(name)", isDirectory: &isFolder), isFolder.boolValue else { continue }
            let photos = try fm.contentsOfDirectory(atPath: "\(lfw)/\(name)").filter { $0.hasSuffix(".jpg") }
            if photos.count == 1 { people.append((name, "\(lfw)/\(name)/\(photos[0])")) }
        }
        return people
    }

    /// A built executable of this package (the test runner sits beside them).
    public static func executable(_ name: String) -> String {
        executablesFolder + "/" + name
    }

    /// The folder of this build's executables: the one the test runner sits in, so that a release
    /// run of the tests runs release executables.
    public static var executablesFolder: String {
        let here = URL(
            fileURLWithPath: CommandLine.arguments.first { $0.contains(".xctest") } ?? CommandLine.arguments[0])
        var dir = here.deletingLastPathComponent()
        if dir.lastPathComponent == "MacOS" {
            dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return dir.path
    }

    /// A TCP port on 127.0.0.1 that nothing listens on: the kernel's pick for a socket bound to port
    /// 0, then closed. Tests running side by side (`swift test --parallel`) do not draw the same
    /// one, as they could from a random range.
    public static func freePort() -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(socket >= 0, "no socket for a free port: errno \(errno)")
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let found = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        precondition(found, "no free port on 127.0.0.1: errno \(errno)")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A fresh temporary folder, removed when the test ends.
    public static func temporaryFolder(_ test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "watchpost-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// A synthetic clip (ffmpeg's test pattern, H.264 MP4) for tests that must run anywhere.
    public static func syntheticClip(_ test: XCTestCase, frames: Int, fps: Int) throws -> String {
        let path = try temporaryFolder(test) + "/pattern.mp4"
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = [
            "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=\(fps)",
            "-frames:v", String(frames), "-pix_fmt", "yuv420p", path,
        ]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        guard ffmpeg.terminationStatus == 0 else {
            XCTFail("ffmpeg could not make a test clip: run scripts/setup.sh")
            throw CocoaError(.fileWriteUnknown)
        }
        return path
    }
}
