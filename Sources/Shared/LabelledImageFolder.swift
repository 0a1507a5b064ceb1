import Foundation
import Refusals

/// A folder of `<label>/<images>`: the layout of enrolment folders (label = opaque subject id)
/// and of evaluation datasets (label = identity). Labels and images are sorted by name so that
/// everything built from the folder is reproducible.
public struct LabelledImageFolder: Sendable {
    public struct Label: Sendable {
        public let name: String
        public let images: [String]
    }

    public static let imageTypes: Set<String> = ["jpg", "jpeg", "png", "bmp", "pgm", "ppm", "tif", "tiff", "webp"]

    public let root: String
    public let labels: [Label]
    /// Sub-folders that hold no image file.
    public let emptyFolders: [String]

    /// Reads the layout; `option` names the command-line flag in the error.
    public init(root: String, option: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FolderRefusal(
                .notAFolder, root, "\(option) \(root) is not a folder: give a folder holding one sub-folder per person")
        }
        var labels: [Label] = [], empty: [String] = []
        for name in try fm.contentsOfDirectory(atPath: root).sorted() where !name.hasPrefix(".") {
            let folder = root + "/" + name
            guard fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let images = try fm.contentsOfDirectory(atPath: folder).sorted()
                .filter { Self.imageTypes.contains(($0 as NSString).pathExtension.lowercased()) }
                .map { folder + "/" + $0 }
            if images.isEmpty { empty.append(folder) } else { labels.append(Label(name: name, images: images)) }
        }
        guard !labels.isEmpty else {
            throw FolderRefusal(.noImages, root, "\(option) \(root) holds no <person>/<image> files")
        }
        self.root = root
        self.labels = labels
        self.emptyFolders = empty
    }
}

/// Why a folder of `<person>/<image>` files was refused.
public typealias FolderRefusal = Refused<FolderRefusalCode>

public enum FolderRefusalCode: String, RefusalCode {
    case notAFolder, noImages

    public static let area = "folder"

    public var kind: RefusalKind { .invalid }
}
