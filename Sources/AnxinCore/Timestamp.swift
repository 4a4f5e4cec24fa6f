/// Calendar arithmetic on epoch milliseconds without Foundation's formatters (hot path safe).
public enum Timestamp {
    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    @inlinable
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    @inlinable
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Epoch milliseconds of a civil date and time at a fixed UTC offset (seconds east of UTC).
    /// Returns nil when a field is out of range.
    @inlinable
    public static func millis(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int = 0,
        utcOffsetSeconds: Int = 0
    ) -> EpochMillis? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...60).contains(second), (0...999).contains(millisecond)
        else { return nil }
        let dim = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= dim else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = days * 86400 + hour * 3600 + minute * 60 + second - utcOffsetSeconds
        return EpochMillis(secs) * 1000 + EpochMillis(millisecond)
    }

    @inlinable
    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    /// `2026-11-22T00:15:30Z`, or `…30.123Z` when the milliseconds are not zero.
    public static func iso8601(_ ms: EpochMillis) -> String {
        iso8601(ms, utcOffsetSeconds: 0)
    }

    /// ISO 8601 at a fixed offset: `2026-11-22T08:16:12+08:00` (`Z` for offset 0).
    public static func iso8601(_ ms: EpochMillis, utcOffsetSeconds off: Int) -> String {
        let local = ms + EpochMillis(off) * 1000
        var secs = local / 1000
        var frac = Int(local % 1000)
        if frac < 0 {
            frac += 1000
            secs -= 1
        }
        var days = Int(secs / 86400)
        var rem = Int(secs % 86400)
        if rem < 0 {
            rem += 86400
            days -= 1
        }
        let (y, m, d) = civilFromDays(days)
        var s = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        s += pad(rem / 3600, 2) + ":" + pad(rem / 60 % 60, 2) + ":" + pad(rem % 60, 2)
        if frac != 0 { s += "." + pad(frac, 3) }
        if off == 0 {
            s += "Z"
        } else {
            let a = abs(off)
            s += (off < 0 ? "-" : "+") + pad(a / 3600, 2) + ":" + pad(a / 60 % 60, 2)
        }
        return s
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` or a bare date `YYYY-MM-DD` (UTC).
    public static func parseISO8601(_ text: String) -> EpochMillis? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ n: Int) -> Int? {
            guard from + n <= b.count else { return nil }
            var v = 0
            for i in from..<(from + n) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0, 4), b.count >= 10, b[4] == 45, let mo = num(5, 2), b[7] == 45,
            let d = num(8, 2)
        else { return nil }
        if b.count == 10 { return millis(year: y, month: mo, day: d, hour: 0, minute: 0, second: 0) }
        guard b.count >= 19, b[10] == 84 || b[10] == 32, let h = num(11, 2), b[13] == 58,
            let mi = num(14, 2), b[16] == 58, let s = num(17, 2)
        else { return nil }
        var i = 19
        var ms = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { ms = ms * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<3 where digits < 3 { ms *= 10 }
        }
        var off = 0
        if i == b.count {
            off = 0
        } else if b[i] == 90, i + 1 == b.count {
            off = 0
        } else if b[i] == 43 || b[i] == 45, let oh = num(i + 1, 2), b.count == i + 6, b[i + 3] == 58,
            let om = num(i + 4, 2)
        {
            off = (oh * 3600 + om * 60) * (b[i] == 45 ? -1 : 1)
        } else {
            return nil
        }
        return millis(
            year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: ms,
            utcOffsetSeconds: off)
    }

    @usableFromInline
    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
