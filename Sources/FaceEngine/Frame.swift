/// One captured frame.
public struct Frame: Sendable {
    public let image: Image
    /// 0-based index of the frame in the source, counting frames that were dropped.
    public let index: Int
    /// Monotonic time the frame was read from the source (for latency figures).
    public let capturedAt: ContinuousClock.Instant
    /// Seconds into the stream: media time for files, time since capture started for live sources.
    public let streamTime: Double

    public init(image: Image, index: Int, capturedAt: ContinuousClock.Instant, streamTime: Double) {
        self.image = image
        self.index = index
        self.capturedAt = capturedAt
        self.streamTime = streamTime
    }
}
