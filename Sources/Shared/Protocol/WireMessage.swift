import Foundation

/// The messages between edge nodes and the coordinator (ZeroMQ frames, CURVE-encrypted).
///
/// Encoding: one frame; byte 0 is the protocol version, byte 1 the message type, then the fields
/// in the fixed order of `encode()`, with the little-endian, length-prefixed codec of signed
/// bundles. Chosen over Protocol Buffers because the messages are few and flat, the codec is
/// already bounds-checked and fuzzed for bundles, and it needs no code generator or extra
/// dependency; every decoder checks lengths before allocating and rejects trailing bytes.
public enum WireMessage: Sendable, Equatable {
    case hello(Hello)
    case heartbeat(Heartbeat)
    case alert(AlertMessage)
    case ack(alertID: UUID)
    case watchlistBundle([UInt8])
    case watchlistStatus(WatchlistStatus)
    case command(Command)
    /// Coordinator to node: a signed audit checkpoint (its JSON file's bytes) for the node to keep as a witness.
    case auditCheckpoint([UInt8])
    /// Node to coordinator: the node keeps that checkpoint, signed with its witness key.
    case witnessReceipt(WitnessReceipt)

    /// Version written. Version 2 added `AlertMessage.trackFrames`; version 1 frames (alerts
    /// queued in a node's outbox before an upgrade) are still read, so the coordinator is upgraded first.
    public static let protocolVersion: UInt8 = 2
    /// Largest frame accepted; also set as the socket's ZMQ_MAXMSGSIZE so larger frames are never read.
    public static let maxFrameBytes = 64 << 20

    public struct Hello: Sendable, Equatable {
        public var nodeID: String
        public var software: String
        /// The watchlist version the node holds (0: none, as after a restart: nothing is kept on disk).
        public var heldWatchlistVersion: UInt64
        public init(nodeID: String, software: String, heldWatchlistVersion: UInt64) {
            self.nodeID = nodeID
            self.software = software
            self.heldWatchlistVersion = heldWatchlistVersion
        }
    }

    /// Health aggregates: counts and rates only, never faces.
    public struct Heartbeat: Sendable, Equatable {
        public var uptimeSeconds: UInt64
        public var framesPerSecond: Float
        /// Faces tracked since the node started (one per person per pass): the unit a deployment's
        /// expected false alerts (FPIR per search) are counted in.
        public var facesSeen: UInt64
        public var framesDropped: UInt64
        public var watchlistVersion: UInt64
        /// Quality rejections by reason (`QualityRejection` raw values).
        public var qualityRejections: [String: UInt64]
        public init(
            uptimeSeconds: UInt64, framesPerSecond: Float, facesSeen: UInt64, framesDropped: UInt64,
            watchlistVersion: UInt64, qualityRejections: [String: UInt64]
        ) {
            self.uptimeSeconds = uptimeSeconds
            self.framesPerSecond = framesPerSecond
            self.facesSeen = facesSeen
            self.framesDropped = framesDropped
            self.watchlistVersion = watchlistVersion
            self.qualityRejections = qualityRejections
        }
    }

    /// A match: the only message that carries a face (the probe crop of a watchlist subject).
    public struct AlertMessage: Sendable, Equatable {
        public var alertID: UUID
        public var nodeID: String
        public var cameraID: String
        public var deploymentID: String
        public var watchlistVersion: UInt64
        public var subject: String
        public var score: Float
        public var distance: Float
        /// Capture time in whole milliseconds since 1970 (an integer, so that encoding is exact).
        public var capturedAtMilliseconds: Int64
        public var track: UInt64
        /// How many of the track's frames the match rests on (the frames its mean embedding was made
        /// of): 1 is a single glance, more is a steadier match. 0: not said (a protocol 1 node).
        public var trackFrames: UInt32
        /// inter_eye, sharpness, luma_mean, luma_std, yaw, pitch, roll.
        public var quality: [Float]
        public var cropJPEG: [UInt8]
        public init(
            alertID: UUID, nodeID: String, cameraID: String, deploymentID: String, watchlistVersion: UInt64,
            subject: String, score: Float, distance: Float, capturedAt: Date, track: UInt64, trackFrames: UInt32 = 0,
            quality: [Float], cropJPEG: [UInt8]
        ) {
            self.init(
                alertID: alertID, nodeID: nodeID, cameraID: cameraID, deploymentID: deploymentID,
                watchlistVersion: watchlistVersion, subject: subject, score: score, distance: distance,
                capturedAtMilliseconds: Int64((capturedAt.timeIntervalSince1970 * 1000).rounded()), track: track,
                trackFrames: trackFrames, quality: quality, cropJPEG: cropJPEG)
        }

