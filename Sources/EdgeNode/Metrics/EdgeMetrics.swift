import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// What the node's metrics show, read at each scrape: counts and rates only, never faces.
struct EdgeMetricsSnapshot: Sendable {
    var framesCaptured: Int
    var framesProcessed: Int
    var framesDropped: Int
    var facesDetected: Int
    var facesTracked: Int
    var qualityRejections: [String: Int]
    var alerts: Int
    var framesPerSecond: Double
    var pendingAlerts: Int
    var watchlistVersion: UInt64
    var uptimeSeconds: Double
}

/// The node's counters in the Prometheus text format (swift-prometheus), as the coordinator's
/// `/metrics` gives its own. The node's totals only grow, so each counter advances by the
/// difference from the last scrape.
final class EdgeMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private let registry = PrometheusCollectorRegistry()
    private var last: [String: Int] = [:]

    func render(_ s: EdgeMetricsSnapshot) -> [UInt8] {
        lock.withLock {
            count(
                "frames_captured_total", "Frames read from the camera (each is processed or dropped)", s.framesCaptured)
            count("frames_processed_total", "Frames run through the pipeline", s.framesProcessed)
            count("frames_dropped_total", "Frames dropped to keep up with the camera", s.framesDropped)
            count("faces_detected_total", "Face detections", s.facesDetected)
            count("faces_tracked_total", "Faces tracked (one per person per pass)", s.facesTracked)
            for (reason, n) in s.qualityRejections.sorted(by: { $0.key < $1.key }) {
                count(
                    "quality_rejections_total", "Faces the quality gate kept from the models, by reason", n,
                    [("reason", reason)])
            }
            count("alerts_total", "Alerts raised", s.alerts)
            gauge("frames_per_second", "Frames processed per second since the camera started", s.framesPerSecond)
            gauge(
                "outbox_pending_alerts", "Alerts waiting for the coordinator's acknowledgement", Double(s.pendingAlerts)
            )
            gauge("watchlist_version", "Version of the watchlist held (0: none)", Double(s.watchlistVersion))
            gauge("uptime_seconds", "Seconds since the node started", s.uptimeSeconds)
            return registry.emitToBuffer()
        }
    }

    private func count(_ name: String, _ help: String, _ total: Int, _ labels: [(String, String)] = []) {
        let key = name + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        let counter = registry.makeCounter(name: "watchpost_edge_" + name, labels: labels, help: help)
        counter.increment(by: Int64(max(0, total - (last[key] ?? 0))))
        last[key] = max(total, last[key] ?? 0)
    }

    private func gauge(_ name: String, _ help: String, _ value: Double) {
        registry.makeGauge(name: "watchpost_edge_" + name, labels: [], help: help).set(to: value)
    }
}

/// `/metrics` and `/health` on 127.0.0.1 at `node.metrics_port` (off unless set): for a local
/// agent to scrape. Loopback only, because the box stands in the street.
enum EdgeMetricsServer {
    static func make(
        port: Int, metrics: EdgeMetrics, snapshot: @escaping @Sendable () throws -> EdgeMetricsSnapshot, logger: Logger
    ) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render(try snapshot()))))
        }
        router.get("/health") { _, _ in "ok\n" }
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "watchpost-edge"),
            onServerRunning: { channel in
                logger.info("metrics listening", metadata: ["port": "\(channel.localAddress?.port ?? 0)"])
            }, logger: logger)
    }
}
