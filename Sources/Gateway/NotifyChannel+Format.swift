import Delivery

extension GatewayConfig.NotifyChannel {
    /// How notices for this channel are written: robots get their own message formats, a
    /// webhook and an MQTT staff topic the generic JSON notice.
    var noticeFormat: NoticeFormat {
        switch kind {
        case .wecom: .wecom
        case .dingtalk: .dingtalk
        case .webhook, .mqtt: .webhook
        }
    }
}
