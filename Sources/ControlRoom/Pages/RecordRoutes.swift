import CoordinatorRecord
import Foundation
import Hummingbird
import Shared

/// Nodes, deployments, reports and the audit log, each behind its roles.
struct RecordRoutes {
    let database: CoordinatorDatabase
    /// Ends deployments as every other way of ending them does (checkpoint, nodes told).
    let ending: DeploymentEnding
    let access: Access
    let pages: PageRenderer
    let clock: WallClock
    /// Called after a deployment starts, so that the nodes hear of it at once.
    let deploymentsChanged: @Sendable () -> Void

    func add(to router: Router<WebRequestContext>) {
        router.get("/nodes") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.nodes, request, context)
                let now = clock.now()
                let rows = try NodeRegistry.statuses(in: database).map { n -> [String: Any] in
                    let online = n.lastHeartbeat.map { now.timeIntervalSince($0) < 30 } ?? false
                    return [
                        "id": n.node.nodeID, "camera": n.node.cameraID,
                        "state": n.revoked ? "revoked" : (online ? "online" : "offline"),
                        "stateClass": online && !n.revoked ? "ok" : "flag",
                        "lastHeartbeat": displayTime(n.lastHeartbeat),
                        "fps": n.framesPerSecond.map { String(format: "%.1f", $0) } ?? "",
                        "faces": n.facesTotal, "dropped": n.framesDropped,
                        "version": n.watchlistVersion.map { "v\($0)" } ?? "",
                        "health": n.health, "refusal": n.lastRefusal ?? "",
                    ]
                }
                return pages.page("nodes", title: "Nodes", session: session, ["nodes": rows])
            }
        }
        router.get("/deployments") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.deployments, request, context)
                let role = session.user.role
                let rows = try DeploymentStore.list(in: database).map { d -> [String: Any] in
                    let available = try FieldTeam.officersNotOn(d.id, in: database)
                    return [
                        "id": d.id, "state": d.state.rawValue, "place": d.placeName,
                        "window": "\(displayTime(d.lifecycle.windowStart)) to \(displayTime(d.lifecycle.windowEnd))",
                        "listSize": d.listSize, "threshold": String(format: "%.3f", d.threshold),
                        "enrolment": d.enrolment ?? "not recorded", "cohort": d.cohort ?? "not recorded",
                        "tpir": String(format: "%.3f", d.expected.tpir),
                        "fpir": String(format: "%.5f", d.expected.fpir),
                        "nodes": d.nodes.joined(separator: ", "), "csrf": session.csrfToken,
                        "canAuthorise": d.state == .planned && Access.authorise.contains(role),
                        "canStart": d.state == .authorised && Access.startAndEnd.contains(role),
                        "canEnd": d.state == .live && Access.startAndEnd.contains(role),
                        "canReport": Access.reports.contains(role),
                        "team": try FieldTeam.members(of: d.id, in: database).map { ["officer": $0, "id": d.id] },
                        "canTeam": Access.fieldTeams.contains(role)
                            && [.planned, .authorised, .live].contains(d.state),
                        "available": available.map { ["officer": $0] }, "hasAvailable": !available.isEmpty,
                    ]
                }
                return pages.page("deployments", title: "Deployments", session: session, ["deployments": rows])
            }
        }
        for (verb, roles) in [
            ("authorise", Access.authorise), ("start", Access.startAndEnd), ("end", Access.startAndEnd),
        ] {
            router.post("/deployments/:id/\(verb)") { request, context -> Response in
                try await guarded {
                    let (session, _) = try await access.requireForm(roles, request, context)
                    return try await offloaded {
                        guard let id = context.parameters.get("id") else { return Response(status: .notFound) }
                        do {
                            switch verb {
                            case "authorise":
                                try DeploymentStore.authorise(
                                    id, officer: session.user.name, in: database, at: clock.now())
                            case "start":
                                try DeploymentStore.start(id, by: session.user.name, in: database, at: clock.now())
                                deploymentsChanged()
                            default:
                                if case .notWritten(let reason) = try ending.end(
                                    id, by: session.user.name, at: clock.now()
                                )
                                .checkpoint {
                                    // serve checked its key at start: a key lost since is for whoever ended it to know.
                                    return pages.page(
                                        "message", title: "Ended", session: session,
                                        ["heading": "Deployment \(id) ended, not checkpointed", "text": reason])
                                }
                            }
                        } catch let refusal where isShownToUser(refusal) {
                            return pages.page(
                                "message", title: "Refused", session: session,
                                ["heading": "Not done", "text": "\(refusal)"],
                                status: status(of: refusal))
                        }
                        return Response.redirect(to: "/deployments", type: .found)
                    }
                }
            }
        }
        router.get("/reports") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.reports, request, context)
                let asked: ReportRequest
                do { asked = try ReportRequest(request.uri.queryParameters) } catch let refusal as FormRefusal {
                    return pages.page(
                        "message", title: "Refused", session: session,
                        ["heading": "Not a period", "text": refusal.description], status: status(of: refusal))
                }
                guard let report = try asked.report(in: database, at: clock.now()) else {
                    return try reportIndex(session)
                }
                return pages.page(
                    "report", title: report.title, session: session,
                    ["query": asked.query.string, "reportHTML": report.htmlFragment()])
            }
        }
        router.get("/reports/export") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.reports, request, context)
                guard let asked = try? ReportRequest(request.uri.queryParameters), asked != .index,
                    let format = request.uri.queryParameters["format"].flatMap({ ReportFormat(rawValue: String($0)) }),
                    format != .html, let report = try asked.report(in: database, at: clock.now())
                else {
                    return Response(status: .badRequest)
                }
                let text = try ReportExport.export(
                    report, as: format, to: nil, by: session.user.name, in: database, at: clock.now())
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: format == .csv ? "text/csv; charset=utf-8" : "application/json",
                        .contentDisposition: "attachment; filename=\"\(asked.query.file).\(format.rawValue)\"",
                    ],
                    body: .init(byteBuffer: ByteBuffer(string: text)))
            }
        }
        router.get("/audit/checkpoints/:file") { request, context -> Response in
            try await offloaded {
                _ = try access.require(Access.audit, request, context)
                let name = context.parameters.get("file") ?? ""
                let folder = ending.checkpoints.checkpointFolder
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                guard name.hasPrefix("checkpoint-"), name.hasSuffix(".json"), names.contains(name) else {
                    return Response(status: .notFound)
                }
                let checkpoint = try AuditCheckpoint.read(path: folder + "/" + name)
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: "application/json", .contentDisposition: "attachment; filename=\"\(name)\"",
                    ],
                    body: .init(byteBuffer: ByteBuffer(bytes: try checkpoint.fileBytes())))
            }
        }
        router.get("/audit") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.audit, request, context)
                let filters = AuditPageFilters(request.uri.queryParameters)
                let query: AuditLog.Query
                do { query = try filters.query() } catch let refusal as FormRefusal {
                    return pages.page(
                        "message", title: "Refused", session: session,
                        ["heading": "Not a filter", "text": refusal.description], status: status(of: refusal))
                }
                let page = try AuditLog.page(query, size: 50, in: database)
                let verification = try AuditVerifier.verify(database)
                let signed = try AuditWitnessStore(folder: ending.checkpoints.checkpointFolder).newest(20).map {
                    file, checkpoint in
                    [
                        "file": file, "entries": checkpoint.entries,
                        "signed": displayTime(Date(timeIntervalSince1970: TimeInterval(checkpoint.signedAt))),
                    ]
                }
                var values: [String: Any] = filters.values
                values["entries"] = page.entries.map(AuditPageFilters.row)
                values["verification"] = verification.description
                values["verificationClass"] = verification.isIntact ? "ok" : "flag"
                values["checkpoints"] = Array(signed)
                if let next = page.nextBefore { values["older"] = filters.link(before: next) }
                if filters.before != nil { values["newest"] = filters.link(before: nil) }
                return pages.page("audit", title: "Audit", session: session, values)
            }
        }
    }

    /// Every deployment by the date it went live (or was planned to), with its headline figures,
    /// and the form for a period's report.
    private func reportIndex(_ session: Session) throws -> Response {
        let all = try TransparencyReport.make(
            from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 32_503_680_000), in: database,
            at: clock.now(), timesToDecision: false)
        let rows = all.deployments.reversed().map { d -> [String: Any] in
            let f = d.figures
            return [
                "id": d.id, "place": d.place, "date": displayTime(d.startedAt ?? d.windowStart), "state": d.state,
                "faces": f.facesSeen, "alerts": f.alerts, "falseAlerts": f.falseAlerts,
                "expected": String(format: "%.1f", f.expectedFalseAlerts),
                "range": "\(f.expectedFalseAlertRange[0])–\(f.expectedFalseAlertRange[1])",
                "flag": f.observedExceedsExpected,
            ]
        }
        return pages.page("reports", title: "Reports", session: session, ["deployments": Array(rows)])
    }
}
