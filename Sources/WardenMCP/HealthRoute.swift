import Foundation
import Hummingbird
import MCP
import WardenEngine

/// `GET /healthz`: liveness, version, the isolation layers in force and the interpreters.
final class HealthRoute: Sendable {
    let supervisor: Supervisor
    let registry: SessionRegistry

    init(supervisor: Supervisor, registry: SessionRegistry) {
        self.supervisor = supervisor
        self.registry = registry
    }

    @inline(never) func report() async throws -> Response {
        let host = supervisor.host
        var layers: [String: Value] = [:]
        for layer in host.layers.layers {
            layers[layer.name] = [
                "available": .bool(layer.available), "required": .bool(layer.required), "detail": .string(layer.detail),
            ]
        }
        var interpreters: [String: Value] = [:]
        for (language, interpreter) in host.catalog.interpreters {
            interpreters[language.rawValue] = [
                "path": .string(interpreter.path), "version": .string(interpreter.version),
            ]
        }
        let healthy = host.layers.missingRequired.isEmpty
        let body: Value = [
            "status": .string(healthy ? "ok" : "degraded"),
            "version": .string(WardenVersion.current),
            "layers": .object(layers),
            "interpreters": .object(interpreters),
            "sessions": .int(await registry.count),
            "running": .int(await supervisor.runningCount),
        ]
        // Written by hand: JSONSerialization's sorted keys compare through ICU, whose tables
        // (megabytes) would otherwise become resident at the first health check.
        let data = Array((ToolResultJSON.json(body) ?? "{}").utf8)
        return Response(
            status: healthy ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
