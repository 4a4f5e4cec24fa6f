import AnxinCore

/// Builds a registry draft from a spreadsheet's rows, one resident per row; a row's
/// `bed_devices` make a bed entry for its `bed`.
struct RegistryCSVReader {
    var log: RegistryDiagnostics

    init(log: RegistryDiagnostics) {
        self.log = log
    }

    mutating func read(_ text: String) -> RegistryDraft {
        var draft = RegistryDraft()
        var records: [CSVRecords.Record]
        do {
            records = try CSVRecords.parse(text)
        } catch {
            log.report(line: error.line, "a quoted field is never closed")
            return draft
        }
        records.removeAll { $0.fields.allSatisfy { $0.trimmingWhitespace().isEmpty } }
        if let first = records.first, first.fields.count == 1, first.fields[0].lowercased().hasPrefix("sep=") {
            records.removeFirst()  // Excel's separator hint line
        }
        guard let header = records.first else {
            log.report(line: 1, "no header row")
            return draft
        }
        guard let columns = columns(header) else { return draft }
        for record in records.dropFirst() {
            guard record.fields.count <= columns.count else {
                log.report(
                    line: record.line,
                    "the row has \(record.fields.count) fields but the header has \(columns.count)")
                continue
            }
            var row: [RegistryCSVColumn: String] = [:]
            for (column, value) in zip(columns, record.fields) {
                let v = value.trimmingWhitespace()
                if !v.isEmpty { row[column] = v }
            }
            resident(row, line: record.line, into: &draft)
        }
        return draft
    }

    private mutating func columns(_ header: CSVRecords.Record) -> [RegistryCSVColumn]? {
        var out: [RegistryCSVColumn] = []
        var ok = true
        for cell in header.fields {
            guard let c = RegistryCSVColumn(header: cell) else {
                let known = RegistryCSVColumn.allCases.map(\.rawValue).joined(separator: ", ")
                log.report(line: header.line, "unknown column '\(cell.trimmingWhitespace())' (known: \(known))")
                ok = false
                continue
            }
            if out.contains(c) {
                log.report(line: header.line, "column '\(c.rawValue)' appears twice")
                ok = false
            }
            out.append(c)
        }
        for required in [RegistryCSVColumn.id, .name] where !out.contains(required) {
            log.report(
                line: header.line, "the header needs a '\(required.rawValue)' (\(required.chineseHeader)) column")
            ok = false
        }
        return ok ? out : nil
    }

    private mutating func resident(_ row: [RegistryCSVColumn: String], line: Int, into draft: inout RegistryDraft) {
        var r = Resident(id: row[.id] ?? "", name: row[.name] ?? "")
        if row[.id] == nil { log.report(line: line, "id is empty") }
        if row[.name] == nil { log.report(line: line, "name is empty") }
        r.bed = row[.bed]
        r.room = row[.room]
        r.address = row[.address]
        r.medicalNotes = row[.medicalNotes]
        r.phone = phone(row[.phone], .phone, line: line)
        if let c = contact(name: row[.contactName], phone: row[.contactPhone], line: line, what: "contact") {
            r.contacts = [Contact(name: c.name, relation: row[.contactRelation], phone: c.phone)]
        } else if row[.contactRelation] != nil && row[.contactName] == nil {
            log.report(line: line, "contact_relation is given without contact_name")
        }
        r.keyHolder = contact(
            name: row[.keyHolderName], phone: row[.keyHolderPhone], line: line, what: "key_holder")
        if let level = row[.careLevel] {
            if let v = Int(level), (0...4).contains(v) {
                r.careLevel = v
            } else {
                log.report(line: line, "care_level must be a whole number from 0 to 4")
            }
        }
        r.flags = Self.split(row[.flags], separators: [";", "；", "、"])
        r.devices = devices(row[.devices], .devices, line: line)
        r.homeZone = homeZone(row, line: line)
        draft.residents.append(
            RegistryDraft.ResidentEntry(
                resident: r, line: line, bedLine: line, deviceLines: Array(repeating: line, count: r.devices.count)))

        let bedDevices = devices(row[.bedDevices], .bedDevices, line: line)
        if !bedDevices.isEmpty {
            if let code = r.bed {
                draft.beds.append(
                    RegistryDraft.BedEntry(
                        bed: Bed(code: code, room: r.room, devices: bedDevices), line: line,
                        deviceLines: Array(repeating: line, count: bedDevices.count)))
            } else {
                log.report(line: line, "bed_devices needs a bed code in the same row")
            }
        }
    }

