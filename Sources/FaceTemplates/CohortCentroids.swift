/// A normalising cohort that is nobody: each centroid is the mean of at least `peoplePerCentroid`
/// people's templates in both models, so no template a bundle carries is one person's face.
public enum CohortCentroids {
    /// The fewest people a centroid may average, so that none is close to one person's face.
    public static let fewestPeople = 5

    /// Why `peoplePerCentroid` cannot be used (for `--cohort-centroids`), or nil when it can.
    public static func refusal(peoplePerCentroid: Int) -> String? {
        peoplePerCentroid >= fewestPeople
            ? nil
            : "--cohort-centroids \(peoplePerCentroid): a centroid must average at least \(fewestPeople) people, so that none is one person's face"
    }

    /// How people are put in groups.
    public enum Grouping: String, Sendable, CaseIterable {
        /// Consecutive faces in the order given (for a random order, random groups).
        case inOrder = "in-order"
        /// Each group is a face and its nearest ungrouped neighbours (dlib distance), so that a
        /// centroid stands for a region of face space, as the faces it replaces did.
        case nearest
    }

    /// Centroids of groups of `peoplePerCentroid` faces (one face per person); a remainder smaller
    /// than a group joins the last group, so every centroid averages at least that many people.
    /// Fewer faces than one group give no centroid.
    public static func make(from faces: [FaceFeatures], peoplePerCentroid: Int, grouping: Grouping = .inOrder)
        -> [FaceFeatures]
    {
        precondition(peoplePerCentroid >= 1)
        let groupCount = faces.count / peoplePerCentroid
        guard groupCount > 0 else { return [] }
        var groups: [[Int]]
        switch grouping {
        case .inOrder:
            groups = (0..<groupCount).map { g in Array((g * peoplePerCentroid)..<((g + 1) * peoplePerCentroid)) }
        case .nearest:
            var ungrouped = Array(faces.indices)
            groups = []
            for _ in 0..<groupCount {
                let seed = ungrouped.removeFirst()
                let nearest = Set(
                    ungrouped.map { (faces[seed].dlib.distance(to: faces[$0].dlib), $0) }
                        .sorted { $0.0 < $1.0 }.prefix(peoplePerCentroid - 1).map(\.1))
                ungrouped.removeAll { nearest.contains($0) }
                groups.append([seed] + nearest.sorted())
            }
        }
        let grouped = Set(groups.joined())
        groups[groups.count - 1] += faces.indices.filter { !grouped.contains($0) }
        return groups.map { group in
            let members = group.map { faces[$0] }
            let faceNets = members.compactMap(\.faceNet)
            return FaceFeatures(
                dlib: Embedding.mean(members.map(\.dlib)),
                faceNet: faceNets.count == members.count ? FaceNetEmbedding.mean(faceNets) : nil)
        }
    }
}
