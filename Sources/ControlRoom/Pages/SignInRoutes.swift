import CoordinatorRecord
import Foundation
import Hummingbird

/// Sign-in and sign-out. The session cookie is HttpOnly and SameSite=Strict, and Secure when the
/// control room is served over TLS.
struct SignInRoutes {
    let users: UserStore
    let pages: PageRenderer
    let secureCookies: Bool

    func add(to router: Router<WebRequestContext>) {
        router.get("/login") { _, context in
            pages.page("login", title: "Sign in", session: context.session)
        }
        router.post("/login") { request, _ -> Response in
            let form = try await FormBody(request)
            do {
                let (token, session) = try users.signIn(form["name"] ?? "", password: form["password"] ?? "", at: .now)
                var response = Response.redirect(to: session.user.role == .auditor ? "/audit" : (Access.alerts.contains(session.user.role) ? "/alerts" : "/deployments"),
                                                 type: .found)
                response.setCookie(Cookie(name: SessionMiddleware.cookieName, value: token, maxAge: Int(UserStore.sessionLifetime), path: "/",
                                          secure: secureCookies, httpOnly: true, sameSite: .strict))
                return response
            } catch {
                return pages.page("login", title: "Sign in", session: nil, ["error": "\(error)"], status: .unauthorized)
            }
        }
        router.post("/logout") { request, context -> Response in
            let form = try await FormBody(request)
            guard let session = context.session, UserStore.isValidCSRF(form["csrf"], for: session),
                  let token = request.cookies[SessionMiddleware.cookieName]?.value else { return Response(status: .forbidden) }
            try users.signOut(token: token, at: .now)
            var response = Response.redirect(to: "/login", type: .found)
            response.setCookie(Cookie(name: SessionMiddleware.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict))
            return response
        }
        router.get("/") { _, context in
            guard let role = context.session?.user.role else { return Response.redirect(to: "/login") }
            return Response.redirect(to: PageRenderer.navigation(for: role).first?.0 ?? "/deployments")
        }
        router.get("/health") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
    }
}
