import Glibc

/// Why a file tool could not act, as a stable code and a sentence that says what to do.
public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case outsideWorkspace = "outside_workspace"
        case notFound = "not_found"
        case isDirectory = "is_directory"
        case notARegularFile = "not_a_regular_file"
        case tooLarge = "too_large"
        case quotaExceeded = "quota_exceeded"
        case exists
        case noMatch = "no_match"
        case ambiguousMatch = "ambiguous_match"
        case invalidPath = "invalid_path"
        case invalidEncoding = "invalid_encoding"
        case ioError = "io_error"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The error for a failed system call on `path`, by its errno.
    static func from(errno error: Int32, path: String) -> FileError {
        switch error {
        case EXDEV: return FileError(.outsideWorkspace, "\(path) leads outside the workspace")
        case ENOENT: return FileError(.notFound, "\(path) does not exist")
        case EISDIR: return FileError(.isDirectory, "\(path) is a directory")
        case ENOTDIR: return FileError(.notFound, "a parent of \(path) is not a directory")
        case ENOSPC, EDQUOT:
            return FileError(.quotaExceeded, "the workspace quota is full; delete files to make room")
        case EEXIST: return FileError(.exists, "\(path) already exists")
        case ENOTEMPTY: return FileError(.isDirectory, "\(path) is a non-empty directory")
        case ELOOP: return FileError(.notARegularFile, "\(path) is a symlink; file tools do not follow it")
        case ENAMETOOLONG: return FileError(.invalidPath, "\(path) is too long")
        case ENXIO, ENODEV, EACCES, EPERM:
            return FileError(.notARegularFile, "\(path) is not a regular file or cannot be opened")
        case EFBIG: return FileError(.tooLarge, "\(path) would exceed the largest file size")
        default: return FileError(.ioError, "\(path): \(String(cString: strerror(error)))")
        }
    }
}
