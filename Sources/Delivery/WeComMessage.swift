import AnxinCore

/// WeCom (企业微信) group-robot messages for a notice, as the robot webhook documents them:
/// `{"msgtype":"markdown","markdown":{"content":"…"}}`, content at most 4096 bytes of UTF-8.
/// Markdown cannot mention anyone, so a critical notice adds a second message,
/// `{"msgtype":"text","text":{"content":"…","mentioned_list":["@all"]}}` (content at most
/// 2048 bytes), that rings everyone in the group.
///
/// The stored body holds one JSON document per line (compact JSON never contains a raw line
/// break); ``WeComTransport`` POSTs them in order.
public enum WeComMessage {
    /// The robot's limit for markdown content.
    public static let markdownMaxBytes = 4096
    /// The robot's limit for text content.
    public static let textMaxBytes = 2048

    /// One or two JSON lines: the markdown message, then for a critical notice the @all text.
    public static func render(_ c: NoticeContent) -> [UInt8] {
        var s = "{\"msgtype\":\"markdown\",\"markdown\":{\"content\":" + JSONText.quote(markdown(c)) + "}}"
        if c.severity == .critical {
            s += "\n{\"msgtype\":\"text\",\"text\":{\"content\":" + JSONText.quote(mentionText(c))
            s += ",\"mentioned_list\":[\"@all\"]}}"
        }
        return Array(s.utf8)
    }

    /// The markdown content (WeCom's subset: heading, quote, `<font color>`, link).
    public static func markdown(_ c: NoticeContent) -> String {
        let color =
            switch c.severity {
            case .critical, .urgent: "warning"
            case .warning: "comment"
            case .info: "info"
            }
        var lines = ["### " + NoticeText.headline(c)]
        lines.append("> 级别:<font color=\"\(color)\">\(NoticeText.severityLabel(c.severity))</font>")
        lines.append("> 住户:" + NoticeText.resident(c))
        lines.append("> 规则:" + NoticeText.oneLine(c.rule))
        lines.append("> 报警时间:" + NoticeText.openedAt(c))
        lines.append("> 进度:" + NoticeText.progress(c))
        lines.append("[\(NoticeText.boardLinkText)](\(c.boardURL))")
        return UTF8Cap.cut(lines.joined(separator: "\n"), maxBytes: markdownMaxBytes)
    }

    /// The text content of the critical @all message.
    public static func mentionText(_ c: NoticeContent) -> String {
        UTF8Cap.cut(NoticeText.headline(c) + "\n请立即处理:" + c.boardURL, maxBytes: textMaxBytes)
    }

    /// The JSON documents of a stored body, in order.
    static func messages(in body: [UInt8]) -> [[UInt8]] {
        body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map(Array.init)
    }
}
