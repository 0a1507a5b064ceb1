import FaceEngine
import FaceTemplates
import Foundation
import Shared

/// The watchlist an offline run uses: a signed bundle, verified against the node's policy, or a
/// plain template file from `edge-node enrol`.
struct LoadedWatchlist {
    var matcher: Matcher
    /// The templates the matcher was built from.
    var entries: [WatchlistEntry]
    var threshold: Float?
    var isSigned: Bool
    /// Faces in the cohort beyond the list itself (which sets the default threshold).
    var cohortFaces: Int

    static func load(path: String, policy: BundlePolicy?, now: Date) throws -> LoadedWatchlist {
        let handle = FileHandle(forReadingAtPath: path)
        let magic = (try? handle?.read(upToCount: 4)).flatMap { $0 }.map(Array.init) ?? []
        try? handle?.close()
        guard magic == SignedBundle.fileMagic else {
            let plain = try TemplateWatchlist.load(path: path)
            return LoadedWatchlist(
                matcher: try matcher(plain.makeMatcher, path), entries: plain.entries, threshold: plain.threshold,
                isSigned: false,
                cohortFaces: plain.cohort.count)
        }
        guard let policy else {
            throw CommandFailure(
                "watchlist \(path) is a signed bundle: give --config with a watchlist section (deployment_id, required_signatures, trusted_signers) to verify it"
            )
        }
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        switch policy.verify(bytes, heldVersion: nil, now: now) {
        case .success(let bundle):
            return LoadedWatchlist(
                matcher: try matcher(bundle.makeMatcher, path), entries: bundle.entries, threshold: bundle.threshold,
                isSigned: true,
                cohortFaces: bundle.cohort.count)
        case .failure(let refusal):
            throw CommandFailure("watchlist \(path) refused (\(refusal.code)): \(refusal)")
        }
    }

    private static func matcher(_ make: () throws -> Matcher, _ path: String) throws -> Matcher {
        do { return try make() } catch { throw CommandFailure("watchlist \(path) cannot be matched: \(error)") }
    }
}
