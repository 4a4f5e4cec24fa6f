import HTTPTypes
import Hummingbird

extension StaffRoutes {
    /// `GET /api/v1/events`: Server-Sent Events, one `event: alert` per alert change, a comment
    /// every `keepAliveInterval` while idle. Ends when the client leaves or the hub closes.
    func eventStream() -> Response {
        let subscription = events.subscribe()
        let interval = keepAliveInterval
        let body = ResponseBody { writer in
            let keepAlive = Task {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { return }
                    subscription.sendKeepAlive()
                }
            }
            defer {
                keepAlive.cancel()
                subscription.finish()
            }
            var buffer = ByteBuffer()
            buffer.writeString(": anxin alert stream\n\n")
            try await writer.write(buffer)
            for await frame in subscription.frames {
                buffer.clear()
                buffer.writeString(frame)
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream; charset=utf-8",
                .cacheControl: "no-cache",
                HTTPField.Name("X-Accel-Buffering")!: "no",
            ],
            body: body)
    }
}
