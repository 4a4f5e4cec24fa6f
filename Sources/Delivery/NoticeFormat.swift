/// How a notice is written for one kind of channel.
public enum NoticeFormat: String, Sendable, Hashable, CaseIterable {
    /// WeCom (企业微信) group robot: ``WeComMessage``.
    case wecom
    /// DingTalk (钉钉) custom robot: ``DingTalkMessage``.
    case dingtalk
    /// Generic JSON webhook, also fit for an MQTT staff topic: ``WebhookNoticeBody``.
    case webhook

    /// The body bytes stored in the outbox.
    public func render(_ content: NoticeContent) -> [UInt8] {
        switch self {
        case .wecom: WeComMessage.render(content)
        case .dingtalk: DingTalkMessage.render(content)
        case .webhook: WebhookNoticeBody.render(content)
        }
    }
}
