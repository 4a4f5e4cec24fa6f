/// One step of a JSON path: an object key, an array index `[N]`, or every element `[]`.
enum PathStep: Hashable, Sendable {
    case key(String)
    case index(Int)
    case each
}

/// The JSON path syntax of profiles: `bloodPressure.bp_sys`, `params.HeartRate.value`,
/// `data[].timestamp` (every element of `data`), `records[0].sn` (the first element).
enum JSONPath {
    static func parse(_ text: String) -> Result<[PathStep], PathError> {
        guard !text.isEmpty else { return .failure(PathError("empty JSON path")) }
        var steps: [PathStep] = []
        let segments = text.split(separator: ".", omittingEmptySubsequences: false)
        for (n, segment) in segments.enumerated() {
            guard !segment.isEmpty else {
                return .failure(PathError("JSON path '\(text)' has an empty segment"))
            }
            let bracket = segment.firstIndex(of: "[") ?? segment.endIndex
            let name = segment[..<bracket]
            if name.contains("]") {
                return .failure(PathError("JSON path '\(text)' has a ']' without '['"))
            }
            if name.isEmpty && n > 0 {
                return .failure(PathError("JSON path '\(text)': '[…]' must follow a key"))
            }
            if !name.isEmpty { steps.append(.key(String(name))) }
            var rest = segment[bracket...]
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]") else {
                    return .failure(PathError("JSON path '\(text)' has an unclosed '['"))
                }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if inside.isEmpty {
                    steps.append(.each)
                } else if inside.allSatisfy({ $0.isASCII && $0.isNumber }), let k = Int(inside), k < 1_000_000 {
                    steps.append(.index(k))
                } else {
                    return .failure(
                        PathError("JSON path '\(text)': '[\(inside)]' is neither '[]' nor an index like '[0]'"))
                }
                rest = rest[rest.index(after: close)...]
            }
        }
        if steps.filter({ $0 == .each }).count > 1 {
            return .failure(PathError("JSON path '\(text)' iterates more than one array ('[]')"))
        }
        return .success(steps)
    }

    struct PathError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }
}
