import Foundation

/// A real child process (an executable of this package, or a helper) with its output captured to files.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let outPath: String
    private let errPath: String

    /// - Parameter input: text for the child's standard input (it gets none otherwise).
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil)
        throws
    {
        let base = NSTemporaryDirectory() + "watchpost-child-" + UUID().uuidString
        outPath = base + ".out"
        errPath = base + ".err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        if let input {
            let inPath = base + ".in"
            FileManager.default.createFile(
                atPath: inPath, contents: Data(input.utf8), attributes: [.posixPermissions: 0o600])
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
            defer { try? FileManager.default.removeItem(atPath: inPath) }
            try process.run()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }

    public var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// Waits for the exit, killing the process after `timeout`; returns the exit status.
    @discardableResult
    public func wait(timeout: Duration = .seconds(300)) -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Polls until standard error contains `text`; false on timeout or early exit.
    public func waitForStderr(_ text: String, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            usleep(50_000)
        }
        return false
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Runs to completion and returns (status, stdout, stderr).
    public static func run(
        _ executable: String, _ arguments: [String], timeout: Duration = .seconds(300), input: String? = nil,
        environment: [String: String] = [:]
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(executable, arguments, environment: environment, input: input)
        let status = child.wait(timeout: timeout)
        return (status, child.stdout, child.stderr)
    }
}
