import AnxinCore
import Delivery
import Dispatch
import Ingest
import Synchronization

/// Staff notices for an `mqtt` channel: the generic JSON notice published at QoS 1 to the
/// channel's topic on the gateway's broker, delivered once the broker acknowledges it.
///
/// Notices are rare (alerts, not readings), so one publisher connection is kept and reopened
/// after any failure; the blocking libmosquitto calls run off the concurrency pool.
final class MQTTNoticeTransport: DeliveryTransport, Sendable {
    let topic: String
    let settings: MQTTSettings
    private let queue: DispatchQueue
    private let publisher = Mutex<PublisherBox?>(nil)

    /// Owns a publisher; only ever touched on `queue`.
    final class PublisherBox: @unchecked Sendable {
        let publisher: MQTTPublisher
        init(_ p: MQTTPublisher) { publisher = p }
    }

    init(channel: String, topic: String, settings: MQTTSettings) {
        self.topic = topic
        self.settings = settings
        queue = DispatchQueue(label: "anxin-notify-\(channel)")
    }

    func deliver(_ item: PendingDelivery) async -> DeliveryResult {
        await withCheckedContinuation { cont in
            queue.async { cont.resume(returning: self.publish(item.body)) }
        }
    }

    private func publish(_ body: [UInt8]) -> DeliveryResult {
        do {
            let box: PublisherBox
            if let open = publisher.withLock({ $0 }) {
                box = open
            } else {
                box = PublisherBox(
                    try MQTTPublisher(
                        host: settings.host, port: settings.port, clientID: settings.clientID + "-notify",
                        username: settings.username, password: settings.password, window: 16, timeoutMs: 5000))
                publisher.withLock { $0 = box }
            }
            try box.publisher.publish(topic: topic, payload: body, qos: 1)
            try box.publisher.flush(timeoutMs: 5000)
            return DeliveryResult(.accepted)
        } catch {
            publisher.withLock { $0 = nil }
            return DeliveryResult(.retry(afterMs: nil), reason: "mqtt: \(error)")
        }
    }
}
