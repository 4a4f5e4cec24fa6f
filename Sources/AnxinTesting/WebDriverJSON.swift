import Foundation

/// A JSON value as the WebDriver protocol carries it: script arguments and results, cookies,
/// capabilities. Codable both ways, so requests and answers go through `JSONEncoder`/`JSONDecoder`.
public enum WebDriverJSON: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([WebDriverJSON])
    case object([String: WebDriverJSON])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([WebDriverJSON].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: WebDriverJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The member `key` of an object, nil otherwise.
    public subscript(key: String) -> WebDriverJSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The text of a string value.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value of a number.
    public var doubleValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The value of a boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements of an array.
    public var arrayValue: [WebDriverJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

extension WebDriverJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: WebDriverJSON...) { self = .array(elements) }

    public init(dictionaryLiteral elements: (String, WebDriverJSON)...) {
        var o: [String: WebDriverJSON] = [:]
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}
