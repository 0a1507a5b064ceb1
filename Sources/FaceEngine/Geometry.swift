import CFaceEngine
import FaceTemplates

/// An axis-aligned box in frame pixels.
public struct Box: Sendable, Equatable, Codable {
    public var x: Float, y: Float, width: Float, height: Float

    public init(x: Float, y: Float, width: Float, height: Float) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var area: Float { max(0, width) * max(0, height) }
    public var centerX: Float { x + width / 2 }
    public var centerY: Float { y + height / 2 }

    /// Intersection over union, 0 for disjoint boxes.
    public func iou(_ other: Box) -> Float {
        let x1 = max(x, other.x), y1 = max(y, other.y)
        let x2 = min(x + width, other.x + other.width), y2 = min(y + height, other.y + other.height)
        let inter = max(0, x2 - x1) * max(0, y2 - y1)
        let union = area + other.area - inter
        return union > 0 ? inter / union : 0
    }

    /// The box grown by `fraction` of its size on every side (for crops with some context).
    public func expanded(by fraction: Float) -> Box {
        Box(
            x: x - width * fraction, y: y - height * fraction,
            width: width * (1 + 2 * fraction), height: height * (1 + 2 * fraction))
    }

    var cRect: wp_rect { wp_rect(x: x, y: y, width: width, height: height) }
    init(_ r: wp_rect) { self.init(x: r.x, y: r.y, width: r.width, height: r.height) }
}

/// A point in frame pixels.
public struct Point: Sendable, Equatable, Codable {
    public var x: Float, y: Float
    public init(x: Float, y: Float) {
        self.x = x
        self.y = y
    }
}

extension Box {
    /// The box of a face marked by hand.
    public init(_ mark: FaceMark) { self.init(x: mark.x, y: mark.y, width: mark.width, height: mark.height) }

    /// The box as a mark, as the manifest and the watchlist page write it.
    public var mark: FaceMark { FaceMark(x: x, y: y, width: width, height: height) }
}
