/// One alert per pass: a person whose track breaks as they walk past (turned away, occluded, a
/// crossing) gets a new track, which would match and alert again. A subject's repeat matches on
/// this camera are held back while they are still in view (their alerted track is followed, or they
/// are matched again) within `window` seconds of the last time, so that one pass raises one alert
/// however many tracks it took. A value-type state
/// machine on stream time (the frame's time in the source), so tests drive it with numbers.
struct RepeatAlertGate {
    /// Seconds after a subject's last match within which another match is the same pass.
    let window: Double
    private var lastMatched: [String: Double] = [:]
    /// Matches held back as repeats of an alert already raised.
    private(set) var suppressed = 0

    init(window: Double) { self.window = window }

    /// Whether a match of `subject` at `time` raises an alert; either way it extends the pass.
    mutating func admit(_ subject: String, at time: Double) -> Bool {
        defer { lastMatched[subject] = time }
        // Times can step back when a looped file starts again: that is a new pass.
        if let last = lastMatched[subject], time >= last, time - last <= window {
            suppressed += 1
            return false
        }
        return true
    }

    /// An alerted subject is still in view (its track was followed in this frame): the pass goes on.
    mutating func stillInView(_ subjects: Set<String>, at time: Double) {
        for subject in subjects { lastMatched[subject] = time }
    }

    /// Forgets every subject (a new watchlist: its subjects are not the old list's).
    mutating func reset() { lastMatched.removeAll() }
}
