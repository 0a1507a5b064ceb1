import CFaceEngine
import Foundation

/// The kinds of camera a source string can name.
public enum SourceKind: Sendable, Equatable {
    case file, rtsp, v4l2

    /// `rtsp://` and `rtsps://` URLs are network cameras, `/dev/videoN` is a V4L2 device, anything else a file.
    public init(source: String) {
        if source.hasPrefix("rtsp://") || source.hasPrefix("rtsps://") {
            self = .rtsp
        } else if source.hasPrefix("/dev/video") {
            self = .v4l2
        } else {
            self = .file
        }
    }

    /// Live sources are reopened when they stall; files end.
    public var isLive: Bool { self != .file }
}

/// A blocking reader over OpenCV's VideoCapture. One owner (the capture thread) uses it.
public final class VideoSource {
    private let handle: OpaquePointer
    public let source: String

    /// Opens the source. Network streams give up after the timeouts instead of blocking forever.
    public init(source: String, openTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(5)) throws {
        if SourceKind(source: source) == .file, !FileManager.default.isReadableFile(atPath: source) {
            throw FaceEngineError(
                .fileUnreadable,
                "video file \(redacted(source)) does not exist or is not readable: check the --source path (rtsp://, rtsps://, /dev/videoN or a file)"
            )
        }
        if SourceKind(source: source) == .rtsp {
            // TCP avoids the silent packet loss of UDP RTP through NAT and firewalls.
            setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp", 0)
        }
        self.source = source
        do {
            handle = try callEngine {
                wp_video_open(source, Int32(openTimeout.inMilliseconds), Int32(readTimeout.inMilliseconds), $0)
            }
        } catch let error as FaceEngineError {
            throw FaceEngineError(
                error.code,
                "\(error.message) \(redacted(source)): check that it is a video file, an rtsp:// URL or a /dev/video device that is reachable"
            )
        }
    }

    deinit { wp_video_free(handle) }

    /// Frames per second the source declares (0 when unknown).
    public var framesPerSecond: Double { wp_video_fps(handle) }

    /// The next frame, or nil at the end of a file or when a live stream stops delivering.
    public func read() throws -> Image? {
        var error = wp_error()
        var frame: OpaquePointer?
        switch wp_video_read(handle, &frame, &error) {
        case 1: return Image(handle: frame!)
        case 0: return nil
        default: throw FaceEngineError.from(error)
        }
    }
}

/// Hides the user information (`user:password@`) of any `scheme://` source before it is logged or
/// put in an error: camera URLs often carry a password. The user information ends at the last
/// `@` before the path, so a password containing `@` is hidden whole.
func redacted(_ source: String) -> String {
    guard let scheme = source.range(of: "://") else { return source }
    let authorityEnd =
        source[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? source.endIndex
    guard let at = source[scheme.upperBound..<authorityEnd].lastIndex(of: "@") else { return source }
    return String(source[..<scheme.upperBound]) + "***@" + String(source[source.index(after: at)...])
}
