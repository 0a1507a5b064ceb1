import Crypto
import Foundation
import Shared

/// One entry of the append-only audit log. Its canonical bytes are hashed (SHA-256) together with
/// the previous entry's hash, so that editing, inserting, deleting or reordering any entry breaks
/// the chain at that point (`AuditVerifier`).
///
/// Canonical bytes: `"WPAUDIT1"`, time (i64 ms since 1970), then actor, action, target and detail
/// as u32-length-prefixed UTF-8, then the previous entry's 32-byte hash (all zeros for the first);
/// integers little-endian. The position is not hashed: the chain of hashes fixes the order.
public struct AuditEntry: Sendable, Equatable {
    public static let magic: [UInt8] = Array("WPAUDIT1".utf8)
    public static let genesisHash = [UInt8](repeating: 0, count: 32)

    public var sequence: Int64
    public var atMilliseconds: Int64
    public var actor: String
    public var action: String
    public var target: String
    /// Canonical JSON (sorted keys) of the action's details: counts, reasons, versions. Never a face.
    public var detail: String
    public var previousHash: [UInt8]
    public var hash: [UInt8]

    public var at: Date { Date(timeIntervalSince1970: TimeInterval(atMilliseconds) / 1000) }

    public static func canonicalBytes(
        atMilliseconds: Int64, actor: String, action: String, target: String, detail: String,
        previousHash: [UInt8]
    ) -> [UInt8] {
        var w = ByteWriter()
        w.raw(magic)
        w.i64(atMilliseconds)
        w.string(actor)
        w.string(action)
        w.string(target)
        w.string(detail)
        w.raw(previousHash)
        return w.bytes
    }

    public static func hash(
        atMilliseconds: Int64, actor: String, action: String, target: String, detail: String,
        previousHash: [UInt8]
    ) -> [UInt8] {
        Array(
            SHA256.hash(
                data: canonicalBytes(
                    atMilliseconds: atMilliseconds, actor: actor, action: action, target: target,
                    detail: detail, previousHash: previousHash)))
    }

    /// Whether the stored hash is the hash of the stored content.
    var isSelfConsistent: Bool {
        Self.hash(
            atMilliseconds: atMilliseconds, actor: actor, action: action, target: target, detail: detail,
            previousHash: previousHash) == hash
    }

    /// Detail as canonical JSON: keys sorted, no whitespace, so the same facts always hash the same.
    public static func detailJSON(_ fields: [String: String]) -> String {
        guard !fields.isEmpty,
            let data = try? JSONSerialization.data(
                withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// What an audit entry records. The raw values are what the log stores.
public enum AuditAction: String, Sendable, CaseIterable {
    case nodeEnrolled = "node.enrolled"
    case nodeRevoked = "node.revoked"
    case nodeRefused = "node.refused"
    case nodeIdentityRefused = "node.identity_refused"
    case bundleAttached = "bundle.attached"
    case bundlePushed = "bundle.pushed"
    case bundleAccepted = "bundle.accepted"
    case bundleRefused = "bundle.refused"
    case bundleDestroyed = "bundle.destroyed"
    /// An ended deployment's list, its bundle destroyed and its alerts purged, keeps no subject id.
    case listPseudonymised = "deployment.list_pseudonymised"
    case watchlistUploaded = "watchlist.uploaded"
    case watchlistBuilt = "watchlist.built"
    case watchlistBuildFailed = "watchlist.build_failed"
    case watchlistDownloaded = "watchlist.downloaded"
    case watchlistSigned = "watchlist.signed"
    case watchlistDiscarded = "watchlist.discarded"
    /// The intelligence team picked the subject's face among those a refused photo holds.
    case watchlistFaceMarked = "watchlist.face_marked"
    case deploymentCreated = "deployment.created"
    case deploymentMinorOverride = "deployment.minor_override"
    case deploymentAuthorised = "deployment.authorised"
    case deploymentStarted = "deployment.started"
    case deploymentEnded = "deployment.ended"
    case nodeWipeSent = "node.wipe_sent"
    case alertReceived = "alert.received"
    case alertRefused = "alert.refused"
    case alertReviewed = "alert.reviewed"
    case alertOutcome = "alert.outcome"
    case alertCaseMarked = "alert.case_marked"
    case alertCaseUnmarked = "alert.case_unmarked"
    /// An operator's match sent to the field officers on the deployment's team.
    case alertSent = "alert.sent"
    case fieldOfficerAssigned = "deployment.field_officer_assigned"
    case fieldOfficerReleased = "deployment.field_officer_released"
    case reportExported = "report.exported"
    case retentionPurged = "retention.purged"
    case configReloaded = "config.reloaded"
    case auditCheckpoint = "audit.checkpoint"
    case userAdded = "user.added"
    case userPasswordChanged = "user.password_changed"
    case userRoleChanged = "user.role_changed"
    case userDisabled = "user.disabled"
    case loginSucceeded = "user.login"
    case loginFailed = "user.login_failed"
    case userLockedOut = "user.locked_out"
    /// Sign-ins refused with HTTP 429 (too many from one address or for one name, or the hashing queue full), one entry per burst.
    case loginThrottled = "user.login_throttled"
    case logout = "user.logout"
    case accessRefused = "web.access_refused"
}

/// An audit entry before it is chained: who did what to what, and the details.
public struct AuditEvent: Sendable, Equatable {
    public var actor: String
    public var action: AuditAction
    public var target: String
    public var detail: [String: String]

    public init(actor: String, action: AuditAction, target: String, detail: [String: String] = [:]) {
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
    }
}
