import Foundation
import Refusals

/// A config file that cannot be used: the file, the key and the reason.
public struct ConfigError: Refusal, Equatable {
    public enum Code: String, Sendable { case invalid }
    public static let area = "config"
    public var code: Code { .invalid }
    public var kind: RefusalKind { .invalid }

    public let file: String
    public let key: String?
    public let reason: String

    public init(file: String, key: String?, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String {
        key.map { "config \(file): key \($0): \(reason)" } ?? "config \(file): \(reason)"
    }
}

/// Reads a JSON config strictly: every key must be known, every value of the right type and range.
/// Sections are read with `section(_:keys:)`; whatever is left unread is reported as unknown.
public final class ConfigReader {
    public let file: String
    private let root: [String: Any]
    private var known: Set<String> = []

    public init(path: String) throws {
        file = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, key: nil, reason: "cannot be read: check the path and permissions")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
            throw ConfigError(file: path, key: nil, reason: "is not a JSON object: see config/ for a commented example")
        }
        root = dict
    }

    /// A number at `section.key`, or nil when absent; throws when present but wrong or out of range.
    public func number(_ section: String, _ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let v = try numeric(section, key) else { return nil }
        guard range.contains(v) else {
            throw ConfigError(
                file: file, key: "\(section).\(key)",
                reason: "\(v) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// A whole number at `section.key`, or nil when absent; a fraction (`2.5`) is refused rather
    /// than truncated, as is a boolean.
    public func integer(_ section: String, _ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let v = try numeric(section, key) else { return nil }
        guard v.rounded(.towardZero) == v, let whole = Int(exactly: v) else {
            throw ConfigError(file: file, key: "\(section).\(key)", reason: "must be a whole number, got \(v)")
        }
        guard range.contains(whole) else {
            throw ConfigError(
                file: file, key: "\(section).\(key)",
                reason: "\(whole) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return whole
    }

    private func numeric(_ section: String, _ key: String) throws -> Double? {
        guard let raw = try value(section, key) else { return nil }
        // JSONSerialization gives booleans as NSNumber of ObjC type "c"; they are not numbers here.
        guard let value = raw as? NSNumber, String(cString: value.objCType) != "c" else {
            throw ConfigError(file: file, key: "\(section).\(key)", reason: "must be a number, got \(raw)")
        }
        return value.doubleValue
    }

    /// `true` or `false` at `section.key`, or nil when absent; `0`, `1` and `"yes"` are refused.
    public func boolean(_ section: String, _ key: String) throws -> Bool? {
        guard let raw = try value(section, key) else { return nil }
        guard let value = raw as? NSNumber, String(cString: value.objCType) == "c" else {
            throw ConfigError(file: file, key: "\(section).\(key)", reason: "must be true or false, got \(raw)")
        }
        return value.boolValue
    }

    /// A non-empty string at `section.key`, or nil when absent.
    public func string(_ section: String, _ key: String) throws -> String? {
        guard let raw = try value(section, key) else { return nil }
        guard let text = raw as? String, !text.isEmpty else {
            throw ConfigError(file: file, key: "\(section).\(key)", reason: "must be a non-empty string")
        }
        return text
    }

    /// A ZeroMQ endpoint at `section.key` (`tcp://host:port` or `ipc:///path`), or nil when absent;
    /// checked here so that a typo is named at start-up rather than failing inside libzmq.
    public func endpoint(_ section: String, _ key: String) throws -> String? {
        guard let text = try string(section, key) else { return nil }
        let fail = ConfigError(
            file: file, key: "\(section).\(key)",
            reason: "must be tcp://HOST:PORT (port 1-65535) or ipc:///PATH, got \(text)")
        if text.hasPrefix("ipc://") {
            guard text.count > 6 else { throw fail }
            return text
        }
        guard text.hasPrefix("tcp://"), let colon = text.lastIndex(of: ":"),
            colon > text.index(text.startIndex, offsetBy: 6),
            let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
        else { throw fail }
        return text
    }

    /// A list of non-empty strings at `section.key`, or nil when absent.
    public func strings(_ section: String, _ key: String) throws -> [String]? {
        guard let raw = try value(section, key) else { return nil }
        guard let list = raw as? [Any], let texts = list as? [String], texts.allSatisfy({ !$0.isEmpty }) else {
            throw ConfigError(file: file, key: "\(section).\(key)", reason: "must be a list of non-empty strings")
        }
        return texts
    }

    /// A list of objects at `section.key`, each with exactly `fields`, all non-empty strings; nil when absent.
    public func objects(_ section: String, _ key: String, fields: [String]) throws -> [[String: String]]? {
        guard let raw = try value(section, key) else { return nil }
        let shape = "must be a list of objects with the keys \(fields.joined(separator: ", ")) (non-empty strings)"
        guard let list = raw as? [Any] else { throw ConfigError(file: file, key: "\(section).\(key)", reason: shape) }
        return try list.enumerated().map { index, item in
            guard let object = item as? [String: Any], Set(object.keys) == Set(fields),
                let texts = object as? [String: String], texts.values.allSatisfy({ !$0.isEmpty })
            else {
                throw ConfigError(file: file, key: "\(section).\(key)[\(index)]", reason: shape)
            }
            return texts
        }
    }

    private func value(_ section: String, _ key: String) throws -> Any? {
        known.insert("\(section).\(key)")
        guard let group = root[section] else { return nil }
        guard let dict = group as? [String: Any] else {
            throw ConfigError(file: file, key: section, reason: "must be an object of settings")
        }
        return dict[key]
    }

    /// Whether the file has this section at all.
    public func hasSection(_ section: String) -> Bool { root[section] != nil }

    /// Throws for any key that no reader asked for: a typo must not silently fall back to a default.
    public func rejectUnknownKeys() throws {
        for (section, group) in root.sorted(by: { $0.key < $1.key }) {
            guard let dict = group as? [String: Any] else {
                throw ConfigError(file: file, key: section, reason: "is not a known section")
            }
            for key in dict.keys.sorted() where !known.contains("\(section).\(key)") {
                let sections = Set(known.map { $0.split(separator: ".")[0] })
                let why = sections.contains(Substring(section)) ? "is not a known key" : "is not a known section"
                throw ConfigError(
                    file: file, key: sections.contains(Substring(section)) ? "\(section).\(key)" : section, reason: why)
            }
        }
    }
}
