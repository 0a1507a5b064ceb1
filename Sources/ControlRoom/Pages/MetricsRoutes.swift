import CoordinatorRecord
import Foundation
import Hummingbird
import Prometheus
import Shared

/// `/metrics` in the Prometheus text format: the record's totals (alerts, adjudications by
/// decision, nodes enrolled and online, live deployments) read at each scrape, and the latency of
/// every request by route and status. Scraped with the bearer token of `web.metrics_token_file`,
/// or read by a signed-in supervisor or admin.
struct MetricsRoutes {
    let database: CoordinatorDatabase
    let registry: PrometheusCollectorRegistry
    let access: Access
    let token: String?
    let clock: WallClock

    func add(to router: Router<WebRequestContext>) {
        router.get("/metrics") { request, context -> Response in
            try await offloaded {
                if let token, let header = request.headers[.authorization],
                    UserStore.constantTimeEqual(header, "Bearer " + token)
                {
                    return try scrape()
                }
                _ = try access.require(Access.metrics, request, context)
                return try scrape()
            }
        }
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "watchpost", metricName: name, unitName: "", helpText: help),
            labels: labels)
    }

    private func scrape() throws -> Response {
        let c = try RecordCounts.current(in: database, at: clock.now())
        gauge("alerts", "Alerts on the record").set(to: Double(c.alerts))
        for decision in ReviewDecision.allCases {
            gauge(
                "adjudications", "Adjudications on the record", [("stage", "review"), ("decision", decision.rawValue)]
            )
            .set(to: Double(c.reviews[decision.rawValue] ?? 0))
        }
        for outcome in FieldOutcome.allCases {
            gauge(
                "adjudications", "Adjudications on the record", [("stage", "outcome"), ("decision", outcome.rawValue)]
            )
            .set(to: Double(c.outcomes[outcome.rawValue] ?? 0))
        }
        gauge("nodes_enrolled", "Enrolled nodes").set(to: Double(c.nodesEnrolled))
        gauge("nodes_online", "Nodes heard from in the last 30 s").set(to: Double(c.nodesOnline))
        gauge("deployments_live", "Live deployments").set(to: Double(c.liveDeployments))
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
}

/// Times every request into `watchpost_http_request_duration_seconds{route, status}`.
struct RequestTimingMiddleware: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    static var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "watchpost", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "Control room requests by route and status")
    }
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    func handle(
        _ request: Request, context: WebRequestContext, next: (Request, WebRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        // The route's pattern (`/alerts/{id}`), not the path, so that ids do not become labels.
        let route = context.endpointPath ?? "unmatched"
        // A live stream lasts as long as its page is open: its time is not a request's.
        guard !route.hasSuffix("/stream") else { return response }
        registry.makeDurationHistogram(
            descriptor: Self.descriptor, labels: [("route", route), ("status", String(response.status.code))],
            buckets: Self.buckets
        )
        .record(ContinuousClock.now - start)
        return response
    }
}
