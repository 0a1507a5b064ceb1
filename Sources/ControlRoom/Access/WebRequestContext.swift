import CoordinatorRecord
import Hummingbird
import Shared

/// A request's context: the signed-in session, when the session cookie names a live one.
public struct WebRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var session: Session?
    /// The client's IP address as the connection shows it (sign-in limits count by it).
    public let remoteAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        session = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// Reads the session cookie and puts its live session into the context (expired, unknown or
/// disabled users' sessions are ignored: the request is then anonymous).
struct SessionMiddleware: RouterMiddleware {
    static let cookieName = "wp_session"
    let users: UserStore
    let clock: WallClock

    func handle(
        _ request: Request, context: WebRequestContext, next: (Request, WebRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let token = request.cookies[Self.cookieName]?.value, !token.isEmpty {
            context.session = try await RecordWork.run { try users.session(token: token, at: clock.now()) }
        }
        return try await next(request, context)
    }
}
