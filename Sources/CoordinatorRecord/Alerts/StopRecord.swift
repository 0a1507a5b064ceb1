import Foundation

/// What a force records about a person stopped after an alert, as it does for a stop and search:
/// the person's self-defined ethnicity and sex, and how long the stop took. Each is optional and
/// none is ever required; none is sent to a node. The report counts alerts by these groups
/// (`EqualityFigures`), which is how a force shows it checks the system for bias.
public struct StopRecord: Sendable, Equatable {
    public var ethnicity: SelfDefinedEthnicity?
    public var sex: RecordedSex?
    /// Minutes from engaging the person to letting them go or taking them away.
    public var minutes: Int?

    /// The longest stop the record takes, in minutes: anything longer is a typing mistake.
    public static let longestMinutes = 600

    public init(ethnicity: SelfDefinedEthnicity? = nil, sex: RecordedSex? = nil, minutes: Int? = nil) {
        self.ethnicity = ethnicity
        self.sex = sex
        self.minutes = minutes
    }

    public var isEmpty: Bool { ethnicity == nil && sex == nil && minutes == nil }
}

/// The person's own description of their ethnicity: the 18 census categories used for stop and
/// search in England and Wales, and "not stated" for a person who declines.
public enum SelfDefinedEthnicity: String, Sendable, CaseIterable, Codable {
    case whiteBritish = "W1", whiteIrish = "W2", gypsyOrIrishTraveller = "W3", otherWhite = "W9"
    case whiteAndBlackCaribbean = "M1", whiteAndBlackAfrican = "M2", whiteAndAsian = "M3", otherMixed = "M9"
    case indian = "A1", pakistani = "A2", bangladeshi = "A3", chinese = "A4", otherAsian = "A9"
    case african = "B1", caribbean = "B2", otherBlack = "B9"
    case arab = "O1", otherEthnicGroup = "O9"
    case notStated = "NS"

    /// The category's words, as the person is asked them.
    public var label: String {
        switch self {
        case .whiteBritish: "White: English, Welsh, Scottish, Northern Irish or British"
        case .whiteIrish: "White: Irish"
        case .gypsyOrIrishTraveller: "White: Gypsy or Irish Traveller"
        case .otherWhite: "White: any other White background"
        case .whiteAndBlackCaribbean: "Mixed: White and Black Caribbean"
        case .whiteAndBlackAfrican: "Mixed: White and Black African"
        case .whiteAndAsian: "Mixed: White and Asian"
        case .otherMixed: "Mixed: any other Mixed or multiple ethnic background"
        case .indian: "Asian or Asian British: Indian"
        case .pakistani: "Asian or Asian British: Pakistani"
        case .bangladeshi: "Asian or Asian British: Bangladeshi"
        case .chinese: "Asian or Asian British: Chinese"
        case .otherAsian: "Asian or Asian British: any other Asian background"
        case .african: "Black or Black British: African"
        case .caribbean: "Black or Black British: Caribbean"
        case .otherBlack: "Black or Black British: any other Black, African or Caribbean background"
        case .arab: "Other ethnic group: Arab"
        case .otherEthnicGroup: "Other ethnic group: any other ethnic group"
        case .notStated: "Not stated"
        }
    }

    /// The broad group (the five used in published stop and search figures, and "Not stated"):
    /// one deployment's engagements are too few to compare eighteen groups.
    public var broadGroup: String {
        switch rawValue.first {
        case "W": "White"
        case "M": "Mixed"
        case "A": "Asian"
        case "B": "Black"
        case "O": "Other"
        default: "Not stated"
        }
    }

    /// The broad groups in the order reports list them.
    public static let broadGroups = ["Asian", "Black", "Mixed", "White", "Other", "Not stated"]
}

/// The person's sex as they state it at the stop.
public enum RecordedSex: String, Sendable, CaseIterable, Codable {
    case female, male
    case notStated = "not stated"
}
