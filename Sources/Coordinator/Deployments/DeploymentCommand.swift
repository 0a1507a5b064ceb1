import ArgumentParser
import CoordinatorRecord
import Evaluation
import Foundation
import Shared

/// `coordinator deployment`: a deployment's life on the record, from plan to the destruction of its list.
struct DeploymentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployment",
        abstract: "Plan, authorise, start and end deployments; each step is recorded and audited.",
        discussion:
            "start and end change what the nodes hold: the command records the change and tells a running coordinator serve to reload (SIGHUP).",
        subcommands: [
            Create.self, AllowMinor.self, Authorise.self, Start.self, End.self, Team.self, Show.self, List.self,
        ])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan a deployment with its place, window, purpose, legal basis, nodes and signed list.")

        @OptionGroup var record: RecordOptions
        @OptionGroup var who: ActorOption
        @Option(help: "Deployment id (the one the bundle was built with --deployment).") var id: String
        @Option(help: "Place name, as the public signs name it.") var place: String
        @Option(help: "Latitude of the cameras' area, decimal degrees.") var latitude: Double
        @Option(help: "Longitude, decimal degrees.") var longitude: Double
        @Option(help: "Planned start (ISO 8601).") var from: String
        @Option(help: "Planned end (ISO 8601).") var to: String
        @Option(help: "Purpose of the deployment.") var purpose: String
        @Option(help: "Legal basis of the deployment.") var legalBasis: String
        @Option(help: "Node ids to deploy, comma-separated (as enrolled in the config).") var nodes: String
        @Option(help: "The signed bundle file.") var bundle: String
        @Option(
            help: "The watchlist manifest the bundle was built from, with legal_basis and under_18 (yes/no) columns.")
        var manifest: String
        @Option(
            help:
                "Evaluation report (coordinator evaluate --json) for the expected TPIR/FPIR at this list's size and threshold."
        ) var evaluation: String

        func run() throws {
            let (file, database) = try record.open()
            guard let data = FileManager.default.contents(atPath: bundle) else {
                throw CommandFailure("bundle \(bundle) cannot be read")
            }
            let subjects = try WatchlistManifest(path: manifest).subjects.map { subject in
                guard let photo = FileManager.default.contents(atPath: subject.images[0]) else {
                    throw CommandFailure(
                        "manifest \(manifest) line \(subject.line): \(subject.images[0]) cannot be read (it is kept as \(subject.id)'s reference photo)"
                    )
                }
                return try subject.listed(manifest: manifest, referencePhoto: Array(photo))
            }
            var rates: ExpectedRates?
            let planning = DeploymentPlanning(database: database) { bundle in
                let expected = try ExpectedRates(
                    reportPath: evaluation, threshold: bundle.threshold, listSize: bundle.entries.count,
                    cohort: .init(bundle), enrolment: .init(bundle.enrolment))
                rates = expected
                return expected.performance
            }
            let details = DeploymentPlanning.Details(
                placeName: place, latitude: latitude, longitude: longitude, windowStart: try parseTime(from, "--from"),
                windowEnd: try parseTime(to, "--to"), purpose: purpose, legalBasis: legalBasis,
                nodes: nodes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                    !$0.isEmpty
                })
            // The config is where nodes are enrolled: a deployment may be planned before serve has run with it.
            try NodeRegistry.sync(file.nodes, in: database, actor: "config", at: Date())
            let planned = try planning.plan(
                id, details, bundle: Array(data), subjects: subjects, by: who.actor, at: Date())
            print("deployment \(id) planned: \(planned.bundle.entries.count) subjects, \(rates?.summary ?? "")")
            if let notice = planned.windowNotice { print(notice) }
            if !planned.minorsAwaitingOverride.isEmpty {
                print(
                    "subject(s) \(planned.minorsAwaitingOverride.joined(separator: ", ")) are marked under 18: authorisation is refused until a supervisor records an override (deployment allow-minor)"
                )
            }
        }
    }

    struct AllowMinor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "allow-minor",
            abstract: "Supervisor: allow a subject marked under 18 on a planned deployment, with a reason.")

        @OptionGroup var change: DeploymentChange
        @Option(help: "Subject id.") var subject: String
        @Option(help: "Why this subject must be on the list.") var reason: String

        func run() throws {
            let (_, database) = try change.record.open()
            try DeploymentStore.allowMinor(
                deployment: change.id, subject: subject, reason: reason, by: change.actor, in: database, at: Date())
            print("override recorded for \(subject) on \(change.id) by \(change.actor)")
        }
    }

    struct Authorise: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Authorising officer: authorise a planned deployment (read deployment show first: it gives the expected rates)."
        )

        @OptionGroup var change: DeploymentChange

        func run() throws {
            let (_, database) = try change.record.open()
            try DeploymentStore.authorise(change.id, officer: change.actor, in: database, at: Date())
            print("deployment \(change.id) authorised by \(change.actor)")
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start an authorised deployment: its nodes are sent its list.")

        @OptionGroup var change: DeploymentChange

        func run() throws {
            let (file, database) = try change.record.open()
            try DeploymentStore.start(change.id, by: change.actor, in: database, at: Date())
            print("deployment \(change.id) is live; " + RunningCoordinator.notify(stateDirectory: file.stateDirectory))
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a live deployment: its nodes are told to wipe the list, and the audit log is checkpointed.")

        @OptionGroup var change: DeploymentChange

        func run() throws {
            let (file, database) = try change.record.open()
            let ending = DeploymentEnding(database: database, checkpoints: file.checkpointWriter()) {
                RunningCoordinator.notify(stateDirectory: file.stateDirectory)
            }
            let ended = try ending.end(change.id, by: change.actor, at: Date())
            let checkpoint =
                switch ended.checkpoint {
                case .written(let path): "audit checkpoint \(path)"
                case .notWritten(let reason): reason
                }
            print("deployment \(change.id) ended; " + ended.nodes)
            print(
                "the coordinator's copy of its list is destroyed \(Int(file.retention.bundleDestroyDelay)) s after the end; \(checkpoint)"
            )
        }
    }

    struct Team: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Supervisor: put field officers on a deployment's team (its matches go to their phones), or take them off."
        )

        @OptionGroup var change: DeploymentChange
        @Option(help: "A field officer to put on the team (repeat for several).") var add: [String] = []
        @Option(help: "A field officer to take off the team (repeat for several).") var release: [String] = []

        func run() throws {
            let (_, database) = try change.record.open()
            for officer in add {
                try FieldTeam.assign(officer, to: change.id, by: change.actor, in: database, at: Date())
            }
            for officer in release {
                try FieldTeam.release(officer, from: change.id, by: change.actor, in: database, at: Date())
            }
            let team = try FieldTeam.members(of: change.id, in: database)
            print("deployment \(change.id) field team: \(team.isEmpty ? "nobody" : team.joined(separator: ", "))")
        }
    }
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a deployment's record.")

        @OptionGroup var record: RecordOptions
        @Option(help: "Deployment id.") var id: String

        func run() throws {
            let (_, database) = try record.open()
            let d = try DeploymentStore.show(id, in: database)
            let e = d.expected
            let f = { (v: Double) in String(format: "%.4f", v) }
            print(
                """
                deployment:   \(d.id) (\(d.state.rawValue))
                place:        \(d.placeName) (\(d.latitude), \(d.longitude))
                window:       \(isoTime(d.lifecycle.windowStart)) to \(isoTime(d.lifecycle.windowEnd))
                purpose:      \(d.purpose)
                legal basis:  \(d.legalBasis)
                planned by:   \(d.createdBy)
                authorised:   \(d.authorisingOfficer ?? "-") at \(isoTime(d.lifecycle.authorisedAt))
                started:      \(d.startedBy ?? "-") at \(isoTime(d.lifecycle.startedAt))
                ended:        \(d.endedBy ?? "-") at \(isoTime(d.lifecycle.endedAt))
                list:         \(d.watchlistID) version \(d.bundleVersion), \(d.listSize) subjects, sha256 \(d.bundleSHA256)
                enrolled:     \(d.enrolment ?? "not recorded (planned before bundle format 5)")
                cohort:       \(d.cohort ?? "not recorded (planned before bundle format 5)")
                signed by:    \(d.signers.joined(separator: ", "))
                list held:    \(d.holdsBundle ? "yes" : "destroyed at \(isoTime(d.lifecycle.destroyedAt))")
                nodes:        \(d.nodes.joined(separator: ", "))
                threshold:    \(String(format: "%.3f", d.threshold))
                expected:     TPIR \(f(e.tpir)) [\(f(e.tpirInterval[0])), \(f(e.tpirInterval[1]))], FPIR \(f(e.fpir)) [\(f(e.fpirInterval[0])), \(f(e.fpirInterval[1]))] (evaluated at \(e.evaluatedListSize) people, \(e.report))
                subjects:
                """)
            for s in d.subjects {
                let minor =
                    s.under18
                    ? " UNDER 18"
                        + (s.overrideBy.map { ", allowed by \($0): \(s.overrideReason ?? "")" } ?? ", NO OVERRIDE") : ""
                print(
                    "  \(s.subjectID): \(s.category); \(s.reason); legal basis: \(s.legalBasis); images: \(s.imageSource)\(minor)"
                )
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deployments with their state.")

        @OptionGroup var record: RecordOptions

        func run() throws {
            let (_, database) = try record.open()
            for d in try DeploymentStore.list(in: database) {
                print(
                    "\(d.id)\t\(d.state.rawValue)\t\(d.placeName)\t\(isoTime(d.lifecycle.windowStart))\t\(d.listSize) subjects\tnodes \(d.nodes.joined(separator: ","))"
                )
            }
        }
    }
}

/// What every change to a deployment names: the record, who makes the change, and which deployment.
struct DeploymentChange: ParsableArguments {
    @OptionGroup var record: RecordOptions
    @OptionGroup var who: ActorOption
    @Option(help: "Deployment id.") var id: String

    var actor: String { who.actor }
}
