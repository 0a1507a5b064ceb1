import FaceTemplates
import Foundation
import Shared

/// `edge-node enrol --face-boxes`: a CSV of `image_path,face_box` that marks the subject's face in
/// photos of the `--from` folder holding several people. `image_path` is relative to the folder
/// (`<subject>/<file>`), `face_box` is `x y width height`. A line naming a photo the folder does
/// not hold, a malformed box or a photo marked twice is refused with its line, so that a mark
/// can never silently miss its photo.
struct FaceBoxFile {
    static let columns = ["image_path", "face_box"]

    /// Marks by the photo's path as `folder` lists it.
    let marks: [String: FaceMark]

    init(path: String, folder: LabelledImageFolder) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("--face-boxes \(path) cannot be read: check the path and its permissions")
        }
        let table = try CSVTable(bytes: Array(data), file: path)
        guard let pathColumn = table.header.firstIndex(of: "image_path"),
            let boxColumn = table.header.firstIndex(of: "face_box")
        else {
            throw CommandFailure(
                "--face-boxes \(path) lacks the column(s) image_path, face_box; the header must be \(Self.columns.joined(separator: ","))"
            )
        }
        let photos = Set(folder.labels.flatMap(\.images))
        var marks: [String: FaceMark] = [:]
        for row in table.rows {
            let relative = row.fields[pathColumn].trimmingCharacters(in: .whitespaces)
            let photo = folder.root + "/" + relative
            guard photos.contains(photo) else {
                throw CommandFailure(
                    "--face-boxes \(path) line \(row.line): \(relative) is not a photo of --from \(folder.root); name it as <subject>/<file>"
                )
            }
            let box = row.fields[boxColumn].trimmingCharacters(in: .whitespaces)
            guard let mark = FaceMark(text: box) else {
                throw CommandFailure(
                    "--face-boxes \(path) line \(row.line): face box '\(box)' is not \(FaceMark.format)")
            }
            guard marks.updateValue(mark, forKey: photo) == nil else {
                throw CommandFailure(
                    "--face-boxes \(path) line \(row.line): \(relative) is marked twice; keep one line per photo")
            }
        }
        self.marks = marks
    }
}
