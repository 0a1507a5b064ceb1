import Refusals

/// Why a watchlist or cohort manifest was refused (after it parsed as CSV: `CSVRefusal` covers
/// that), with the file and line and what to do. Nothing was written.
public struct ManifestRefusal: Refusal, Equatable {
    public enum Code: String, Sendable {
        case unreadable, missingColumns, noSubjects
        case invalidSubjectID, repeatedSubject, emptyField, noPhotos, photoPathNotAName
        case missingLegalBasis, missingUnder18, invalidUnder18, faceBoxCount, invalidFaceBox, warningTooLong
    }

    public static let area = "manifest"
    public let code: Code
    public let file: String
    /// 1 for the header, 0 when the file could not be read at all.
    public let line: Int
    public let description: String
    public var kind: RefusalKind { .invalid }

    public init(_ code: Code, file: String, line: Int, _ description: String) {
        self.code = code
        self.file = file
        self.line = line
        self.description = description
    }
}