        public init(
            alertID: UUID, nodeID: String, cameraID: String, deploymentID: String, watchlistVersion: UInt64,
            subject: String, score: Float, distance: Float, capturedAtMilliseconds: Int64, track: UInt64,
            trackFrames: UInt32 = 0, quality: [Float], cropJPEG: [UInt8]
        ) {
            self.alertID = alertID
            self.nodeID = nodeID
            self.cameraID = cameraID
            self.deploymentID = deploymentID
            self.watchlistVersion = watchlistVersion
            self.subject = subject
            self.score = score
            self.distance = distance
            self.capturedAtMilliseconds = capturedAtMilliseconds
            self.track = track
            self.trackFrames = trackFrames
            self.quality = quality
            self.cropJPEG = cropJPEG
        }

        public var capturedAt: Date { Date(timeIntervalSince1970: TimeInterval(capturedAtMilliseconds) / 1000) }
    }

    public struct WatchlistStatus: Sendable, Equatable {
        public var accepted: Bool
        public var version: UInt64
        /// A `BundleRefusal.code` when refused, empty when accepted.
        public var reasonCode: String
        public var reason: String
        public init(accepted: Bool, version: UInt64, reasonCode: String, reason: String) {
            self.accepted = accepted
            self.version = version
            self.reasonCode = reasonCode
            self.reason = reason
        }
    }

    public enum Command: Sendable, Equatable {
        case endDeployment(deploymentID: String)
        case wipeWatchlist
    }

    /// A witness's signed word that it keeps the checkpoint of `entries` entries with `headHash`.
    ///
    /// Signed bytes: `"watchpost witness receipt v1"`, a zero byte, entries (u64 LE), the 32-byte head hash.
    public struct WitnessReceipt: Sendable, Equatable {
        public static let context: [UInt8] = Array("watchpost witness receipt v1".utf8) + [0]
        public var entries: UInt64
        public var headHash: [UInt8]
        /// The witness's Ed25519 public key.
        public var witnessKey: [UInt8]
        public var signature: [UInt8]
        public init(entries: UInt64, headHash: [UInt8], witnessKey: [UInt8], signature: [UInt8]) {
            self.entries = entries
            self.headHash = headHash
            self.witnessKey = witnessKey
            self.signature = signature
        }

        public static func signingBytes(entries: UInt64, headHash: [UInt8]) -> [UInt8] {
            var w = ByteWriter()
            w.raw(context)
            w.u64(entries)
            w.raw(headHash)
            return w.bytes
        }
    }

    /// Kinds 8 and 9 came after version 2's other kinds; a node without them drops them as unknown.
    enum Kind: UInt8 {
        case hello = 1, heartbeat, alert, ack, watchlistBundle, watchlistStatus, command, auditCheckpoint,
            witnessReceipt
    }

    public func encode() -> [UInt8] {
        var w = ByteWriter()
        w.u8(Self.protocolVersion)
        switch self {
        case .hello(let m):
            w.u8(Kind.hello.rawValue)
            w.string(m.nodeID)
            w.string(m.software)
            w.u64(m.heldWatchlistVersion)
        case .heartbeat(let m):
            w.u8(Kind.heartbeat.rawValue)
            w.u64(m.uptimeSeconds)
            w.f32(m.framesPerSecond)
            w.u64(m.facesSeen)
            w.u64(m.framesDropped)
            w.u64(m.watchlistVersion)
            w.u32(UInt32(m.qualityRejections.count))
            for (reason, count) in m.qualityRejections.sorted(by: { $0.key < $1.key }) {
                w.string(reason)
                w.u64(count)
            }
        case .alert(let m):
            w.u8(Kind.alert.rawValue)
            w.uuid(m.alertID)
            w.string(m.nodeID)
            w.string(m.cameraID)
            w.string(m.deploymentID)
            w.u64(m.watchlistVersion)
            w.string(m.subject)
            w.f32(m.score)
            w.f32(m.distance)
            w.i64(m.capturedAtMilliseconds)
            w.u64(m.track)
            w.u32(m.trackFrames)
            w.u32(UInt32(m.quality.count))
            for q in m.quality { w.f32(q) }
            w.blob(m.cropJPEG)
        case .ack(let id):
            w.u8(Kind.ack.rawValue)
            w.uuid(id)
        case .watchlistBundle(let bytes):
            w.u8(Kind.watchlistBundle.rawValue)
            w.blob(bytes)
        case .watchlistStatus(let m):
            w.u8(Kind.watchlistStatus.rawValue)
            w.u8(m.accepted ? 1 : 0)
            w.u64(m.version)
            w.string(m.reasonCode)
            w.string(m.reason)
        case .command(let c):
            w.u8(Kind.command.rawValue)
            switch c {
            case .endDeployment(let id):
                w.u8(1)
                w.string(id)
            case .wipeWatchlist: w.u8(2)
            }
        case .auditCheckpoint(let bytes):
            w.u8(Kind.auditCheckpoint.rawValue)
            w.blob(bytes)
        case .witnessReceipt(let m):
            w.u8(Kind.witnessReceipt.rawValue)
            w.u64(m.entries)
            w.blob(m.headHash)
            w.blob(m.witnessKey)
            w.blob(m.signature)
        }
        return w.bytes
    }

