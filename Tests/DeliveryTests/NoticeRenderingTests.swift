import AnxinCore
import XCTest

@testable import Delivery

final class NoticeRenderingTests: XCTestCase {
    private let markdown =
        ####"### 【危急】张桂兰 3号楼302室 SOS 呼叫\n> 级别:<font color=\"warning\">危急</font>\n"####
        + #"> 住户:张桂兰 · 3号楼302室 · 床位 JN-KY-03-0302-1\n> 规则:sos\n> 报警时间:2026-11-22 08:16:12\n"#
        + #"> 进度:第 1 级通知,第 2 次提醒\n[打开值班看板](http://10.0.0.5:8349/board/#/alerts/A-1)"#

    func testWeComCriticalIsMarkdownThenAnAtAllText() {
        let expected =
            #"{"msgtype":"markdown","markdown":{"content":""# + markdown + #""}}"# + "\n"
            + #"{"msgtype":"text","text":{"content":"【危急】张桂兰 3号楼302室 SOS 呼叫\n请立即处理:"#
            + #"http://10.0.0.5:8349/board/#/alerts/A-1","mentioned_list":["@all"]}}"#
        XCTAssertEqual(String(decoding: WeComMessage.render(Fixture.notice()), as: UTF8.self), expected)
        XCTAssertEqual(WeComMessage.messages(in: WeComMessage.render(Fixture.notice())).count, 2)
    }

    func testWeComUrgentFirstFiringIsMarkdownOnly() {
        let content = Fixture.notice(severity: .urgent, step: 1, reminder: 0, resident: nil)
        let expected =
            ####"{"msgtype":"markdown","markdown":{"content":"### 【紧急】张桂兰 3号楼302室 SOS 呼叫\n"####
            + #"> 级别:<font color=\"warning\">紧急</font>\n> 住户:未登记设备\n> 规则:sos\n"#
            + #"> 报警时间:2026-11-22 08:16:12\n> 进度:第 2 级通知\n"#
            + #"[打开值班看板](http://10.0.0.5:8349/board/#/alerts/A-1)"}}"#
        XCTAssertEqual(String(decoding: WeComMessage.render(content), as: UTF8.self), expected)
    }

    func testWeComContentStaysWithinTheRobotLimits() {
        var content = Fixture.notice()
        content.summary = String(repeating: "跌倒报警", count: 2000)
        content.boardURL = "http://10.0.0.5:8349/board/#/alerts/" + String(repeating: "x", count: 5000)
        let md = WeComMessage.markdown(content)
        let text = WeComMessage.mentionText(content)
        XCTAssertLessThanOrEqual(md.utf8.count, 4096)
        XCTAssertGreaterThan(md.utf8.count, 4000)
        XCTAssertLessThanOrEqual(text.utf8.count, 2048)
        XCTAssertTrue(md.hasSuffix("…"))
        // The summary alone is cut to 1024 bytes, on a character boundary.
        let headline = NoticeText.headline(content)
        XCTAssertEqual(headline.utf8.count, "【危急】".utf8.count + 1023)
        XCTAssertTrue(headline.hasSuffix("跌倒报警…"))
    }

    func testDingTalkMarkdownWithAtAllOnlyForCritical() {
        let urgent = Fixture.notice(severity: .urgent, reminder: 0)
        let expected =
            #"{"msgtype":"markdown","markdown":{"title":"【紧急】张桂兰 3号楼302室 SOS 呼叫","#
            + ####""text":"### 【紧急】张桂兰 3号楼302室 SOS 呼叫\n\n- 级别:紧急\n\n"####
            + #"- 住户:张桂兰 · 3号楼302室 · 床位 JN-KY-03-0302-1\n\n- 规则:sos\n\n"#
            + #"- 报警时间:2026-11-22 08:16:12\n\n- 进度:第 1 级通知\n\n"#
            + #"[打开值班看板](http://10.0.0.5:8349/board/#/alerts/A-1)"},"at":{"isAtAll":false}}"#
        XCTAssertEqual(String(decoding: DingTalkMessage.render(urgent), as: UTF8.self), expected)
        let critical = String(decoding: DingTalkMessage.render(Fixture.notice()), as: UTF8.self)
        XCTAssertTrue(critical.hasSuffix(#""at":{"isAtAll":true}}"#), critical)
    }

    func testDingTalkSignatureMatchesAnIndependentlyComputedVector() {
        // python3: base64.b64encode(hmac.new(secret, f"{ts}\n{secret}", sha256).digest()), then quote_plus.
        let secret = "SECa1b2c3d4e5f6anxin"
        XCTAssertEqual(
            DingTalkSignature.sign(timestamp: 1_795_000_000_003, secret: secret),
            "jCxXCoxyzvTxZOweNGuG/e7WBW6M+gK/Mq/mb98tuok=")
        XCTAssertEqual(
            DingTalkSignature.signedURL(
                "https://oapi.dingtalk.com/robot/send?access_token=abc", timestamp: 1_795_000_000_003, secret: secret),
            "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1795000000003"
                + "&sign=jCxXCoxyzvTxZOweNGuG%2Fe7WBW6M%2BgK%2FMq%2Fmb98tuok%3D")
        XCTAssertEqual(
            DingTalkSignature.signedURL("http://robot.local/send", timestamp: 1_795_000_000_000, secret: secret),
            "http://robot.local/send?timestamp=1795000000000&sign=RPZJEc0Tuu%2BjKtMCo8E8x7I2MO8SodH4vHjPRRzSQHg%3D")
    }

    func testWebhookBodyCarriesTheAlertFields() {
        let expected =
            #"{"alert_id":"A-1","gateway_id":"jn-01","rule":"sos","severity":"critical","#
            + #""summary":"张桂兰 3号楼302室 SOS 呼叫","resident":{"name":"张桂兰","room":"3号楼302室","#
            + #""bed":"JN-KY-03-0302-1"},"step":0,"reminder":2,"opened_at":"2026-11-22T08:16:12+08:00","#
            + #""board_url":"http://10.0.0.5:8349/board/#/alerts/A-1"}"#
        XCTAssertEqual(String(decoding: WebhookNoticeBody.render(Fixture.notice()), as: UTF8.self), expected)
        let anonymous = String(
            decoding: WebhookNoticeBody.render(Fixture.notice(resident: .init(name: "李\"明\"\n"))), as: UTF8.self)
        XCTAssertTrue(anonymous.contains(#""resident":{"name":"李\"明\"\n","room":null,"bed":null}"#), anonymous)
    }

    func testNoticeOutboxRow() {
        let item = Fixture.notice(step: 1, reminder: 3).outboxItem(
            channel: "dingtalk-sup", format: .dingtalk, createdAt: 42)
        XCTAssertEqual(item.id, "A-1/1/3/dingtalk-sup")
        XCTAssertEqual(item.channel, "dingtalk-sup")
        XCTAssertEqual(item.kind, .notice)
        XCTAssertEqual(item.priority, 0)
        XCTAssertEqual(item.createdAt, 42)
        XCTAssertEqual(item.nextAttemptAt, 42)
        XCTAssertEqual(item.body, DingTalkMessage.render(Fixture.notice(step: 1, reminder: 3)))
        XCTAssertEqual(NoticeFormat.webhook.render(Fixture.notice()), WebhookNoticeBody.render(Fixture.notice()))
    }
}
