import FaceTemplates

/// Thresholds chosen from measurements (README, "Accuracy"): for each rule, the threshold that
/// keeps FPIR <= 1e-3 per search on lfw_dev for random lists of each size, floored to two decimals
/// (`coordinator evaluate --list-sizes 10,20,40,100,1000`, with `--cohort two-fold`, `--cohort
/// watchlist` and `--scoring dlib`). False alerts depend on the list's size, and not the same
/// way for every rule: with a cohort each entry is one more chance to match a stranger, so larger
/// lists need lower thresholds; a list that is its own cohort normalises by nearer neighbours as
/// it grows, so its threshold rises.
public enum MeasuredThresholds {
    /// Measured list sizes and their thresholds, by size.
    public struct Table: Sendable {
        public let rows: [(size: Int, threshold: Float)]

        /// The stricter threshold of the two measured sizes around `size` (the nearest one outside
        /// the measured range), so that a size between two rows is never given a laxer threshold
        /// than either measurement supports.
        public func threshold(listSize size: Int) -> Float {
            let below = rows.last { $0.size <= size } ?? rows[0]
            let above = rows.first { $0.size >= size } ?? rows[rows.count - 1]
            return min(below.threshold, above.threshold)
        }

        public var largestSize: Int { rows[rows.count - 1].size }
    }

    /// The fused rule with a cohort of about 1,270 faces (two-fold).
    public static let withCohort = Table(rows: [(10, 0.88), (20, 0.85), (40, 0.84), (100, 0.81), (1000, 0.77)])
    /// The fused rule normalised by the list alone.
    public static let listAsCohort = Table(rows: [(10, 0.58), (20, 0.59), (40, 0.62), (100, 0.64), (1000, 0.74)])
    /// The fused rule with the cohort carried as centroids of 5 nearest people (`--cohort-centroids
    /// 5 --centroid-grouping nearest`, about 255 centroids per fold); `edge-node enrol
    /// --cohort-centroids` stores it in the file, which does not otherwise say what its cohort is.
    public static let centroidCohort = Table(rows: [(10, 0.93), (20, 0.90), (40, 0.88), (100, 0.85), (1000, 0.79)])
    // A second photo per subject, kept as its own template or fused with the first, brings
    // strangers' scores closer too, so such lists (`ListEnrolment`) need stricter thresholds:
    // measured with `coordinator evaluate --enrolment-study --list-sizes 10,20,40,100` (with and
    // without `--cohort watchlist`) on the 553 lfw_dev identities with 3 or more photos.

    /// Two photos per subject as two templates, with a cohort (1,276 faces, two-fold). Without a
    /// cohort the second template measured no stricter than one photo, so that keeps the one-photo table.
    public static let twoTemplatesWithCohort = Table(rows: [(10, 0.86), (20, 0.84), (40, 0.82), (100, 0.79)])
    /// Two photos fused into one template, with a cohort.
    public static let fusedWithCohort = Table(rows: [(10, 0.84), (20, 0.82), (40, 0.80), (100, 0.78)])
    /// Two photos fused into one template, the list its own cohort.
    public static let fusedListAsCohort = Table(rows: [(10, 0.56), (20, 0.59), (40, 0.61), (100, 0.63)])

    /// The plain dlib distance.
    public static let distance = Table(rows: [(10, 0.47), (100, 0.40), (1000, 0.37)])

    /// Cohorts smaller than this normalise like none: the higher thresholds measured with a full
    /// cohort would let strangers through, so such lists get the list-as-cohort table.
    public static let fullCohortFaces = 1_000

    public static func table(for rule: MatchingRule, cohortFaces: Int) -> Table {
        switch rule {
        case .distance: distance
        case .fusedCohort: cohortFaces >= fullCohortFaces ? withCohort : listAsCohort
        }
    }

    /// The default threshold for an unsigned list of `listSize` subjects, never laxer than the
    /// one-photo table (the multi-photo tables stop at 100 people).
    public static func threshold(
        for rule: MatchingRule, cohortFaces: Int, listSize: Int, enrolment: ListEnrolment = .onePhoto
    )
        -> Float
    {
        let onePhoto = table(for: rule, cohortFaces: cohortFaces).threshold(listSize: listSize)
        guard case .fusedCohort = rule else { return onePhoto }
        let withCohort = cohortFaces >= fullCohortFaces
        let several: Table? =
            switch enrolment {
            case .onePhoto: nil
            case .severalTemplates: withCohort ? twoTemplatesWithCohort : nil
            case .fused: withCohort ? fusedWithCohort : fusedListAsCohort
            }
        return min(onePhoto, several?.threshold(listSize: listSize) ?? onePhoto)
    }
}
