import Foundation
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A plain HTTP client for the control room, as a browser without JavaScript would be: it keeps
/// the session cookie it is given, does not follow redirects (so tests see them), and posts forms.
/// The session cookie's name, as the control room sets it.
enum SessionCookie { static let name = "wp_session" }

final class WebClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let data: Data
        var body: String { String(decoding: data, as: UTF8.self) }
        var location: String? { headers["location"] }
    }

    let base: String
    var cookie: String?
    /// Sent as `Authorization: Bearer …` when set.
    var bearer: String?
    private lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    init(port: Int) { base = "http://127.0.0.1:\(port)" }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func get(_ path: String) throws -> Reply { try send(URLRequest(url: URL(string: base + path)!)) }

    func post(_ path: String, _ fields: [String: String]) throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        request.httpBody = Data(
            fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(
                separator: "&"
            ).utf8)
        return try send(request)
    }

    /// Posts a file upload form (`multipart/form-data`), as a browser's file inputs send it.
    func postFiles(_ path: String, _ fields: [String: String], files: [(field: String, name: String, bytes: [UInt8])])
        throws -> Reply
    {
        let boundary = "----watchpost" + UUID().uuidString
        var body = Data()
        for (key, value) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8)
            body += Data(file.bytes) + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = "POST"
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        return try send(request)
    }

    /// Posts a body as given, with its content type (for hostile bodies a browser would not send).
    func postRaw(_ path: String, body: [UInt8], contentType: String) throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body)
        return try send(request)
    }

    /// Signs in as a browser does: the sign-in page first, for its form token and cookie, then the
    /// form. Keeps the session cookie when one comes back.
    @discardableResult
    func signIn(_ name: String, _ password: String) throws -> Reply {
        let form = try signInForm()
        let session = cookie
        cookie = form.cookie
        defer { if cookie == form.cookie { cookie = session } }
        let reply = try post("/login", ["name": name, "password": password, "csrf": form.token])
        if let set = reply.headers["set-cookie"], let value = Self.cookie(SessionCookie.name, in: set),
            !value.hasSuffix("=")
        {
            cookie = value
        }
        return reply
    }

    /// The sign-in page's form token and the cookie it set (`wp_login=…`).
    func signInForm() throws -> (token: String, cookie: String) {
        let page = try get("/login")
        let cookie = try XCTUnwrap(
            page.headers["set-cookie"].flatMap { Self.cookie("wp_login", in: $0) },
            "the sign-in page sets its form cookie")
        return (try XCTUnwrap(Self.hiddenField("csrf", in: page.body)), cookie)
    }

    /// `name=value` of one cookie among the Set-Cookie headers (joined with ", " by URLSession).
    static func cookie(_ name: String, in header: String) -> String? {
        header.components(separatedBy: ", ").compactMap { $0.split(separator: ";").first.map(String.init) }.first {
            $0.hasPrefix(name + "=")
        }
    }

    /// The value of a hidden form field.
    static func hiddenField(_ name: String, in page: String) -> String? {
        guard let range = page.range(of: #"name="\#(name)" value=""#) else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// The CSRF token of the signed-in session, read from a page's forms.
    func csrf(from page: String = "/deployments") throws -> String {
        Self.hiddenField("csrf", in: try get(page).body) ?? ""
    }

    private func send(_ request: URLRequest) throws -> Reply {
        var request = request
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        if let bearer { request.setValue("Bearer " + bearer, forHTTPHeaderField: "Authorization") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Reply, Error> = .failure(URLError(.timedOut))
        session.dataTask(with: request) { data, response, error in
            if let error {
                result = .failure(error)
            } else if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields {
                    headers[String(describing: k).lowercased()] = String(describing: v)
                }
                result = .success(Reply(status: http.statusCode, headers: headers, data: data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        return try result.get()
    }
}
