import CFaceEngine
import FaceTemplates

/// The nearest subject to a probe, and how clearly it beat the next one.
///
/// Score semantics: `distance` is the rule's score for the subject's nearest template: with
/// `MatchingRule.distance` the L2 distance (0 for identical faces; about 0.6 separates people with
/// the dlib model), with `.fusedCohort` the normalised fused distance (about 1 for a stranger).
/// A probe matches when `distance <= threshold`. `score(threshold:)` is `1 - distance / threshold`:
/// 1 for an identical face, 0 at the threshold, negative when it does not match.
/// `margin` is the runner-up subject's distance minus this one's (nil with a single subject);
/// a small margin means two entries look alike and the alert deserves a closer look.
public struct MatchCandidate: Sendable, Equatable {
    public var subject: String
    public var distance: Float
    public var runnerUp: String?
    public var runnerUpDistance: Float?

    public init(subject: String, distance: Float, runnerUp: String?, runnerUpDistance: Float?) {
        self.subject = subject
        self.distance = distance
        self.runnerUp = runnerUp
        self.runnerUpDistance = runnerUpDistance
    }

    public var margin: Float? { runnerUpDistance.map { $0 - distance } }

    public func score(threshold: Float) -> Float { 1 - distance / threshold }
}

/// Templates of one model as a row-major matrix, so that all distances to a probe come from one
/// BLAS matrix-vector product. The matrix is an `ErasingVector`: a wiped watchlist's templates are
/// erased when the matcher is released.
struct TemplateMatrix: Sendable {
    let dimension: Int
    let count: Int
    private let values: ErasingVector
    private let squaredNorms: [Float]

    init(rows: [ErasingVector], dimension: Int) {
        self.dimension = dimension
        count = rows.count
        values = ErasingVector(count: rows.count * dimension) { out in
            for (r, row) in rows.enumerated() {
                row.withUnsafeBufferPointer { for i in 0..<dimension { out[r * dimension + i] = $0[i] } }
            }
        }
        squaredNorms = rows.map { $0.withUnsafeBufferPointer { $0.reduce(0) { $0 + $1 * $1 } } }
    }

    /// L2 distances from the probe to every row.
    func distances(to probe: ErasingVector) -> [Float] {
        guard count > 0 else { return [] }
        var squared = [Float](repeating: 0, count: count)
        values.withUnsafeBufferPointer { t in
            squaredNorms.withUnsafeBufferPointer { n in
                probe.withUnsafeBufferPointer { p in
                    squared.withUnsafeMutableBufferPointer { out in
                        wp_squared_distances(
                            t.baseAddress, n.baseAddress, Int32(count), Int32(dimension), p.baseAddress, out.baseAddress
                        )
                    }
                }
            }
        }
        return squared.map { max(0, $0).squareRoot() }
    }
}

/// Why a watchlist cannot be matched under the rule asked for.
public struct MatcherSetupError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// Brute-force nearest-subject search over every template. Immutable, so it is safe to share
/// between tasks.
public final class Matcher: Sendable {
    public let subjects: [String]
    public let templateCount: Int
    public let rule: MatchingRule
    public let cohortCount: Int
    private let dlib: TemplateMatrix
    private let faceNet: TemplateMatrix?
    private let owner: [Int]
    private let cohortDlib: TemplateMatrix
    private let cohortFaceNet: TemplateMatrix?

    /// A matcher under the distance rule.
    public convenience init(entries: [WatchlistEntry]) {
        // The distance rule needs nothing beyond dlib templates, so it cannot fail.
        try! self.init(entries: entries, rule: .distance, cohort: [])
    }

    /// - Parameter cohort: faces of people not on the list, used only by the fused rule to
    ///   normalise scores; never matched.
    public init(entries: [WatchlistEntry], rule: MatchingRule, cohort: [FaceFeatures]) throws {
        var subjects = [String](), dlibRows = [ErasingVector](), faceNetRows = [ErasingVector](), owner = [Int]()
        for entry in entries where !entry.templates.isEmpty {
            subjects.append(entry.subject)
            for (i, t) in entry.templates.enumerated() {
                dlibRows.append(t.storage)
                owner.append(subjects.count - 1)
                if i < entry.faceNetTemplates.count { faceNetRows.append(entry.faceNetTemplates[i].storage) }
            }
        }
        let fused: Bool
        if case .fusedCohort(let settings) = rule {
            fused = true
            guard faceNetRows.count == dlibRows.count,
                entries.allSatisfy({ $0.faceNetTemplates.count == $0.templates.count })
            else {
                throw MatcherSetupError(
                    description:
                        "the fused rule needs a FaceNet template for every dlib template: enrol the watchlist again with this version"
                )
            }
            guard cohort.allSatisfy({ $0.faceNet != nil }) else {
                throw MatcherSetupError(description: "every cohort face needs a FaceNet embedding for the fused rule")
            }
            guard settings.cohortSize >= 1, settings.dlibWeight >= 0, settings.dlibWeight <= 1, settings.dlibScale > 0,
                settings.priorDistance > 0
            else {
                throw MatcherSetupError(
                    description: "fusion settings out of range (cohort size >= 1, dlib weight 0-1, scale and prior > 0)"
                )
            }
        } else {
            fused = false
        }
        self.subjects = subjects
        self.owner = owner
        self.rule = rule
        templateCount = owner.count
        cohortCount = fused ? cohort.count : 0
        dlib = TemplateMatrix(rows: dlibRows, dimension: Embedding.dimension)
        faceNet = fused ? TemplateMatrix(rows: faceNetRows, dimension: FaceNetEmbedding.dimension) : nil
        cohortDlib = TemplateMatrix(rows: fused ? cohort.map(\.dlib.storage) : [], dimension: Embedding.dimension)
        cohortFaceNet =
            fused
            ? TemplateMatrix(rows: cohort.compactMap(\.faceNet?.storage), dimension: FaceNetEmbedding.dimension) : nil
    }

