import CoordinatorRecord
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Shared

/// The control room's web server: server-rendered pages over the deployment record, run in
/// `coordinator serve`'s service group (same process as the ZeroMQ server, stopped with it).
public struct ControlRoomServer {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        /// Mark the session cookie Secure (set when the UI is reached over TLS, e.g. behind a terminating proxy).
        public var secureCookies: Bool
        public var bcryptCost: UInt8
        /// The bearer token a Prometheus scraper presents for `/metrics` (from `web.metrics_token_file`).
        public var metricsToken: String?

        public init(host: String = "127.0.0.1", port: Int = 8080, secureCookies: Bool = false, bcryptCost: UInt8 = 12, metricsToken: String? = nil) {
            self.host = host; self.port = port; self.secureCookies = secureCookies; self.bcryptCost = bcryptCost; self.metricsToken = metricsToken
        }
    }

    /// The services to add, in this order, to the service group: the web server, then what ends
    /// the live pages' event streams. A group stops its services in reverse order, so the streams
    /// end first and the server's graceful stop does not wait on pages that never close.
    public static func make(settings: Settings, database: CoordinatorDatabase, feed: AlertFeed, logger: Logger,
                            deploymentsChanged: @escaping @Sendable () -> Void) throws -> [any Service] {
        let router = try makeRouter(settings: settings, database: database, feed: feed, logger: logger, deploymentsChanged: deploymentsChanged)
        let application = Application(router: router, configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "watchpost"),
                                      onServerRunning: { channel in
                                          logger.info("control room listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")",
                                                                                         "port": "\(channel.localAddress?.port ?? 0)"])
                                      }, logger: logger)
        return [application, StopOnShutdown { feed.finish() }]
    }

    static func makeRouter(settings: Settings, database: CoordinatorDatabase, feed: AlertFeed, logger: Logger,
                           deploymentsChanged: @escaping @Sendable () -> Void) throws -> Router<WebRequestContext> {
        let users = UserStore(database: database, bcryptCost: settings.bcryptCost)
        let pages = PageRenderer(library: try PageTemplates.library())
        let access = Access(database: database, logger: logger)
        let registry = PrometheusCollectorRegistry()
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: RequestTimingMiddleware(registry: registry))
        router.add(middleware: SessionMiddleware(users: users))
        MetricsRoutes(database: database, registry: registry, access: access, token: settings.metricsToken).add(to: router)
        SignInRoutes(users: users, pages: pages, secureCookies: settings.secureCookies).add(to: router)
        AlertRoutes(alerts: AlertStore(database: database), feed: feed, access: access, pages: pages).add(to: router)
        RecordRoutes(database: database, access: access, pages: pages, deploymentsChanged: deploymentsChanged).add(to: router)
        return router
    }
}
