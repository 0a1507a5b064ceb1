import CoordinatorRecord
import Foundation
import Hummingbird
import Shared

/// A live page's server-sent events: one `alert` event for each feed event that `select` turns
/// into a row, for as long as the session may watch. The stream ends as soon as its session does
/// (sign-out, expiry, disable, a role change): checked before each event is sent and at each tick
/// between them.
struct LiveStream {
    /// How often an open live page checks that its session still may watch, when no alert comes.
    static let sessionCheck: Duration = .seconds(2)

    let feed: AlertFeed
    let users: UserStore
    let clock: WallClock

    /// - Parameters:
    ///   - roles: the roles that may go on watching.
    ///   - select: the row to send for an event (run off the event loop), or nil to send nothing.
    func response(
        token: String, roles: Set<Role>,
        select: @escaping @Sendable (AlertFeed.Event, Session) throws -> [String: Any]?
    ) -> Response {
        let stream = feed.subscribe(tick: Self.sessionCheck)
        let users = users, clock = clock
        let watcher = { @Sendable () -> Session? in
            guard let session = try? users.session(token: token, at: clock.now()),
                roles.contains(session.user.role)
            else { return nil }
            return session
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                // A comment first, so that the browser's EventSource opens at once.
                try await writer.write(ByteBuffer(string: ": live\n\n"))
                for await event in stream {
                    guard case .some(.some(let session)) = try? await RecordWork.run(watcher) else { break }
                    guard event != .tick,
                        case .some(.some(let json)) = try? await RecordWork.run({
                            try select(event, session).map {
                                try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys])
                            }
                        })
                    else { continue }
                    try await writer.write(
                        ByteBuffer(string: "event: alert\ndata: \(String(decoding: json, as: UTF8.self))\n\n"))
                }
                try await writer.finish(nil)
            })
    }
}
