import Shared

/// A labelled dataset laid out as `<identity>/<images>`, split by the evaluation protocol:
/// identities with two or more images are enrolled on their first image (by file name) and probed
/// with the others (up to a cap) as mated searches; identities with one image are non-mated searches.
public struct FolderDataset {
    let identities: [LabelledImageFolder.Label]

    init(root: String) throws {
        identities = try LabelledImageFolder(root: root, option: "--dataset").labels
        guard identities.contains(where: { $0.images.count >= 2 }) else {
            throw EvaluationRefusal(
                .nothingToProbe, root,
                "--dataset \(root) has no identity with two or more images, so nothing can be enrolled and probed")
        }
    }

    var enrolled: [LabelledImageFolder.Label] { identities.filter { $0.images.count >= 2 } }
    var singletons: [LabelledImageFolder.Label] { identities.filter { $0.images.count == 1 } }
}
