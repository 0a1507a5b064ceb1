import Hummingbird

/// Headers on every response, pages, photos, exports and errors alike: a content policy that runs
/// no inline script and lets no other site frame, post or be the base of a page; no sniffing of
/// types; no referrer; nothing stored by caches (most responses carry faces or names); HSTS under TLS.
struct SecurityHeadersMiddleware: RouterMiddleware {
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
        + "connect-src 'self'; object-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    let tls: Bool

    func handle(
        _ request: Request, context: WebRequestContext, next: (Request, WebRequestContext) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            // The route's pattern, not its path: a path can hold a subject id (`/watchlists/:id/photos/:subject/…`).
            context.logger.error(
                "request failed", metadata: ["route": "\(context.endpointPath ?? "unmatched")", "error": "\(error)"])
            response = Response(status: .internalServerError)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if tls { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}
