import Foundation
import Logging

/// How frames are captured from a source.
public struct CaptureSettings: Sendable, Equatable {
    /// Frames held between capture and processing. Live sources hold one, the newest, so that
    /// an alert is never delayed behind stale frames; files hold two to overlap decoding.
    public var bufferCapacity: Int = 2
    /// When processing falls behind: drop the oldest buffered frame (live cameras) or make the
    /// reader wait (files read as fast as they can be processed).
    public var dropWhenBehind: Bool
    /// Pace a file at its own frame rate, as a camera would deliver it.
    public var realtime: Bool = false
    /// Start a file again when it ends, as an endless camera (demos and soak runs).
    public var loop: Bool = false
    /// Backoff before reopening a stalled live source: doubles from `initial` up to `maximum`.
    public var reconnectInitial: Duration = .milliseconds(500)
    public var reconnectMaximum: Duration = .seconds(10)
    /// Network timeouts for opening and reading.
    public var openTimeout: Duration = .seconds(5)
    public var readTimeout: Duration = .seconds(5)

    public init(dropWhenBehind: Bool) { self.dropWhenBehind = dropWhenBehind }

    /// Defaults by source kind: live cameras drop, files wait unless paced in real time.
    public static func defaults(for kind: SourceKind, realtime: Bool = false, loop: Bool = false) -> CaptureSettings {
        var s = CaptureSettings(dropWhenBehind: kind.isLive || realtime)
        s.realtime = realtime && !kind.isLive
        s.loop = loop && !kind.isLive
        if s.dropWhenBehind { s.bufferCapacity = 1 }
        return s
    }
}

/// Counters of a feed, for health reports.
public struct CaptureCounters: Sendable, Equatable {
    public var captured = 0
    public var dropped = 0
    public var stalls = 0
    public var reconnects = 0
    /// Times a looping file was started again.
    public var loops = 0
}

/// What the feed delivers.
public enum FeedEnd: Sendable, Equatable {
    /// A file reached its end.
    case endOfFile
    /// The feed was stopped.
    case stopped
    /// The source could not be opened or read and will not be retried (a file).
    case failed(FaceEngineError)
}

/// Reads a source on its own thread (OpenCV reads block) into a small bounded buffer, while `run()`
/// runs (a service in the edge node's group, or a child task of the stage that reads it).
/// Live sources that stall or drop are reopened with backoff and reported, never fatal.
public final class FrameFeed: @unchecked Sendable {
    public let source: String
    public let kind: SourceKind
    public let settings: CaptureSettings
    private let logger: Logger

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var buffer: [Frame] = []
    private var waiter: CheckedContinuation<Frame?, Never>?
    private var end: FeedEnd?
    private var stopRequested = false
    private var counters = CaptureCounters()
    /// A file source opened by `open()`, until the capture thread takes it.
    private var opened: VideoSource?

    public init(source: String, settings: CaptureSettings, logger: Logger) {
        self.source = source
        self.kind = SourceKind(source: source)
        self.settings = settings
        self.logger = logger
    }

    public var snapshot: CaptureCounters { condition.withLock { counters } }
    /// Why the feed ended, once `next()` has returned nil.
    public var endReason: FeedEnd? { condition.withLock { end } }

    /// Opens a file source now, so that a wrong path fails before any work starts; `run` opens
    /// it otherwise. A live source is opened (and reopened) by the capture itself.
    public func open() throws {
        guard !kind.isLive else { return }
        let video = try VideoSource(
            source: source, openTimeout: settings.openTimeout, readTimeout: settings.readTimeout)
        condition.withLock { opened = video }
    }

