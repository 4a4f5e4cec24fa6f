import AnxinCore

/// The Chinese wording shared by the group-robot messages.
enum NoticeText {
    /// 危急 / 紧急 / 警告 / 提示.
    static func severityLabel(_ s: Severity) -> String {
        switch s {
        case .critical: "危急"
        case .urgent: "紧急"
        case .warning: "警告"
        case .info: "提示"
        }
    }

    /// `【危急】张桂兰 3号楼302室 SOS 呼叫`, the summary cut to ``summaryBytes`` and on one line.
    static func headline(_ c: NoticeContent) -> String {
        "【\(severityLabel(c.severity))】" + oneLine(UTF8Cap.cut(c.summary, maxBytes: summaryBytes))
    }

    /// `张桂兰 · 3号楼302室 · 床位 JN-KY-03-0302-1`, or `未登记设备`.
    static func resident(_ c: NoticeContent) -> String {
        guard let r = c.resident else { return "未登记设备" }
        var parts = [oneLine(UTF8Cap.cut(r.name, maxBytes: fieldBytes))]
        if let room = r.room { parts.append(oneLine(UTF8Cap.cut(room, maxBytes: fieldBytes))) }
        if let bed = r.bed { parts.append("床位 " + oneLine(UTF8Cap.cut(bed, maxBytes: fieldBytes))) }
        return parts.joined(separator: " · ")
    }

    /// `2026-11-22 08:16:12`, local time at the content's offset.
    static func openedAt(_ c: NoticeContent) -> String {
        let iso = Timestamp.iso8601(c.openedAt, utcOffsetSeconds: c.utcOffsetSeconds)
        return String(iso.prefix(19)).replacing("T", with: " ")
    }

    /// `第 1 级通知` or `第 1 级通知,第 2 次提醒`.
    static func progress(_ c: NoticeContent) -> String {
        "第 \(c.step + 1) 级通知" + (c.reminder > 0 ? ",第 \(c.reminder) 次提醒" : "")
    }

    static let boardLinkText = "打开值班看板"

    /// Longest summary kept, in UTF-8 bytes, so the link at the end always fits.
    static let summaryBytes = 1024
    /// Longest resident name, room or bed kept, in UTF-8 bytes.
    static let fieldBytes = 128

    /// Line breaks in data would break the message layout.
    static func oneLine(_ s: String) -> String {
        s.contains(where: \.isNewline) ? String(s.map { $0.isNewline ? " " : $0 }) : s
    }
}
