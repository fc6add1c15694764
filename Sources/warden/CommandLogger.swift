import Logging

/// The command-line logger: swift-log's stream handler on stderr.
enum CommandLogger {
    static func make(level: Logger.Level) -> Logger {
        var logger = Logger(label: "warden", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = level
        return logger
    }
}
