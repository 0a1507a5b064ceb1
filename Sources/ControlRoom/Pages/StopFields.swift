import CoordinatorRecord

/// The stage-2 form, as the operator's alert page and the field officer's phone page both send
/// it: the outcome, the action and a note, and what the person stopped chose to say about
/// themselves (each optional, "not asked" by default).
enum StopFields {
    /// The form as a field outcome; a value not among the choices is refused, naming its field.
    static func outcome(_ form: FormBody) throws -> AdjudicationStep {
        let outcome: FieldOutcome = try choice(form, "outcome", required: true)!
        let action: FieldAction = try choice(form, "action", required: true)!
        var minutes: Int?
        if let text = form.text("minutes") {
            guard let value = Int(text) else {
                throw FormRefusal(.notANumber, "minutes", "the stop's length is a whole number of minutes")
            }
            minutes = value
        }
        let stop = StopRecord(
            ethnicity: try choice(form, "ethnicity", required: false), sex: try choice(form, "sex", required: false),
            minutes: minutes)
        return .outcome(outcome, action: action, note: form.text("note"), stop: stop)
    }

    /// The choices as the templates list them.
    static var templateValues: [String: Any] {
        [
            "ethnicities": SelfDefinedEthnicity.allCases.map { ["code": $0.rawValue, "label": $0.label] },
            "sexes": RecordedSex.allCases.map { ["value": $0.rawValue] },
        ]
    }

    private static func choice<Value: RawRepresentable<String> & CaseIterable>(
        _ form: FormBody, _ field: String, required: Bool
    ) throws -> Value? {
        guard let text = form.text(field) else {
            if required { throw FormRefusal(.missingField, field, "choose the \(field)") }
            return nil
        }
        guard let value = Value(rawValue: text) else {
            throw FormRefusal(
                .notAChoice, field,
                "\(field) must be one of: \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
