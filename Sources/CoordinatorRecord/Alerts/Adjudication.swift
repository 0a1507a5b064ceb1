import Foundation
import Refusals

/// Stage 1: the operator's review of the probe crop against the reference photo.
public enum ReviewDecision: String, Sendable, CaseIterable, Codable {
    case match
    case noMatch = "no match"
    case unsure
}

/// Stage 2: what happened when officers engaged (or did not).
public enum FieldOutcome: String, Sendable, CaseIterable, Codable {
    case identityVerified = "identity verified"
    case notThePerson = "not the person"
    case notEngaged = "not engaged"
    case lostInCrowd = "lost in crowd"
}

/// The action taken after the field outcome.
public enum FieldAction: String, Sendable, CaseIterable, Codable {
    case arrest
    case advice
    case noAction = "no action"
    case other
}

/// One adjudication step as a person asks for it.
public enum AdjudicationStep: Sendable, Equatable {
    case review(ReviewDecision, note: String?)
    /// The field outcome; a stop (`identity verified` or `not the person`) may carry what the
    /// force records about the person stopped.
    case outcome(FieldOutcome, action: FieldAction, note: String?, stop: StopRecord = StopRecord())
    case markForCase(reference: String, reason: String)
    case unmarkCase(reason: String)
}

/// An alert's adjudication so far, and the rules for the next step: each stage is recorded once,
/// by a named person at a known time; a field outcome follows an operator's `match` or `unsure`
/// (nobody is engaged on a face the operator rejected); `other` needs a note; a stop's record
/// belongs to an outcome in which somebody was stopped; a purged alert takes nothing more.
public struct AdjudicationState: Sendable, Equatable {
    public var review: ReviewDecision?
    public var reviewBy: String?
    public var reviewAt: Date?
    public var outcome: FieldOutcome?
    public var outcomeBy: String?
    public var caseReference: String?
    public var purgedAt: Date?

    public init(
        review: ReviewDecision? = nil, reviewBy: String? = nil, reviewAt: Date? = nil, outcome: FieldOutcome? = nil,
        outcomeBy: String? = nil, caseReference: String? = nil, purgedAt: Date? = nil
    ) {
        self.review = review
        self.reviewBy = reviewBy
        self.reviewAt = reviewAt
        self.outcome = outcome
        self.outcomeBy = outcomeBy
        self.caseReference = caseReference
        self.purgedAt = purgedAt
    }

    /// Throws, with the reason in words, when `step` may not be taken now.
    public func check(_ step: AdjudicationStep, by user: String) throws {
        guard !user.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw AdjudicationError(.unattributed, "every decision is attributed: give the user's name")
        }
        if let purgedAt {
            throw AdjudicationError(
                .purged, "the alert was purged at \(iso(purgedAt)) under the retention policy: nothing can be added")
        }
        switch step {
        case .review:
            if let review {
                throw AdjudicationError(
                    .alreadyReviewed,
                    "the alert was already reviewed (\(review.rawValue)) by \(reviewBy ?? "?") at \(reviewAt.map(iso) ?? "?")"
                )
            }
        case .outcome(let fieldOutcome, let action, let note, let stop):
            guard let review else {
                throw AdjudicationError(
                    .reviewFirst, "the operator's review comes first: record match, no match or unsure")
            }
            guard review != .noMatch else {
                throw AdjudicationError(
                    .reviewedNoMatch,
                    "the operator reviewed this alert as no match: there is no field outcome to record")
            }
            if let outcome {
                throw AdjudicationError(
                    .outcomeRecorded,
                    "the field outcome was already recorded (\(outcome.rawValue)) by \(outcomeBy ?? "?")")
            }
            if action == .other, note?.trimmingCharacters(in: .whitespaces).isEmpty ?? true {
                throw AdjudicationError(.otherNeedsNote, "action 'other' needs a note saying what was done")
            }
            if !stop.isEmpty, ![.identityVerified, .notThePerson].contains(fieldOutcome) {
                throw AdjudicationError(
                    .noStopToRecord,
                    "nobody was stopped (\(fieldOutcome.rawValue)): leave ethnicity, sex and duration empty")
            }
            if let minutes = stop.minutes, !(0...StopRecord.longestMinutes).contains(minutes) {
                throw AdjudicationError(
                    .stopDurationOutOfRange,
                    "a stop of \(minutes) minutes is not possible: give the minutes from 0 to \(StopRecord.longestMinutes)"
                )
            }
        case .markForCase(let reference, let reason):
            guard !reference.trimmingCharacters(in: .whitespaces).isEmpty,
                !reason.trimmingCharacters(in: .whitespaces).isEmpty
            else {
                throw AdjudicationError(.caseNeedsReference, "marking for a case needs a case reference and a reason")
            }
            if let caseReference {
                throw AdjudicationError(.alreadyMarked, "the alert is already marked for case \(caseReference)")
            }
        case .unmarkCase(let reason):
            guard caseReference != nil else {
                throw AdjudicationError(.notMarked, "the alert is not marked for a case")
            }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw AdjudicationError(.unmarkNeedsReason, "unmarking needs a reason")
            }
        }
    }
}

/// A refused adjudication step: a code, and why in words. Nothing was recorded.
public struct AdjudicationError: Refusal, Equatable {
    public enum Code: String, Sendable {
        /// No alert has the id (never stored, or a mistyped id).
        case alertNotFound
        case unattributed, purged, alreadyReviewed, reviewFirst, reviewedNoMatch, outcomeRecorded, otherNeedsNote
        case noStopToRecord, stopDurationOutOfRange
        case caseNeedsReference, alreadyMarked, notMarked, unmarkNeedsReason
    }
    public static let area = "adjudication"
    public let code: Code
    public let description: String

    public var kind: RefusalKind {
        switch code {
        case .alertNotFound: .notFound
        case .unattributed, .otherNeedsNote, .caseNeedsReference, .unmarkNeedsReason, .noStopToRecord,
            .stopDurationOutOfRange:
            .invalid
        default: .conflict
        }
    }

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