    /// Captures until the source ends or fails, `stop()` is called or the task is cancelled, on a
    /// thread of its own (OpenCV reads block); returns when that thread has finished. Run it as a
    /// service or a child task: the thread lives exactly as long as this call.
    public func run() async throws {
        if !kind.isLive, condition.withLock({ opened == nil }) { try open() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                // The capture thread becomes the opened source's only user.
                nonisolated(unsafe) let first = condition.withLock { () -> VideoSource? in
                    defer { opened = nil }
                    return opened
                }
                let thread = Thread { [self] in
                    capture(opened: first)
                    finished.resume()
                }
                thread.name = "capture"
                thread.start()
            }
        } onCancel: {
            stop()
        }
    }

    /// Asks the capture thread to finish; `next()` then drains and returns nil.
    public func stop() {
        condition.withLock {
            stopRequested = true
            condition.broadcast()
        }
        finish(.stopped)
    }

    /// The next frame, or nil when the feed has ended.
    public func next() async -> Frame? {
        await withCheckedContinuation { (c: CheckedContinuation<Frame?, Never>) in
            condition.lock()
            if !buffer.isEmpty {
                let frame = buffer.removeFirst()
                condition.broadcast()
                condition.unlock()
                c.resume(returning: frame)
            } else if end != nil {
                condition.unlock()
                c.resume(returning: nil)
            } else {
                waiter = c
                condition.unlock()
            }
        }
    }

    private var isStopping: Bool { condition.withLock { stopRequested } }

    private func capture(opened: VideoSource?) {
        var video = opened
        var backoff = settings.reconnectInitial
        var index = 0
        var framesThisPass = 0
        let start = ContinuousClock.now
        let clock = ContinuousClock()
        while !isStopping {
            if video == nil {
                do {
                    video = try VideoSource(
                        source: source, openTimeout: settings.openTimeout, readTimeout: settings.readTimeout)
                    if counters.stalls > 0 { condition.withLock { counters.reconnects += 1 } }
                    logger.info("video source opened", metadata: ["source": "\(redacted(source))"])
                } catch let error as FaceEngineError {
                    guard kind.isLive else { return finish(.failed(error)) }
                    logger.warning(
                        "video source unavailable, retrying",
                        metadata: [
                            "source": "\(redacted(source))", "retry_in_ms": "\(backoff.inMilliseconds)",
                            "error": "\(error.message)",
                        ])
                    sleepInterruptibly(backoff)
                    backoff = min(backoff * 2, settings.reconnectMaximum)
                    continue
                } catch { return finish(.failed(FaceEngineError(.internal, "\(error)"))) }
            }
            let image: Image?
            do { image = try video!.read() } catch let error as FaceEngineError {
                guard kind.isLive else { return finish(.failed(error)) }
                logger.warning("video read failed", metadata: ["error": "\(error.message)"])
                image = nil
            } catch { return finish(.failed(FaceEngineError(.internal, "\(error)"))) }

            guard let image else {
                // A file that delivered nothing would loop without end: it ends instead.
                if settings.loop, !kind.isLive, framesThisPass > 0 {
                    video = nil
                    framesThisPass = 0
                    condition.withLock { counters.loops += 1 }
                    continue
                }
                guard kind.isLive else { return finish(.endOfFile) }
                condition.withLock { counters.stalls += 1 }
                logger.warning(
                    "video stream stalled or dropped, reopening",
                    metadata: [
                        "source": "\(redacted(source))", "retry_in_ms": "\(backoff.inMilliseconds)",
                    ])
                video = nil
                sleepInterruptibly(backoff)
                backoff = min(backoff * 2, settings.reconnectMaximum)
                continue
            }
            backoff = settings.reconnectInitial
            let now = clock.now
            let fps = video!.framesPerSecond
            let streamTime = kind.isLive || fps <= 0 ? (now - start).inSeconds : Double(index) / fps
            if settings.realtime, fps > 0 {
                let due = start + .seconds(Double(index) / fps)
                if due > now { Thread.sleep(forTimeInterval: (due - now).inSeconds) }
            }
            deliver(Frame(image: image, index: index, capturedAt: clock.now, streamTime: streamTime))
            index += 1
            framesThisPass += 1
        }
        finish(.stopped)
    }

    private func deliver(_ frame: Frame) {
        condition.lock()
        counters.captured += 1
        if buffer.count >= settings.bufferCapacity {
            if settings.dropWhenBehind {
                let old = buffer.removeFirst()
                old.image.wipe()
                counters.dropped += 1
            } else {
                while buffer.count >= settings.bufferCapacity && !stopRequested { condition.wait() }
            }
        }
        // Checked after any wait: the consumer may have drained the buffer and started waiting
        // meanwhile. A waiter only exists while the buffer is empty, so this keeps frames in order.
        if let c = waiter {
            waiter = nil
            condition.unlock()
            c.resume(returning: frame)
            return
        }
        buffer.append(frame)
        condition.unlock()
    }

    private func finish(_ reason: FeedEnd) {
        condition.lock()
        if end == nil { end = reason }
        let c = buffer.isEmpty ? waiter : nil
        if c != nil { waiter = nil }
        condition.unlock()
        c?.resume(returning: nil)
    }

    private func sleepInterruptibly(_ duration: Duration) {
        let deadline = Date().addingTimeInterval(duration.inSeconds)
        condition.lock()
        while !stopRequested && Date() < deadline { _ = condition.wait(until: deadline) }
        condition.unlock()
    }
}

extension Duration {
    /// The duration as fractional seconds (for rates, latencies and Foundation APIs).
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    /// The duration in whole milliseconds.
    public var inMilliseconds: Int { Int(inSeconds * 1000) }
}
