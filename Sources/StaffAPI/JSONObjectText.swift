import AnxinCore

/// Builds one JSON object as text, fields in the order written (no `Any`, no `JSONSerialization`).
struct JSONObjectText {
    private var text = "{"
    private var empty = true

    init() {}

    /// A field whose value is already JSON text, written verbatim.
    mutating func raw(_ key: String, _ json: String) {
        if !empty { text += "," }
        empty = false
        text += JSONText.quote(key)
        text += ":"
        text += json
    }

    /// A string field, `null` when absent.
    mutating func string(_ key: String, _ value: String?) {
        raw(key, value.map(JSONText.quote) ?? "null")
    }

    /// A number field, `null` when absent.
    mutating func number(_ key: String, _ value: Double?) {
        raw(key, value.map(JSONText.number) ?? "null")
    }

    /// An integer field, `null` when absent.
    mutating func integer(_ key: String, _ value: Int?) {
        raw(key, value.map { String($0) } ?? "null")
    }

    /// A boolean field.
    mutating func bool(_ key: String, _ value: Bool?) {
        raw(key, value.map { $0 ? "true" : "false" } ?? "null")
    }

    /// A time field as ISO 8601 UTC text, `null` when absent.
    mutating func time(_ key: String, _ value: EpochMillis?) {
        string(key, value.map { Timestamp.iso8601($0) })
    }

    /// An array of strings.
    mutating func strings(_ key: String, _ values: [String]) {
        raw(key, "[" + values.map(JSONText.quote).joined(separator: ",") + "]")
    }

    /// The finished object.
    var json: String { text + "}" }
}

/// Writes `[a,b,…]` from already rendered elements.
func jsonArray(_ elements: [String]) -> String {
    "[" + elements.joined(separator: ",") + "]"
}
