import ArgumentParser
import FaceTemplates

/// Options shared by the commands that load models.
public struct ModelOptions: ParsableArguments {
    @Option(
        name: .customLong("models"),
        help: "Folder with the model files (default: $WATCHPOST_MODELS, ./models, /var/lib/watchpost/models).")
    public var directory: String?

    public init() {}
}

// Enrolment choices as flags, spelled as their raw values, for both executables' enrol commands.
extension FaceChoice: ExpressibleByArgument {}
extension PhotoFusion: ExpressibleByArgument {}

extension ArgumentHelp {
    /// `--face`, as `coordinator watchlist build` and `edge-node enrol` both take it.
    public static let faceChoice: ArgumentHelp =
        "Which face of a photo with several: only (refuse such photos), largest or central (each refused when no face is clearly so)."
}
