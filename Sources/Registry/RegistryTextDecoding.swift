#if canImport(Glibc)
    import Glibc
#endif

/// Turns a spreadsheet export into text. Excel writes "CSV UTF-8" with a byte order
/// mark, and plain "CSV" on a Chinese Windows in the ANSI code page (GBK, which GB18030
/// contains). Valid UTF-8 is taken as UTF-8; anything else is decoded as GB18030.
enum RegistryTextDecoding {
    static func decodeSpreadsheet(_ bytes: [UInt8], log: inout RegistryDiagnostics) -> String? {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) { return text }
        switch transcode(Array(body), from: "GB18030", to: "UTF-8") {
        case .success(let utf8):
            let text = String(decoding: utf8, as: UTF8.self)
            return text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        case .failure(let failure):
            let line = 1 + body.prefix(failure.byteOffset).lazy.filter { $0 == 0x0A }.count
            log.report(line: line, "neither UTF-8 nor GB18030 text (invalid byte sequence)")
            return nil
        }
    }

    struct TranscodeFailure: Error {
        /// Offset in the input of the first byte that could not be converted.
        var byteOffset: Int
    }

    /// Converts bytes between encodings with the C library's iconv. The output is whole:
    /// an invalid or truncated input sequence is a failure, never silently replaced.
    static func transcode(
        _ input: [UInt8], from source: String, to target: String
    ) -> Result<[UInt8], TranscodeFailure> {
        if input.isEmpty { return .success([]) }
        let cd = iconv_open(target, source)
        guard let cd, cd != iconv_t(bitPattern: -1) else { return .failure(TranscodeFailure(byteOffset: 0)) }
        defer { iconv_close(cd) }
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var inCopy = input
        var produced = 0
        var consumed = 0
        while true {
            let (status, code, inLeft, outLeft) = inCopy.withUnsafeMutableBufferPointer { inBuf in
                output.withUnsafeMutableBufferPointer { outBuf in
                    var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!)
                        .advanced(by: consumed).assumingMemoryBound(to: CChar.self)
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!)
                        .advanced(by: produced).assumingMemoryBound(to: CChar.self)
                    var inLeft = inBuf.count - consumed
                    var outLeft = outBuf.count - produced
                    let status = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    return (status, errno, inLeft, outLeft)
                }
            }
            consumed = input.count - inLeft
            produced = output.count - outLeft
            if status != -1 {
                return .success(Array(output[..<produced]))
            }
            if code == E2BIG {
                output.append(contentsOf: repeatElement(0, count: output.count))
                continue
            }
            return .failure(TranscodeFailure(byteOffset: consumed))
        }
    }
}
