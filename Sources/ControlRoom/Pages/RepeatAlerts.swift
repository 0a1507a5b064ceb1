import CoordinatorRecord
import Foundation

/// Alerts of one subject on one camera close together in time are one pass of one person: the
/// list shows the first, with its repeats under it, rather than a screen of the same face.
enum RepeatAlerts {
    /// Two sightings further apart than this are two passes.
    static let passGap: TimeInterval = 120

    /// An alert and the repeats that followed it in the same pass, oldest first.
    struct Group {
        let first: AlertRecord
        let repeats: [AlertRecord]
    }

    /// Groups `alerts` (in any order) by deployment, camera and subject, a repeat being captured at
    /// most `passGap` after the previous sighting of its group; purged alerts (no subject) stand
    /// alone. Groups come newest first, by their first alert.
    static func group(_ alerts: [AlertRecord], passGap: TimeInterval = passGap) -> [Group] {
        struct Key: Hashable {
            let deployment: String
            let camera: String
            let subject: String
        }
        var groups: [(first: AlertRecord, repeats: [AlertRecord])] = []
        var open: [Key: (index: Int, last: Date)] = [:]
        for alert in alerts.sorted(by: { ($0.capturedAt, $0.id.uuidString) < ($1.capturedAt, $1.id.uuidString) }) {
            guard let subject = alert.subject else {
                groups.append((alert, []))
                continue
            }
            let key = Key(deployment: alert.deploymentID, camera: alert.cameraID, subject: subject)
            if let current = open[key], alert.capturedAt.timeIntervalSince(current.last) <= passGap {
                groups[current.index].repeats.append(alert)
                open[key] = (current.index, alert.capturedAt)
            } else {
                open[key] = (groups.count, alert.capturedAt)
                groups.append((alert, []))
            }
        }
        return groups.reversed().map { Group(first: $0.first, repeats: $0.repeats) }
    }
}
