import CoordinatorRecord
import Hummingbird
import Refusals
import Shared

/// Runs a route's body and answers its refusals: an access check's own response; a `Refusal`
/// in plain text with its kind's status and its code in `Watchpost-Refusal`; a `CommandFailure`
/// (a library not yet giving typed refusals) as 400. Anything else propagates: a 500, logged.
func guarded(_ body: () throws -> Response) throws -> Response {
    do { return try body() } catch Access.Denial.response(let response) { return response } catch {
        guard let response = refusalResponse(error) else { throw error }
        return response
    }
}

func guarded(_ body: () async throws -> Response) async throws -> Response {
    do { return try await body() } catch Access.Denial.response(let response) { return response } catch {
        guard let response = refusalResponse(error) else { throw error }
        return response
    }
}

/// Whether an error is one to show to the person who caused it (a refusal), rather than a fault.
func isShownToUser(_ error: any Error) -> Bool {
    error is any Refusal || error is CommandFailure
}

/// The status a refusal is answered with.
func status(of error: any Error) -> HTTPResponse.Status {
    switch (error as? any Refusal)?.kind {
    case .invalid, nil: .badRequest
    case .notFound: .notFound
    case .conflict: .conflict
    case .damaged: .internalServerError
    case .unavailable: .serviceUnavailable
    }
}

private func refusalResponse(_ error: any Error) -> Response? {
    guard isShownToUser(error) else { return nil }
    var response = plainText("\(error)", status: status(of: error))
    // The code in a header of its own, for scripts and tests: `Watchpost-Refusal: deployment.notFound`.
    if let refusal = error as? any Refusal { response.headers[.init("Watchpost-Refusal")!] = refusal.qualifiedCode }
    return response
}
