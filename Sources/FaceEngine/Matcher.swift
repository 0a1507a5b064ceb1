import CFaceEngine

/// One person on a watchlist: an opaque subject id and one or more templates.
public struct WatchlistEntry: Sendable, Equatable {
    public var subject: String
    public var templates: [Embedding]

    public init(subject: String, templates: [Embedding]) {
        self.subject = subject; self.templates = templates
    }
}

/// The nearest subject to a probe, and how clearly it beat the next one.
///
/// Score semantics: `distance` is the L2 distance between the probe and the subject's nearest
/// template (0 for identical faces; about 0.6 separates people with the dlib model). A probe
/// matches when `distance <= threshold`. `score(threshold:)` is `1 - distance / threshold`:
/// 1 for an identical face, 0 at the threshold, negative when it does not match.
/// `margin` is the runner-up subject's distance minus this one's (nil with a single subject);
/// a small margin means two entries look alike and the alert deserves a closer look.
public struct MatchCandidate: Sendable, Equatable {
    public var subject: String
    public var distance: Float
    public var runnerUp: String?
    public var runnerUpDistance: Float?

    public init(subject: String, distance: Float, runnerUp: String?, runnerUpDistance: Float?) {
        self.subject = subject; self.distance = distance; self.runnerUp = runnerUp; self.runnerUpDistance = runnerUpDistance
    }

    public var margin: Float? { runnerUpDistance.map { $0 - distance } }

    public func score(threshold: Float) -> Float { 1 - distance / threshold }
}

/// Brute-force nearest-subject search over every template, with all distances from one BLAS
/// matrix-vector product. Immutable, so it is safe to share between tasks.
public final class Matcher: Sendable {
    public let subjects: [String]
    public let templateCount: Int
    private let templates: [Float]
    private let squaredNorms: [Float]
    private let owner: [Int32]

    public init(entries: [WatchlistEntry]) {
        var subjects = [String](), templates = [Float](), norms = [Float](), owner = [Int32]()
        for entry in entries where !entry.templates.isEmpty {
            let index = Int32(subjects.count)
            subjects.append(entry.subject)
            for t in entry.templates {
                templates += t.values
                norms.append(t.values.reduce(0) { $0 + $1 * $1 })
                owner.append(index)
            }
        }
        self.subjects = subjects
        self.templates = templates
        self.squaredNorms = norms
        self.owner = owner
        self.templateCount = owner.count
    }

    /// The nearest subject, or nil for an empty watchlist.
    public func nearest(to probe: Embedding) -> MatchCandidate? {
        guard templateCount > 0 else { return nil }
        var squared = [Float](repeating: 0, count: templateCount)
        templates.withUnsafeBufferPointer { t in
            squaredNorms.withUnsafeBufferPointer { n in
                probe.values.withUnsafeBufferPointer { p in
                    squared.withUnsafeMutableBufferPointer { out in
                        wp_squared_distances(t.baseAddress, n.baseAddress, Int32(templateCount),
                                             Int32(Embedding.dimension), p.baseAddress, out.baseAddress)
                    }
                }
            }
        }
        // One pass keeps the best and the best of a different subject.
        var best = (d: Float.infinity, s: Int32(-1)), second = (d: Float.infinity, s: Int32(-1))
        for i in 0..<templateCount {
            let d = squared[i], s = owner[i]
            if s == best.s {
                best.d = min(best.d, d)
            } else if d < best.d {
                second = best
                best = (d, s)
            } else if s == second.s {
                second.d = min(second.d, d)
            } else if d < second.d {
                second = (d, s)
            }
        }
        let root = { (x: Float) in max(0, x).squareRoot() }
        return MatchCandidate(subject: subjects[Int(best.s)], distance: root(best.d),
                              runnerUp: second.s >= 0 ? subjects[Int(second.s)] : nil,
                              runnerUpDistance: second.s >= 0 ? root(second.d) : nil)
    }
}
