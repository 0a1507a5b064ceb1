import FaceEngine
import Shared

// Shared holds watchlists as plain values and links no vision code; the edge turns them into a
// matcher here.

extension WatchlistBundle {
    /// The matcher this bundle asks for; fails for a fused bundle that lacks FaceNet templates.
    func makeMatcher() throws -> Matcher { try Matcher(entries: entries, rule: rule, cohort: cohort) }
}

extension TemplateWatchlist {
    /// The matcher this file asks for.
    func makeMatcher() throws -> Matcher { try Matcher(entries: entries, rule: rule, cohort: cohort) }
}