    private mutating func contact(name: String?, phone: String?, line: Int, what: String) -> Contact? {
        switch (name, phone) {
        case (nil, nil):
            return nil
        case (let name?, let raw?):
            guard let number = self.phone(raw, what == "contact" ? .contactPhone : .keyHolderPhone, line: line)
            else { return nil }
            return Contact(name: name, phone: number)
        case (nil, _):
            log.report(line: line, "\(what) has a phone but no name")
            return nil
        case (_, nil):
            log.report(line: line, "\(what) has a name but no phone")
            return nil
        }
    }

    private mutating func phone(_ raw: String?, _ column: RegistryCSVColumn, line: Int) -> String? {
        guard let raw else { return nil }
        if Self.looksLikeExcelNumber(raw) {
            log.report(
                line: line,
                "\(column.rawValue) was shortened by the spreadsheet (like 1.38E+10); format the column as text and export again"
            )
            return nil
        }
        guard RegistryPhone.isPlausible(raw) else {
            log.report(line: line, "\(column.rawValue) must be digits, optionally with + - ( ) # , and spaces")
            return nil
        }
        return raw
    }

    private mutating func devices(_ raw: String?, _ column: RegistryCSVColumn, line: Int) -> [String] {
        var out: [String] = []
        for id in Self.split(raw, separators: [";", "；"]) {
            if Self.looksLikeExcelNumber(id) {
                log.report(
                    line: line,
                    "\(column.rawValue) was shortened by the spreadsheet (like 8.65E+14); format the column as text and export again"
                )
            } else if id.contains(where: \.isWhitespace) {
                log.report(line: line, "a device id in \(column.rawValue) contains a space")
            } else {
                out.append(id)
            }
        }
        return out
    }

    private mutating func homeZone(_ row: [RegistryCSVColumn: String], line: Int) -> HomeZone? {
        let given = [RegistryCSVColumn.homeLat, .homeLon, .homeRadius].filter { row[$0] != nil }
        if given.isEmpty {
            if row[.homeDatum] != nil {
                log.report(line: line, "home_datum is given without home_lat, home_lon, home_radius_m")
            }
            return nil
        }
        guard given.count == 3 else {
            log.report(line: line, "home_lat, home_lon and home_radius_m are needed together")
            return nil
        }
        var ok = true
        func number(_ c: RegistryCSVColumn, _ range: ClosedRange<Double>, log: inout RegistryDiagnostics) -> Double {
            guard let v = Double(row[c] ?? ""), range.contains(v) else {
                log.report(line: line, "\(c.rawValue) must be a number from \(range.lowerBound) to \(range.upperBound)")
                ok = false
                return 0
            }
            return v
        }
        let lat = number(.homeLat, -90...90, log: &log)
        let lon = number(.homeLon, -180...180, log: &log)
        let radius = number(.homeRadius, 0.001...1_000_000, log: &log)
        var datum = Datum.wgs84
        if let d = row[.homeDatum] {
            if let parsed = Datum(name: d.lowercased()) {
                datum = parsed
            } else {
                log.report(line: line, "home_datum must be one of wgs84, gcj02, bd09")
                ok = false
            }
        }
        guard ok else { return nil }
        let w = datum.toWGS84(lat: lat, lon: lon)
        return HomeZone(lat: w.lat, lon: w.lon, radiusM: radius)
    }

    static func split(_ raw: String?, separators: Set<Character>) -> [String] {
        guard let raw else { return [] }
        return raw.split(whereSeparator: { separators.contains($0) })
            .map { String($0).trimmingWhitespace() }
            .filter { !$0.isEmpty }
    }

    /// `8.65067E+14`: what a spreadsheet shows, and exports, for a long number in a
    /// column not formatted as text.
    static func looksLikeExcelNumber(_ s: String) -> Bool {
        let upper = s.uppercased()
        guard let e = upper.firstIndex(of: "E"), upper.contains(".") || upper.contains("+") else { return false }
        return Double(upper) != nil && upper[upper.index(after: e)...].allSatisfy { "+-0123456789".contains($0) }
    }
}