    /// Decodes one frame; throws for anything unknown, malformed or oversized (the caller drops and counts it).
    public static func decode(_ frame: [UInt8]) throws -> WireMessage {
        guard frame.count <= maxFrameBytes else {
            throw MalformedBytes(description: "frame of \(frame.count) bytes is too large")
        }
        var r = ByteReader(frame)
        let frameVersion = try r.u8("protocol version")
        guard (1...protocolVersion).contains(frameVersion) else {
            throw MalformedBytes(
                description:
                    "protocol version \(frameVersion) is not supported (this side reads 1 to \(protocolVersion))")
        }
        guard let kind = Kind(rawValue: try r.u8("message type")) else {
            throw MalformedBytes(description: "unknown message type")
        }
        let message: WireMessage
        switch kind {
        case .hello:
            message = .hello(
                Hello(
                    nodeID: try r.string("node id"), software: try r.string("software"),
                    heldWatchlistVersion: try r.u64("held version")))
        case .heartbeat:
            let uptime = try r.u64("uptime"), fps = try r.f32("fps"), faces = try r.u64("faces"),
                dropped = try r.u64("dropped")
            let version = try r.u64("watchlist version")
            let count = Int(try r.u32("rejection count"))
            guard count <= 32 else { throw MalformedBytes(description: "\(count) rejection reasons") }
            var rejections: [String: UInt64] = [:]
            var previous: String?
            for _ in 0..<count {
                let reason = try r.string("reason", limit: 32)
                // Canonical form: reasons in strictly increasing order, so no frame has two encodings.
                guard previous.map({ $0 < reason }) ?? true else {
                    throw MalformedBytes(description: "rejection reasons out of order")
                }
                previous = reason
                rejections[reason] = try r.u64("count")
            }
            guard fps.isFinite else { throw MalformedBytes(description: "fps is not finite") }
            message = .heartbeat(
                Heartbeat(
                    uptimeSeconds: uptime, framesPerSecond: fps, facesSeen: faces, framesDropped: dropped,
                    watchlistVersion: version, qualityRejections: rejections))
        case .alert:
            let id = try r.uuid("alert id"), node = try r.string("node id"), camera = try r.string("camera id")
            let deployment = try r.string("deployment id"), version = try r.u64("watchlist version")
            let subject = try r.string("subject"), score = try r.f32("score"), distance = try r.f32("distance")
            let captured = try r.i64("capture time")
            let track = try r.u64("track")
            let trackFrames = frameVersion >= 2 ? try r.u32("track frames") : 0
            let qualityCount = Int(try r.u32("quality count"))
            guard qualityCount <= 16 else { throw MalformedBytes(description: "\(qualityCount) quality figures") }
            let quality = try (0..<qualityCount).map { _ in try r.f32("quality") }
            let crop = try r.blob("crop", limit: 4 << 20)
            guard score.isFinite, distance.isFinite, quality.allSatisfy(\.isFinite) else {
                throw MalformedBytes(description: "alert figures are not finite")
            }
            message = .alert(
                AlertMessage(
                    alertID: id, nodeID: node, cameraID: camera, deploymentID: deployment,
                    watchlistVersion: version, subject: subject, score: score, distance: distance,
                    capturedAtMilliseconds: captured, track: track, trackFrames: trackFrames, quality: quality,
                    cropJPEG: crop))
        case .ack:
            message = .ack(alertID: try r.uuid("alert id"))
        case .watchlistBundle:
            message = .watchlistBundle(try r.blob("bundle", limit: maxFrameBytes))
        case .watchlistStatus:
            let accepted = try r.u8("accepted")
            guard accepted <= 1 else { throw MalformedBytes(description: "accepted flag \(accepted)") }
            message = .watchlistStatus(
                WatchlistStatus(
                    accepted: accepted == 1, version: try r.u64("version"),
                    reasonCode: try r.string("reason code", limit: 64),
                    reason: try r.string("reason", limit: 1024)))
        case .command:
            switch try r.u8("command") {
            case 1: message = .command(.endDeployment(deploymentID: try r.string("deployment id")))
            case 2: message = .command(.wipeWatchlist)
            default: throw MalformedBytes(description: "unknown command")
            }
        case .auditCheckpoint:
            message = .auditCheckpoint(try r.blob("checkpoint", limit: 4096))
        case .witnessReceipt:
            let entries = try r.u64("entries")
            let head = try r.blob("head hash", limit: 32), key = try r.blob("witness key", limit: 32),
                signature = try r.blob("signature", limit: 64)
            guard head.count == 32, key.count == 32, signature.count == 64 else {
                throw MalformedBytes(description: "receipt field of the wrong size")
            }
            message = .witnessReceipt(
                WitnessReceipt(entries: entries, headHash: head, witnessKey: key, signature: signature))
        }
        guard r.isAtEnd else { throw MalformedBytes(description: "\(r.remaining) bytes after the message") }
        return message
    }
}
