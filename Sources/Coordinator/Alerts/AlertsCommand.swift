import ArgumentParser
import CoordinatorRecord
import Foundation
import Shared

/// `coordinator alerts`: the alerts on the record and their two-stage adjudication.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "List, show and adjudicate alerts.",
        subcommands: [List.self, Show.self, Adjudicate.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List alerts, newest first.")

        @OptionGroup var record: RecordOptions
        @Option(help: "Only this deployment's alerts.") var deployment: String?
        @Flag(help: "Only alerts still awaiting a stage of adjudication.") var pending = false
        @Option(help: "At most this many.") var limit = 100

        func run() throws {
            let (_, database) = try record.open()
            for a in try AlertStore(database: database).list(
                deployment: deployment, awaitingAdjudication: pending, limit: limit)
            {
                let state =
                    a.purgedAt != nil
                    ? "purged"
                    : [a.review?.rawValue ?? "awaiting review", a.outcome?.rawValue].compactMap { $0 }.joined(
                        separator: " / ")
                print(
                    "\(a.id.uuidString)\t\(isoTime(a.capturedAt))\t\(a.deploymentID)\t\(a.nodeID)/\(a.cameraID)\t\(a.subject ?? "-")\t\(state)\(a.caseReference.map { "\tcase \($0)" } ?? "")"
                )
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an alert and its adjudication; optionally write its probe crop.")

        @OptionGroup var record: RecordOptions
        @Argument(help: "Alert id.") var id: String
        @Option(help: "Write the probe crop (JPEG, 0600) to this file.") var cropOut: String?

        func run() throws {
            let (_, database) = try record.open()
            let store = AlertStore(database: database)
            let a = try store.show(try alertID(id))
            let q = a.quality.map { $0.map { String(format: "%.2f", $0) }.joined(separator: " ") } ?? "-"
            print(
                """
                alert:       \(a.id.uuidString)
                deployment:  \(a.deploymentID)
                node:        \(a.nodeID), camera \(a.cameraID)
                captured:    \(isoTime(a.capturedAt)) (received \(isoTime(a.receivedAt)))
                subject:     \(a.subject ?? "- (purged)")
                score:       \(a.score.map { String(format: "%.4f", $0) } ?? "-"), distance \(a.distance.map { String(format: "%.4f", $0) } ?? "-")
                quality:     \(q)
                matched on:  \(a.trackFrames.map { "\($0) frame(s) of its track" } ?? "- (not said by the node)")
                review:      \(a.review.map { "\($0.rawValue) by \(a.reviewBy ?? "?") at \(isoTime(a.reviewAt))" } ?? "awaiting")\(a.reviewNote.map { " (\($0))" } ?? "")
                outcome:     \(a.outcome.map { "\($0.rawValue), \(a.action?.rawValue ?? "?") by \(a.outcomeBy ?? "?") at \(isoTime(a.outcomeAt))" } ?? "-")\(a.outcomeNote.map { " (\($0))" } ?? "")
                case:        \(a.caseReference.map { "\($0): \(a.caseReason ?? "")" } ?? "-")
                purged:      \(isoTime(a.purgedAt))
                """)
            if let cropOut {
                guard let crop = try store.crop(a.id) else {
                    throw CommandFailure("alert \(id) has no crop: it was purged")
                }
                try PrivateFile.write(crop, to: cropOut, mode: .replaceAtomically)
                print("crop written to \(cropOut)")
            }
        }
    }

    struct Adjudicate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record one adjudication step: the operator's review, the field outcome, or a case marking.",
            discussion:
                "Exactly one of --review, --outcome, --case or --uncase. Each step is recorded once, timed and attributed (--as)."
        )

        @OptionGroup var record: RecordOptions
        @OptionGroup var who: ActorOption
        @Argument(help: "Alert id.") var id: String
        @Option(help: "Stage 1, the operator's review of probe against reference: match, no-match, unsure.") var review:
            String?
        @Option(help: "Stage 2, the field outcome: identity-verified, not-the-person, not-engaged, lost-in-crowd.")
        var outcome: String?
        @Option(help: "With --outcome: the action taken: arrest, advice, no-action, other (other needs --note).")
        var action: String?
        @Option(help: "Mark for a case (exempts the alert from routine deletion): the case reference; needs --reason.")
        var `case`: String?
        @Flag(help: "Remove the case marking; needs --reason.") var uncase = false
        @Option(help: "Why (for --case and --uncase).") var reason: String?
        @Option(help: "A note with the decision.") var note: String?

        func validate() throws {
            guard [review != nil, outcome != nil, `case` != nil, uncase].filter({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --review, --outcome, --case or --uncase")
            }
            if outcome != nil, action == nil {
                throw ValidationError("--outcome needs --action (arrest, advice, no-action, other)")
            }
        }

        func run() throws {
            let step: AdjudicationStep
            if let review {
                step = .review(try choice(review, "--review", ReviewDecision.self), note: note)
            } else if let outcome, let action {
                step = .outcome(
                    try choice(outcome, "--outcome", FieldOutcome.self),
                    action: try choice(action, "--action", FieldAction.self), note: note)
            } else if let reference = `case` {
                step = .markForCase(reference: reference, reason: reason ?? "")
            } else {
                step = .unmarkCase(reason: reason ?? "")
            }
            let (_, database) = try record.open()
            try AlertStore(database: database).adjudicate(try alertID(id), step, by: who.actor, at: Date())
            print("recorded for alert \(id) by \(who.actor)")
        }
    }
}

private func alertID(_ text: String) throws -> UUID {
    guard let id = UUID(uuidString: text) else {
        throw ValidationError("\(text) is not an alert id (a UUID, as coordinator alerts list prints)")
    }
    return id
}

/// A value of `T` spelled with hyphens for spaces on the command line (`no-match` for "no match").
private func choice<T: RawRepresentable & CaseIterable>(_ text: String, _ option: String, _: T.Type) throws -> T
where T.RawValue == String {
    let spoken = text.replacingOccurrences(of: "-", with: " ")
    guard let value = T.allCases.first(where: { $0.rawValue == spoken }) else {
        throw ValidationError(
            "\(option) \(text) is not one of "
                + T.allCases.map { $0.rawValue.replacingOccurrences(of: " ", with: "-") }.joined(separator: ", "))
    }
    return value
}
