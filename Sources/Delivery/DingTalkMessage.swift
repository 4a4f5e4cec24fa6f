import AnxinCore

/// DingTalk (钉钉) custom-robot message for a notice, as the robot webhook documents it:
/// `{"msgtype":"markdown","markdown":{"title":"…","text":"…"},"at":{"isAtAll":true|false}}`.
/// The title is what the conversation list shows; a critical notice rings everyone (`isAtAll`).
public enum DingTalkMessage {
    /// Longest title kept, in UTF-8 bytes.
    public static let titleMaxBytes = 256
    /// Longest markdown text kept, in UTF-8 bytes.
    public static let textMaxBytes = 4096

    /// The JSON body.
    public static func render(_ c: NoticeContent) -> [UInt8] {
        var s = "{\"msgtype\":\"markdown\",\"markdown\":{\"title\":" + JSONText.quote(title(c))
        s += ",\"text\":" + JSONText.quote(text(c)) + "}"
        s += ",\"at\":{\"isAtAll\":" + (c.severity == .critical ? "true" : "false") + "}}"
        return Array(s.utf8)
    }

    /// `【危急】张桂兰 3号楼302室 SOS 呼叫`.
    public static func title(_ c: NoticeContent) -> String {
        UTF8Cap.cut(NoticeText.headline(c), maxBytes: titleMaxBytes)
    }

    /// The markdown text; paragraphs are separated by a blank line, which DingTalk renders as
    /// line breaks.
    public static func text(_ c: NoticeContent) -> String {
        let lines = [
            "### " + NoticeText.headline(c),
            "- 级别:" + NoticeText.severityLabel(c.severity),
            "- 住户:" + NoticeText.resident(c),
            "- 规则:" + NoticeText.oneLine(c.rule),
            "- 报警时间:" + NoticeText.openedAt(c),
            "- 进度:" + NoticeText.progress(c),
            "[\(NoticeText.boardLinkText)](\(c.boardURL))",
        ]
        return UTF8Cap.cut(lines.joined(separator: "\n\n"), maxBytes: textMaxBytes)
    }
}
