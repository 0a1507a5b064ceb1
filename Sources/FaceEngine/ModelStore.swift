import Crypto
import Foundation

/// Locates the model files and checks them against their pinned SHA-256, so that a truncated
/// or swapped model fails at start-up with the file's name and the command that repairs it.
public struct ModelStore: Sendable {
    /// The model files Watchpost runs, with their provenance pinned in `scripts/models.sha256`.
    public enum Model: String, CaseIterable, Sendable {
        case centerFace = "centerface.onnx"
        case shapePredictor5 = "shape_predictor_5_face_landmarks.dat"
        case resnet = "dlib_face_recognition_resnet_model_v1.dat"
        case faceNet = "facenet_20180408-102900.pb"

        public var sha256: String {
            switch self {
            case .centerFace: "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
            case .shapePredictor5: "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"
            case .resnet: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
            case .faceNet: "704afe26766ce6215931b0bde68650835be9518613d40ce101e641708c7d5c78"
            }
        }
    }

    /// The command that installs the models, quoted in every error.
    public static let setupCommand = "scripts/setup.sh (or set WATCHPOST_MODELS to a folder that holds the models)"
    /// Where installs keep models.
    public static let installedDirectory = "/var/lib/watchpost/models"

    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The folder named explicitly, else `$WATCHPOST_MODELS`, else `./models`, else the install folder.
    public static func locate(explicit: String? = nil) -> ModelStore {
        if let explicit { return ModelStore(directory: explicit) }
        if let env = ProcessInfo.processInfo.environment["WATCHPOST_MODELS"], !env.isEmpty {
            return ModelStore(directory: env)
        }
        let local = FileManager.default.currentDirectoryPath + "/models"
        if FileManager.default.fileExists(atPath: local + "/" + Model.centerFace.rawValue) {
            return ModelStore(directory: local)
        }
        return ModelStore(directory: installedDirectory)
    }

    /// The path of a model after checking that it exists and has the pinned checksum.
    public func verifiedPath(_ model: Model) throws -> String {
        let path = directory + "/" + model.rawValue
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FaceEngineError(
                .fileUnreadable, "model file \(path) is missing or unreadable: run \(Self.setupCommand)")
        }
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard digest == model.sha256 else {
            throw FaceEngineError(
                .checksumMismatch,
                "model file \(path) is corrupt (SHA-256 \(digest.prefix(12))…, expected \(model.sha256.prefix(12))…): delete it and run \(Self.setupCommand)"
            )
        }
        return path
    }

    public func makeDetector(settings: DetectorSettings = DetectorSettings()) throws -> FaceDetector {
        try FaceDetector(modelPath: verifiedPath(.centerFace), settings: settings)
    }

    public func makeEmbedder() throws -> FaceEmbedder {
        try FaceEmbedder(shapePredictorPath: verifiedPath(.shapePredictor5), resnetPath: verifiedPath(.resnet))
    }

    public func makeFaceNetEmbedder() throws -> FaceNetEmbedder {
        try FaceNetEmbedder(modelPath: verifiedPath(.faceNet))
    }

    /// The enroller for watchlist templates: both models, so that bundles can use the fused rule.
    public func makeEnroller() throws -> FaceEnroller {
        try FaceEnroller(
            detector: makeDetector(), embedder: makeEmbedder(), faceNet: makeFaceNetEmbedder(), gate: QualityGate())
    }
}
