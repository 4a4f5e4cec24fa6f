import AnxinCore

extension DeviceView {
    /// `{"id", "profile", "resident", "registered", "last_seen", "battery", "silent"}` (devices page).
    public var jsonText: String {
        var o = JSONObjectText()
        o.string("id", id)
        o.string("profile", profile)
        o.raw("resident", resident?.jsonText ?? "null")
        o.bool("registered", registered)
        o.time("last_seen", lastSeen)
        o.number("battery", battery)
        o.bool("silent", silent)
        return o.json
    }

    /// `{"id", "profile", "battery", "last_seen", "silent"}` (a resident's card).
    public var residentCardJSONText: String {
        var o = JSONObjectText()
        o.string("id", id)
        o.string("profile", profile)
        o.number("battery", battery)
        o.time("last_seen", lastSeen)
        o.bool("silent", silent)
        return o.json
    }
}
