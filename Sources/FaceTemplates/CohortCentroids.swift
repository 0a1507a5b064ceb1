/// A normalising cohort that is nobody: each centroid is the mean of at least `peoplePerCentroid`
/// people's templates in both models, so no template a bundle carries is one person's face.
public enum CohortCentroids {
    /// Centroids of consecutive groups of `peoplePerCentroid` faces (one face per person, in the
    /// order given); a remainder smaller than a group joins the last group, so every centroid
    /// averages at least that many people. Fewer faces than one group give no centroid.
    public static func make(from faces: [FaceFeatures], peoplePerCentroid: Int) -> [FaceFeatures] {
        precondition(peoplePerCentroid >= 1)
        let groups = faces.count / peoplePerCentroid
        guard groups > 0 else { return [] }
        return (0..<groups).map { g in
            let end = g == groups - 1 ? faces.count : (g + 1) * peoplePerCentroid
            let group = faces[(g * peoplePerCentroid)..<end]
            let faceNets = group.compactMap(\.faceNet)
            return FaceFeatures(dlib: Embedding.mean(group.map(\.dlib)),
                                faceNet: faceNets.count == group.count ? FaceNetEmbedding.mean(faceNets) : nil)
        }
    }
}
