import FaceTemplates
import Foundation
import Shared
import ZeroMQTransport

/// A real `coordinator serve` for the fabric benchmarks: its own CURVE keys, `nodes` enrolled node
/// key pairs (node i as `node-i`, camera `cam-i`), and a signed fused bundle of `subjects` random templates (one dlib and one FaceNet
/// template each, as `watchlist build` makes them), deployment "bench", version 1.
public final class CoordinatorProcess {
    public let endpoint: String
    public let serverKey: String
    public let nodes: [CurveKeyPair]
    /// The signed bundle file's size, and the size of the wire frame that carries it.
    public let bundleFileBytes: Int
    public let bundleFrameBytes: Int
    private let process = Process()

    public var pid: Int32 { process.processIdentifier }

    /// The control room's port, when started with `webPort`.
    public let webPort: Int?

    /// - Parameters:
    ///   - webPort: also serve the control room there, with a supervisor `bench-supervisor` and an operator `bench-locked`
    ///     (password `benchmark password`), checked by bcrypt at `bcryptCost`.
    public init(
        bin: String, work: String, subjects: Int, nodes count: Int, seed: UInt64, webPort: Int? = nil,
        bcryptCost: Int = 4
    ) throws {
        self.webPort = webPort
        serverKey = try CurveKeyFile.create(at: work + "/coordinator.curve").publicKey
        nodes = try (0..<count).map { _ in try CurveKeyPair.generate() }
        let signer = try SigningKeyFile.create(at: work + "/signer.key")
        var generator = SplitMix64(seed: seed)
        let entries = (0..<subjects).map { i in
            WatchlistEntry(
                subject: "s-\(i)",
                templates: [Embedding((0..<128).map { _ in Float.random(in: -0.2...0.2, using: &generator) })],
                faceNetTemplates: [
                    FaceNetEmbedding((0..<512).map { _ in Float.random(in: -0.05...0.05, using: &generator) })
                ])
        }
        let now = Date()
        let bundle = WatchlistBundle(
            deploymentID: "bench", watchlistID: "w", version: 1, issuedAt: now, notBefore: now,
            expiresAt: now.addingTimeInterval(86_400), embeddingModel: MatchingRule.recommended.embeddingModel,
            threshold: 0.88, rule: .recommended, entries: entries)
        let bytes = try SignedBundle(payload: bundle.payloadBytes()).signed(with: signer).fileBytes()
        bundleFileBytes = bytes.count
        bundleFrameBytes = WireMessage.watchlistBundle(bytes).encode().count
        try PrivateFile.write(bytes, to: work + "/bench.bundle", mode: .replaceAtomically)
        endpoint = "tcp://127.0.0.1:\(30_000 + Int.random(in: 0..<5000))"
        // Node i is enrolled as node-i with camera cam-i: what it claims must match.
        let enrolled = nodes.enumerated().map {
            #"{"node_id": "node-\#($0)", "camera": "cam-\#($0)", "key": "\#($1.publicKey)"}"#
        }.joined(separator: ",")
        try """
        {"server": {"bind": "\(endpoint)", "curve_key": "\(work)/coordinator.curve", "state_dir": "\(work)/state"},
         "nodes": {"enrolled": [\(enrolled)]}, "watchlist": {"bundle": "\(work)/bench.bundle"}\
        \(webPort.map { #", "web": {"host": "127.0.0.1", "port": \#($0), "bcrypt_cost": \#(bcryptCost)}"# } ?? "")}
        """.write(toFile: work + "/coordinator.json", atomically: true, encoding: .utf8)
        for (name, role) in webPort == nil ? [] : [("bench-supervisor", "supervisor"), ("bench-locked", "operator")] {
            let add = Process()
            add.executableURL = URL(fileURLWithPath: bin + "/coordinator")
            add.arguments = [
                "users", "add", "--config", work + "/coordinator.json", "--as", "benchmark", "--name", name, "--role",
                role,
            ]
            let input = Pipe()
            add.standardInput = input
            add.standardOutput = FileHandle.nullDevice
            try add.run()
            input.fileHandleForWriting.write(Data("benchmark password\n".utf8))
            try input.fileHandleForWriting.close()
            add.waitUntilExit()
            guard add.terminationStatus == 0 else { throw CommandFailure("coordinator users add failed") }
        }
        process.executableURL = URL(fileURLWithPath: bin + "/coordinator")
        process.arguments = ["serve", "--config", work + "/coordinator.json"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
    }

    public func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// A CURVE DEALER of node `index`, connected, with the coordinator's frame size limit.
    public func connect(_ context: ZMQContext, node index: Int, receiveTimeout: Duration) throws -> ZMQSocket {
        let dealer = try ZMQSocket(context, .dealer)
        try dealer.makeCurveClient(nodes[index], serverKey: serverKey)
        try dealer.setReceiveTimeout(receiveTimeout)
        try dealer.setMaxMessageSize(Int64(WireMessage.maxFrameBytes))
        try dealer.connect(endpoint)
        return dealer
    }
}
