import ArgumentParser
import Shared
import Foundation

/// A labelled dataset laid out as `<identity>/<images>`, split by the evaluation protocol:
/// identities with two or more images are enrolled on their first image (by file name) and probed
/// with the others (up to a cap) as mated searches; identities with one image are non-mated searches.
struct FolderDataset {
    struct Identity {
        let name: String
        let images: [String]
    }

    let root: String
    let identities: [Identity]

    static let imageTypes: Set<String> = ["jpg", "jpeg", "png", "bmp", "pgm", "ppm", "tif", "tiff", "webp"]

    init(root: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure("--dataset \(root) is not a folder: give a folder of <identity>/<images>")
        }
        self.root = root
        var identities: [Identity] = []
        for name in try fm.contentsOfDirectory(atPath: root).sorted() where !name.hasPrefix(".") {
            let folder = root + "/" + name
            guard fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let images = try fm.contentsOfDirectory(atPath: folder).sorted()
                .filter { Self.imageTypes.contains(($0 as NSString).pathExtension.lowercased()) }
                .map { folder + "/" + $0 }
            if !images.isEmpty { identities.append(Identity(name: name, images: images)) }
        }
        guard identities.contains(where: { $0.images.count >= 2 }) else {
            throw CommandFailure("--dataset \(root) has no identity with two or more images, so nothing can be enrolled and probed")
        }
        self.identities = identities
    }

    var enrolled: [Identity] { identities.filter { $0.images.count >= 2 } }
    var singletons: [Identity] { identities.filter { $0.images.count == 1 } }
}
