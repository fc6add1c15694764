import Foundation
import Hummingbird
import WardenEngine

/// `GET /healthz`: liveness, version, the isolation layers in force and the interpreters.
struct HealthRoute: Sendable {
    let supervisor: Supervisor
    let registry: SessionRegistry

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in try await report() }
    }

    func report() async throws -> Response {
        let host = supervisor.host
        var layers: [String: Any] = [:]
        for layer in host.layers.layers {
            layers[layer.name] = ["available": layer.available, "required": layer.required, "detail": layer.detail]
        }
        var interpreters: [String: Any] = [:]
        for (language, interpreter) in host.catalog.interpreters {
            interpreters[language.rawValue] = ["path": interpreter.path, "version": interpreter.version]
        }
        let healthy = host.layers.missingRequired.isEmpty
        let body: [String: Any] = [
            "status": healthy ? "ok" : "degraded",
            "version": WardenVersion.current,
            "layers": layers,
            "interpreters": interpreters,
            "sessions": await registry.count,
            "running": await supervisor.runningCount,
        ]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return Response(
            status: healthy ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
