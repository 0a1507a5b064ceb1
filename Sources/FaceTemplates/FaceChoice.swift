/// Which face of an enrolment photo is the subject's, when it holds more than one. Declared
/// apart from the detector (`FaceChoice.pick`, in FaceEngine) so that the record can keep a
/// draft's choice as this type without linking vision.
public enum FaceChoice: String, CaseIterable, Sendable {
    /// The photo must show one face (faces too small to match do not count): the default.
    case only
    /// The largest face, if it is clearly larger (its eyes at least 1.25x as far apart as the next).
    case largest
    /// The face nearest the centre, if clearly nearer (at most 0.6x the next one's distance).
    case central
}
