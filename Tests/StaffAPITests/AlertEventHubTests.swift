import AnxinCore
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import StaffAPI

final class AlertEventHubTests: XCTestCase {
    func testSubscriberGetsEachPublishedAlertAsAnSSEFrame() async throws {
        let hub = AlertEventHub()
        let subscription = hub.subscribe()
        XCTAssertEqual(hub.subscriberCount, 1)
        hub.publish(Ward.sos)
        hub.publish(Ward.heartRate)
        hub.close()
        var frames: [String] = []
        for await frame in subscription.frames { frames.append(frame) }
        XCTAssertEqual(
            frames,
            ["event: alert\ndata: " + Ward.sosJSON + "\n\n", "event: alert\ndata: " + Ward.heartRateJSON + "\n\n"])
        XCTAssertEqual(hub.subscriberCount, 0)
    }

    func testSlowSubscriberLosesOldestEventsAndPublisherNeverWaits() async throws {
        let hub = AlertEventHub(bufferLimit: 2)
        let slow = hub.subscribe()
        let ids = ["A-1", "A-2", "A-3", "A-4", "A-5"]
        for id in ids {
            var alert = Ward.sos
            alert.id = id
            hub.publish(alert)
        }
        XCTAssertEqual(hub.droppedEvents, 3)
        hub.close()
        var received: [String] = []
        for await frame in slow.frames {
            received.append(frame.contains(#""id":"A-4""#) ? "A-4" : frame.contains(#""id":"A-5""#) ? "A-5" : frame)
        }
        XCTAssertEqual(received, ["A-4", "A-5"])
    }

    func testClientThatLeavesIsUnsubscribedAndClosedHubRefusesNewSubscribers() async throws {
        let hub = AlertEventHub()
        let gone = hub.subscribe()
        gone.finish()
        XCTAssertEqual(hub.subscriberCount, 0)
        hub.close()
        let late = hub.subscribe()
        hub.publish(Ward.sos)
        var frames: [String] = []
        for await frame in late.frames { frames.append(frame) }
        XCTAssertEqual(frames, [])
        XCTAssertEqual(hub.subscriberCount, 0)
    }

    func testLiveEventStreamDeliversAPublishedAlert() async throws {
        let hub = AlertEventHub()
        try await staffApp(WardDataSource(), events: hub).test(.live) { client in
            async let stream = client.execute(uri: "/api/v1/events", method: .get)
            try await waitUntil("the stream to subscribe") { hub.subscriberCount == 1 }
            hub.publish(Ward.sos)
            hub.close()
            let r = try await stream
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.headers[.contentType], "text/event-stream; charset=utf-8")
            XCTAssertEqual(r.headers[.cacheControl], "no-cache")
            XCTAssertEqual(r.text, ": anxin alert stream\n\nevent: alert\ndata: " + Ward.sosJSON + "\n\n")
        }
    }
}