    /// Whether matching wants a FaceNet embedding of the probe.
    public var wantsFaceNet: Bool { faceNet != nil }

    /// The nearest subject by dlib L2 distance, or nil for an empty watchlist.
    public func nearest(to probe: Embedding) -> MatchCandidate? {
        bestTwo(of: dlib.distances(to: probe.storage))
    }

    /// The nearest subject under the matcher's rule. Under the fused rule a probe without a FaceNet
    /// embedding is scored on dlib alone, normalised the same way: the edge's cheap first look,
    /// which decides whether the face is worth the second model.
    public func nearest(to probe: FaceFeatures) -> MatchCandidate? {
        guard case .fusedCohort(let settings) = rule else { return nearest(to: probe.dlib) }
        var fusedEntries = dlib.distances(to: probe.dlib.storage)
        var fusedCohort = cohortDlib.distances(to: probe.dlib.storage)
        if let second = probe.faceNet, let faceNet, let cohortFaceNet {
            let w = settings.dlibWeight, scale = settings.dlibScale
            let entryFN = faceNet.distances(to: second.storage), cohortFN = cohortFaceNet.distances(to: second.storage)
            for i in fusedEntries.indices { fusedEntries[i] = w * fusedEntries[i] / scale + (1 - w) * entryFN[i] }
            for i in fusedCohort.indices { fusedCohort[i] = w * fusedCohort[i] / scale + (1 - w) * cohortFN[i] }
        } else {
            for i in fusedEntries.indices { fusedEntries[i] /= settings.dlibScale }
            for i in fusedCohort.indices { fusedCohort[i] /= settings.dlibScale }
        }
        guard let (best, bestIndex) = bestTwoIndexed(of: fusedEntries) else { return nil }
        // The normaliser: the mean of the k nearest faces that are not the best subject.
        var perSubject = [Float](repeating: .infinity, count: subjects.count)
        for (i, d) in fusedEntries.enumerated() { perSubject[owner[i]] = min(perSubject[owner[i]], d) }
        var nearestOthers = SmallestValues(capacity: settings.cohortSize)
        for d in fusedCohort { nearestOthers.offer(d) }
        for (s, d) in perSubject.enumerated() where s != bestIndex { nearestOthers.offer(d) }
        let missing = Float(settings.cohortSize - nearestOthers.values.count)
        let normaliser =
            (nearestOthers.values.reduce(0, +) + missing * settings.priorDistance) / Float(settings.cohortSize)
        guard normaliser > 0 else { return nil }
        return MatchCandidate(
            subject: best.subject, distance: best.distance / normaliser, runnerUp: best.runnerUp,
            runnerUpDistance: best.runnerUpDistance.map { $0 / normaliser })
    }

    /// The best subject and the best other subject from per-template distances.
    private func bestTwo(of distances: [Float]) -> MatchCandidate? { bestTwoIndexed(of: distances)?.candidate }

    private func bestTwoIndexed(of distances: [Float]) -> (candidate: MatchCandidate, subjectIndex: Int)? {
        guard !distances.isEmpty else { return nil }
        var best = (d: Float.infinity, s: -1), second = (d: Float.infinity, s: -1)
        for (i, d) in distances.enumerated() {
            let s = owner[i]
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
        return (
            MatchCandidate(
                subject: subjects[best.s], distance: best.d,
                runnerUp: second.s >= 0 ? subjects[second.s] : nil,
                runnerUpDistance: second.s >= 0 ? second.d : nil), best.s
        )
    }
}

/// The k smallest values offered, kept sorted; O(n·k), which beats sorting all n for small k.
struct SmallestValues {
    let capacity: Int
    private(set) var values: [Float] = []

    init(capacity: Int) {
        self.capacity = capacity
        values.reserveCapacity(capacity + 1)
    }

    mutating func offer(_ value: Float) {
        guard value.isFinite, values.count < capacity || value < values[values.count - 1] else { return }
        var i = values.count
        values.append(value)
        while i > 0, values[i - 1] > value {
            values[i] = values[i - 1]
            i -= 1
        }
        values[i] = value
        if values.count > capacity { values.removeLast() }
    }
}
