import Foundation
import Hummingbird

extension StaffRoutes {
    /// The request body as a JSON object's fields (at most `maxBodyBytes`; over it Hummingbird
    /// throws an error the middleware answers with 413).
    static func jsonObject(_ request: Request) async throws -> [String: JSONTree] {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBodyBytes)
        guard case .object(let fields)? = JSONTree.parse(String(buffer: buffer)) else {
            throw StaffAPIError.badRequest("body must be a JSON object")
        }
        return fields
    }

    /// An optional string field: absent or null is nil, anything but a string is 400.
    static func optionalString(_ fields: [String: JSONTree], _ key: String) throws -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw StaffAPIError.badRequest("\"\(key)\" must be a string")
        }
    }

    /// A path parameter with percent-escapes decoded (outbox ids hold `/`, sent as `%2F`).
    static func pathParameter(_ context: StaffRequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding, !decoded.isEmpty else {
            throw StaffAPIError.badRequest("malformed \(name)")
        }
        return decoded
    }

    /// Parses a `limit` query value: absent → `default`, else 1…`max`.
    static func limit(_ text: String?, default value: Int, max: Int) throws -> Int {
        guard let text else { return value }
        guard let n = Int(text), (1...max).contains(n) else {
            throw StaffAPIError.badRequest("limit must be 1 to \(max)")
        }
        return n
    }
}
