import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

@testable import WardenMCP

/// The libFuzzer entry point for every parser the network reaches (`make fuzz`): the first
/// byte of an input picks the parser, the rest is what it reads.
///
/// - 0: a POSTed JSON-RPC body (`JSONRPCBody.parse`: the JSON parser, then each message's
///   classification), checked against its own invariants;
/// - 1: an `Accept` and a `Content-Type` header (`MediaRanges`), split at the first newline;
/// - 2: a request head for the request guard and the router's path table: the method, the
///   path and `Name: value` header lines.
///
/// A crash, a trap, a hang past libFuzzer's timeout or a broken invariant (a precondition
/// here) is a finding. Built only with `WARDEN_FUZZ=1` (see Package.swift).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: count - 1))
    switch data[0] % 3 {
    case 0: body(input)
    case 1: mediaRanges(input)
    default: requestHead(input)
    }
    return 0
}

private func body(_ input: [UInt8]) {
    switch JSONRPCBody.parse(ByteBuffer(bytes: input), configuration: configuration) {
    case .success(let body):
        precondition(!body.messages.isEmpty, "an accepted body has a message")
        precondition(JSONParser.parse(input) != nil, "an accepted body is JSON")
    case .failure(let refusal):
        precondition(refusal.response.status.code >= 400, "a refusal is an error status")
    }
}

private func mediaRanges(_ input: [UInt8]) {
    let text = String(decoding: input, as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    let accept = parts[0]
    let type = parts.count > 1 ? parts[1] : ""
    _ = MediaRanges.accept(accept, admits: "application/json")
    _ = MediaRanges.accept(accept, admits: "text/event-stream")
    if MediaRanges.contentType(type, is: "application/json") {
        precondition(type.lowercased().contains("application/json"), "a matched type names it")
    }
}

/// The server's defaults, with a token so the guard's token check is fuzzed too.
private let configuration: ServerConfiguration = {
    var configuration = ServerConfiguration()
    configuration.token = "fuzz-token"
    return configuration
}()

private let requestGuard = RequestGuard(configuration: configuration, port: BoundPort(8080))

private func requestHead(_ input: [UInt8]) {
    var lines = String(decoding: input, as: UTF8.self).split(separator: "\n").map(String.init)
    guard lines.count >= 2 else { return }
    let method = HTTPRequest.Method(lines.removeFirst()) ?? .get
    let path = lines.removeFirst()
    var fields = HTTPFields()
    var authority: String?
    for line in lines {
        guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else { continue }
        let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        // As HTTP/1 decoding does: the Host line becomes the authority.
        if name.canonicalName == "host" {
            authority = authority ?? value
        }
        fields.append(HTTPField(name: name, value: value))
    }
    let head = HTTPRequest(method: method, scheme: "http", authority: authority, path: path, headerFields: fields)
    let request = Request(head: head, body: RequestBody(buffer: ByteBuffer()))
    if requestGuard.refusal(for: request) == nil {
        let presented = fields[.authorization] == "Bearer fuzz-token"
        precondition(presented || request.uri.path == "/healthz", "no token, no entry")
    }
    var routed = request.uri.path
    if routed.count > 1, routed.hasSuffix("/") { routed.removeLast() }
    _ = WardenResponder.methods[routed]
}

/// libFuzzer's driver, from its runtime (`-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ body: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// The executable's entry: SwiftPM links an executable target's `main` to `<module>_main`, so
/// this starts libFuzzer's driver in place of libFuzzer's own `main`.
@_cdecl("warden_fuzz_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
