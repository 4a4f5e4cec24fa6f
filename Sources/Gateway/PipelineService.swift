import Foundation
import Ingest
import Logging
import ServiceLifecycle

/// Runs the MQTT ingest and the pipeline thread; on graceful shutdown stops taking
/// messages first, then lets the pipeline commit everything in hand.
struct PipelineService: Service {
    let pipeline: Pipeline
    let ingest: MQTTIngest
    let logger: Logger

    func run() async throws {
        pipeline.start()
        do {
            try ingest.start()
        } catch {
            logger.critical("cannot start MQTT ingest", metadata: ["error": "\(error)"])
            await stopPipeline()
            throw error
        }
        try? await gracefulShutdown()
        logger.info("stopping: no more messages taken; committing what is in hand")
        await Task.detached { ingest.stop() }.value
        await stopPipeline()
    }

    private func stopPipeline() async {
        let p = pipeline
        await Task.detached { p.stopAndWait() }.value
    }
}
