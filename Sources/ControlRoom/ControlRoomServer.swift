import CoordinatorRecord
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Prometheus
import Refusals
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
        /// Serve HTTPS with this certificate chain and key (PEM files, `web.tls_certificate` and `web.tls_key`).
        public var tls: TLSFiles?
        /// The signers the nodes trust, by name, and how many they require (`watchlists.signers`).
        public var signers: WatchlistSigners
        /// The largest watchlist upload (manifest and photos together).
        public var uploadLimitBytes: Int
        /// Refusal delay, attempt limits and refusal bursts of sign-in.
        public var signIn = SignInDesk.Settings()
        /// Threads that check passwords, and checks that may wait for them before more are refused (HTTP 429).
        public var passwordWorkers = 1
        public var passwordQueueLimit = 4
        /// The audit signing key, when kept out of the state folder (`audit.signing_key`).
        public var auditSigningKey: String?
        /// Seconds before an idle connection, or one slow to send its request head or body, is closed (`web.idle_timeout_s`).
        public var idleTimeoutSeconds = 30

        public init(
            host: String = "127.0.0.1", port: Int = 8080, secureCookies: Bool = false, bcryptCost: UInt8 = 12,
            metricsToken: String? = nil,
            tls: TLSFiles? = nil, signers: WatchlistSigners = WatchlistSigners(), uploadLimitBytes: Int = 256 << 20
        ) {
            self.host = host
            self.port = port
            self.secureCookies = secureCookies
            self.bcryptCost = bcryptCost
            self.metricsToken = metricsToken
            self.tls = tls
            self.signers = signers
            self.uploadLimitBytes = uploadLimitBytes
        }
    }

    /// A PEM certificate chain and its private key (0600).
    public struct TLSFiles: Sendable {
        public var certificateChain: String
        public var privateKey: String

        public init(certificateChain: String, privateKey: String) {
            self.certificateChain = certificateChain
            self.privateKey = privateKey
        }

        /// The server configuration; throws naming the file that cannot be used.
        func configuration() throws -> TLSConfiguration {
            let chain: [NIOSSLCertificate], key: NIOSSLPrivateKey
            do { chain = try NIOSSLCertificate.fromPEMFile(certificateChain) } catch {
                throw TLSRefusal(
                    .certificateUnreadable, certificateChain,
                    "web.tls_certificate \(certificateChain) is not a PEM certificate chain: \(error)")
            }
            do { key = try NIOSSLPrivateKey(file: privateKey, format: .pem) } catch {
                throw TLSRefusal(
                    .keyUnreadable, privateKey, "web.tls_key \(privateKey) is not a PEM private key: \(error)")
            }
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            return configuration
        }
    }

    /// The services to add, in this order, to the service group: the sign-in desk's housekeeping,
    /// the web server, then what ends the live pages' event streams. A group stops its services in
    /// reverse order, so the streams end first and the server's graceful stop does not wait on
    /// pages that never close.
    public static func make(
        settings: Settings, database: CoordinatorDatabase, feed: AlertFeed, compiler: any WatchlistCompiling,
        logger: Logger,
        deploymentsChanged: @escaping @Sendable () -> Void
    ) throws -> [any Service] {
        let users = UserStore(database: database, bcryptCost: settings.bcryptCost)
        let desk = SignInDesk(
            users: users,
            pool: PasswordHashingPool(workers: settings.passwordWorkers, queueLimit: settings.passwordQueueLimit),
            settings: settings.signIn, logger: logger)
        let builds = WatchlistBuildQueue(compiler: compiler, database: database, logger: logger, clock: .system)
        let router = try makeRouter(
            settings: settings, database: database, users: users, desk: desk, feed: feed, compiler: compiler,
            builds: builds, logger: logger, deploymentsChanged: deploymentsChanged)
        // A connection idle, or still sending its request head or body, for this long is closed (a live
        // page's stream is a request in progress and stays open).
        let http = HTTPServerBuilder.http1(
            configuration: .init(idleTimeout: .seconds(Int64(settings.idleTimeoutSeconds))))
        let server: HTTPServerBuilder =
            try settings.tls.map { try .tls(http, tlsConfiguration: try $0.configuration()) } ?? http
        let application = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "watchpost"),
            onServerRunning: { channel in
                logger.info(
                    "control room listening",
                    metadata: [
                        "address": "\(channel.localAddress?.description ?? "?")",
                        "port": "\(channel.localAddress?.port ?? 0)",
                    ])
            }, logger: logger)
        return [
            SignInHousekeeping(desk: desk, logger: logger, clock: .system), builds, application,
            StopOnShutdown { feed.finish() },
        ]
    }

    static func makeRouter(
        settings: Settings, database: CoordinatorDatabase, users: UserStore, desk: SignInDesk, feed: AlertFeed,
        compiler: any WatchlistCompiling, builds: WatchlistBuildQueue, logger: Logger,
        deploymentsChanged: @escaping @Sendable () -> Void, clock: WallClock = .system
    ) throws -> Router<WebRequestContext> {
        let pages = PageRenderer(library: try PageTemplates.library())
        let access = Access(database: database, logger: logger, clock: clock)
        let registry = PrometheusCollectorRegistry()
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware(tls: settings.tls != nil))
        router.add(middleware: RequestTimingMiddleware(registry: registry))
        router.add(middleware: SessionMiddleware(users: users, clock: clock))
        MetricsRoutes(
            database: database, registry: registry, access: access, token: settings.metricsToken, clock: clock
        ).add(
            to: router)
        // The pages' scripts, served as files so that the pages' policy allows no inline script.
        for (file, script) in [
            ("alerts.js", PageTemplates.alertsScript), ("alert.js", PageTemplates.alertScript),
            ("field.js", PageTemplates.fieldScript),
        ] {
            router.get("/static/\(file)") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/javascript; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: script)))
            }
        }
        // Under TLS the cookie is always Secure; `secure_cookies` is for TLS ended by a proxy in front.
        SignInRoutes(
            desk: desk, users: users, pages: pages, secureCookies: settings.secureCookies || settings.tls != nil,
            clock: clock
        ).add(to: router)
        let live = LiveStream(feed: feed, users: users, clock: clock)
        AlertRoutes(alerts: AlertStore(database: database), live: live, access: access, pages: pages, clock: clock)
            .add(to: router)
        let checkpoints = AuditCheckpointWriter(
            stateDirectory: URL(fileURLWithPath: database.path).deletingLastPathComponent().path,
            keyPath: settings.auditSigningKey)
        let ending = DeploymentEnding(database: database, checkpoints: checkpoints) {
            deploymentsChanged()
            return "the coordinator reloaded its assignments"
        }
        RecordRoutes(
            database: database, ending: ending, access: access, pages: pages, clock: clock,
            deploymentsChanged: deploymentsChanged
        ).add(to: router)
        FieldTeamRoutes(database: database, access: access, pages: pages, clock: clock).add(to: router)
        FieldRoutes(alerts: AlertStore(database: database), live: live, access: access, pages: pages, clock: clock)
            .add(to: router)
        WatchlistRoutes(
            database: database, access: access, pages: pages, compiler: compiler, builds: builds,
            signers: settings.signers, uploadLimit: settings.uploadLimitBytes, clock: clock
        ).add(to: router)
        return router
    }
}

/// Why the control room's TLS files cannot be used.
public typealias TLSRefusal = Refused<TLSRefusalCode>

public enum TLSRefusalCode: String, RefusalCode {
    case certificateUnreadable, keyUnreadable

    public static let area = "tls"

    public var kind: RefusalKind { .unavailable }
}
