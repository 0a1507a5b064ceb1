/// Where the subject's face is in an enrolment photo that holds several, marked by hand: pixels
/// from the top left. Written `x y width height`, in a manifest's `face_boxes` and in the file
/// `edge-node enrol --face-boxes` reads.
public struct FaceMark: Sendable, Equatable {
    public let x: Float, y: Float, width: Float, height: Float

    /// How a mark is written, for errors.
    public static let format = "'x y width height' (pixels from the top left, width and height above 0)"

    public init(x: Float, y: Float, width: Float, height: Float) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// `x y width height`, as `init(text:)` reads it.
    public var text: String { "\(x) \(y) \(width) \(height)" }

    /// Reads `x y width height`; nil unless it is four numbers, none negative, width and height above 0.
    public init?(text: String) {
        let words = text.split(separator: " ")
        let numbers = words.compactMap { Float($0) }
        guard words.count == 4, numbers.count == 4, numbers.allSatisfy({ $0.isFinite && $0 >= 0 }), numbers[2] > 0,
            numbers[3] > 0
        else {
            return nil
        }
        self.init(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3])
    }
}
