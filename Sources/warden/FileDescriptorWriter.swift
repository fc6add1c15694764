import Glibc

/// Writes whole buffers to a file descriptor, retrying short writes and EINTR.
struct FileDescriptorWriter: Sendable {
    let fd: Int32

    static let standardOutput = FileDescriptorWriter(fd: 1)
    static let standardError = FileDescriptorWriter(fd: 2)

    func write(_ text: String) { write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            offset += count
        }
    }
}

/// Reads a whole file as UTF-8 text (invalid bytes replaced); `nil` when it cannot be read.
func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return readAll(fd: fd)
}

func readAll(fd: Int32) -> String? {
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        if count < 0 { return nil }
        if count == 0 { break }
        data += buffer[..<count]
    }
    return String(decoding: data, as: UTF8.self)
}
