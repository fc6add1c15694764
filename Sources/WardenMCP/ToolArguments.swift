import MCP

/// Typed access to a tool call's arguments, refusing unknown names and wrong types with a
/// message that says what to fix.
struct ToolArguments {
    struct Invalid: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    private let values: [String: Value]

    init(_ values: [String: Value]?, accepted: [String]) throws(Invalid) {
        let values = values ?? [:]
        if let unknown = values.keys.sorted().first(where: { !accepted.contains($0) }) {
            throw Invalid("unknown argument '\(unknown)'; accepted: \(accepted.joined(separator: ", "))")
        }
        self.values = values
    }

    func string(_ name: String) throws(Invalid) -> String? {
        guard let value = values[name], value != .null else { return nil }
        guard case .string(let text) = value else { throw Invalid("'\(name)' must be a string") }
        return text
    }

    func requiredString(_ name: String) throws(Invalid) -> String {
        guard let text = try string(name) else { throw Invalid("'\(name)' is required and must be a string") }
        return text
    }

    func bool(_ name: String) throws(Invalid) -> Bool? {
        guard let value = values[name], value != .null else { return nil }
        guard case .bool(let flag) = value else { throw Invalid("'\(name)' must be true or false") }
        return flag
    }

    /// A whole number within `range` (a float with no fraction is accepted).
    func integer(_ name: String, in range: ClosedRange<Int>) throws(Invalid) -> Int? {
        guard let value = values[name], value != .null else { return nil }
        let number: Int?
        switch value {
        case .int(let whole): number = whole
        case .double(let real) where real.rounded() == real && abs(real) < 1e15: number = Int(real)
        default: number = nil
        }
        guard let number, range.contains(number) else {
            throw Invalid("'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func choice<T: RawRepresentable>(_ name: String, default fallback: T) throws(Invalid) -> T
    where T.RawValue == String, T: CaseIterable {
        guard let text = try string(name) else { return fallback }
        guard let parsed = T(rawValue: text) else {
            throw Invalid("'\(name)' must be one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }
}
