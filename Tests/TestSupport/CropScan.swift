import Foundation

/// Searches files for pieces of a JPEG, the way an auditor would look for a face that should be gone.
public enum CropScan {
    /// The files under `folder` that hold any of several 32-byte pieces of `crop` (its start, middle and end).
    public static func filesHolding(_ crop: [UInt8], in folder: String) throws -> [String] {
        precondition(crop.count >= 96, "a crop too short to search for")
        let pieces = [0, crop.count / 2, crop.count - 32].map { Array(crop[$0..<$0 + 32]) }
        let names = try FileManager.default.subpathsOfDirectory(atPath: folder)
        return try names.sorted().filter { name in
            var isFolder: ObjCBool = false
            let path = folder + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
                return false
            }
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            return pieces.contains { contains(bytes, $0) }
        }
    }

    /// Whether `haystack` contains `needle` anywhere (a plain scan: the files are small).
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, haystack[i..<i + needle.count].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
