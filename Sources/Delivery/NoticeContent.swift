import AnxinCore
import Store

/// What staff are told about one alert on a notification channel, before it is rendered for
/// WeCom, DingTalk, a webhook or MQTT (see ``NoticeFormat``).
public struct NoticeContent: Sendable, Hashable {
    /// Who the alert is about, as far as staff need it in a message.
    public struct Resident: Sendable, Hashable {
        public var name: String
        /// e.g. `3号楼302室`.
        public var room: String?
        /// e.g. `JN-KY-03-0302-1`.
        public var bed: String?
        public init(name: String, room: String? = nil, bed: String? = nil) {
            self.name = name
            self.room = room
            self.bed = bed
        }
    }

    public var alertID: String
    public var gatewayID: String
    /// Rule name, e.g. `sos`.
    public var rule: String
    public var severity: Severity
    /// One Chinese line, e.g. `张桂兰 3号楼302室 SOS 呼叫`.
    public var summary: String
    /// Nil for an unregistered device.
    public var resident: Resident?
    /// The escalation step that fired (0-based).
    public var step: Int
    /// 0 for the step's first firing, 1… for its reminders.
    public var reminder: Int
    /// Link to the alert on the duty board, e.g. `http://10.0.0.5:8349/board/#/alerts/A-1`.
    public var boardURL: String
    public var openedAt: EpochMillis
    /// Offset the opening time is written with (28800 for `+08:00`).
    public var utcOffsetSeconds: Int

    public init(
        alertID: String, gatewayID: String, rule: String, severity: Severity, summary: String, resident: Resident?,
        step: Int, reminder: Int, boardURL: String, openedAt: EpochMillis, utcOffsetSeconds: Int = 28800
    ) {
        self.alertID = alertID
        self.gatewayID = gatewayID
        self.rule = rule
        self.severity = severity
        self.summary = summary
        self.resident = resident
        self.step = step
        self.reminder = reminder
        self.boardURL = boardURL
        self.openedAt = openedAt
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The outbox row id on `channel`: `<alert id>/<step>/<reminder>/<channel>`.
    public func outboxID(channel: String) -> String {
        "\(alertID)/\(step)/\(reminder)/\(channel)"
    }

    /// The outbox row for `channel`, rendered once in `format`: kind `notice`, priority the
    /// severity (critical first). Enqueue it with `Store.enqueue(_:)`.
    public func outboxItem(channel: String, format: NoticeFormat, createdAt: EpochMillis) -> OutboxItem {
        OutboxItem(
            id: outboxID(channel: channel), alertID: alertID, priority: Int(severity.rawValue),
            body: format.render(self), createdAt: createdAt, channel: channel, kind: .notice)
    }
}
