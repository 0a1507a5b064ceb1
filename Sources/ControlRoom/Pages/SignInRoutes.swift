import CoordinatorRecord
import Foundation
import Hummingbird
import Shared

/// Sign-in and sign-out. The session cookie is HttpOnly and SameSite=Strict, and Secure when the
/// control room is served over TLS. The sign-in form carries a token that must match a cookie the
/// form's page set (double submit), so another site cannot sign a browser in under its own account.
/// What a sign-in decides is `SignInDesk`'s; this only maps it to responses.
struct SignInRoutes {
    static let formCookieName = "wp_login"
    static let refusedText = "Sign-in refused: wrong name or password, or the account is locked or disabled."

    let desk: SignInDesk
    let users: UserStore
    let pages: PageRenderer
    let secureCookies: Bool
    let clock: WallClock

    func add(to router: Router<WebRequestContext>) {
        router.get("/login") { _, context in
            signInPage(session: context.session, status: .ok, error: nil)
        }
        router.post("/login") { request, context -> Response in
            let form = try await FormBody(request)
            guard let cookie = request.cookies[Self.formCookieName]?.value, let token = form["csrf"],
                UserStore.constantTimeEqual(cookie, token)
            else {
                return signInPage(
                    session: nil, status: .forbidden,
                    error: "This sign-in form has expired: sign in again on this page.")
            }
            switch try await desk.signIn(
                form["name"] ?? "", password: form["password"] ?? "", address: context.remoteAddress, at: clock.now())
            {
            case .signedIn(let token, let session):
                let role = session.user.role
                var response = Response.redirect(to: PageRenderer.landing(for: role), type: .found)
                response.setCookie(
                    Cookie(
                        name: SessionMiddleware.cookieName, value: token, maxAge: Int(UserStore.sessionLifetime),
                        path: "/",
                        secure: secureCookies, httpOnly: true, sameSite: .strict))
                response.setCookie(
                    Cookie(
                        name: Self.formCookieName, value: "", maxAge: 0, path: "/login", secure: secureCookies,
                        httpOnly: true, sameSite: .strict))
                return response
            case .refused:
                return signInPage(session: nil, status: .unauthorized, error: Self.refusedText)
            case .throttled(let retryAfter):
                var response = signInPage(
                    session: nil, status: .tooManyRequests,
                    error: "Too many sign-in attempts: wait \(retryAfter) seconds, then try again.")
                response.headers[.retryAfter] = "\(retryAfter)"
                return response
            }
        }
        router.post("/logout") { request, context -> Response in
            let form = try await FormBody(request)
            guard let session = context.session, UserStore.isValidCSRF(form["csrf"], for: session),
                let token = request.cookies[SessionMiddleware.cookieName]?.value
            else { return Response(status: .forbidden) }
            try users.signOut(token: token, at: clock.now())
            var response = Response.redirect(to: "/login", type: .found)
            response.setCookie(
                Cookie(
                    name: SessionMiddleware.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies,
                    httpOnly: true, sameSite: .strict))
            return response
        }
        router.get("/") { _, context in
            guard let role = context.session?.user.role else { return Response.redirect(to: "/login") }
            return Response.redirect(to: PageRenderer.landing(for: role))
        }
        router.get("/health") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
    }

    /// The sign-in page with a fresh form token, set as a cookie for `/login` alone.
    private func signInPage(session: Session?, status: HTTPResponse.Status, error: String?) -> Response {
        let token = UserStore.newToken()
        var values: [String: Any] = ["csrf_login": token]
        if let error { values["error"] = error }
        var response = pages.page("login", title: "Sign in", session: session, values, status: status)
        response.setCookie(
            Cookie(
                name: Self.formCookieName, value: token, maxAge: 3600, path: "/login", secure: secureCookies,
                httpOnly: true, sameSite: .strict))
        return response
    }
}
