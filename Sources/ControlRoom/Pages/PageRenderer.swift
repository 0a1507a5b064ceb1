import CoordinatorRecord
import Foundation
import Hummingbird
import Mustache

/// Renders a page template with the header's navigation for the signed-in user's role.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    func page(
        _ template: String, title: String, session: Session?, _ values: [String: Any] = [:],
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var object = values
        object["title"] = title
        if let session {
            object["user"] = ["name": session.user.name, "role": session.user.role.rawValue, "csrf": session.csrfToken]
            object["nav"] = Self.navigation(for: session.user.role).map { ["href": $0.0, "label": $0.1] }
        }
        let html = library.render(object, withTemplate: template) ?? "template \(template) missing"
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Where a role starts after signing in: the page its work is on.
    static func landing(for role: Role) -> String {
        if role == .auditor { return "/audit" }
        if Access.alerts.contains(role) { return "/alerts" }
        if Access.field.contains(role) { return "/field" }
        return "/deployments"
    }

    static func navigation(for role: Role) -> [(String, String)] {
        var links: [(String, String)] = []
        if Access.alerts.contains(role) { links.append(("/alerts", "Alerts")) }
        if Access.field.contains(role) { links.append(("/field", "Your alerts")) }
        if Access.nodes.contains(role) { links.append(("/nodes", "Nodes")) }
        if Access.watchlists.contains(role) { links.append(("/watchlists", "Watchlists")) }
        if Access.deployments.contains(role) { links.append(("/deployments", "Deployments")) }
        if Access.reports.contains(role) { links.append(("/reports", "Reports")) }
        if Access.audit.contains(role) { links.append(("/audit", "Audit")) }
        return links
    }
}

/// Times as the control room shows them (UTC). Formatted by hand: a page of 200 alerts would
/// otherwise build 200 date formatters, the largest part of its time under load.
func displayTime(_ date: Date?) -> String {
    guard let date else { return "" }
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var t = tm()
    gmtime_r(&seconds, &t)
    // Padded by hand too: String(format:) parses its format on every call.
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return
        "\(t.tm_year + 1900)-\(two(t.tm_mon + 1))-\(two(t.tm_mday)) \(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) UTC"
}
