import AnxinCore

extension RegistryDraft {
    /// Checks what no single entry can check alone: resident ids and bed codes are
    /// unique, a bed has one resident, and a device is bound to one place only.
    func validate(into log: inout RegistryDiagnostics) {
        // Dense maps: a city's three tables held 25 MB as dictionaries, for a moment beside the
        // snapshot's own indexes being built (the peak of a reload that parses a changed registry).
        var residentLines = DenseStringMap<Int>()
        var bedOwners = DenseStringMap<Int>()
        var deviceLines = DenseStringMap<Int>()
        residentLines.reserveCapacity(residents.count)
        deviceLines.reserveCapacity(residents.count * 2)

        func bind(_ device: String, at line: Int, log: inout RegistryDiagnostics) {
            if let first = deviceLines[device] {
                log.report(line: line, "device is already bound at line \(first)")
            } else {
                deviceLines[device] = line
            }
        }

        bedOwners.reserveCapacity(residents.count)
        for i in residents.indices {
            let id = residents.id(at: i)
            let lines = residents.lines(at: i)
            if id.isEmpty {
                // already reported as missing
            } else if let first = residentLines[id] {
                log.report(line: lines.line, "duplicate resident id, first defined at line \(first)")
            } else {
                residentLines[id] = lines.line
            }
            if let bed = residents.bed(at: i) {
                if let first = bedOwners[bed] {
                    log.report(line: lines.bedLine, "bed is already assigned to the resident at line \(first)")
                } else {
                    bedOwners[bed] = lines.line
                }
            }
            for (device, line) in zip(residents.devices(at: i), lines.deviceLines) {
                bind(device, at: line, log: &log)
            }
        }

        var bedLines = DenseStringMap<Int>()
        bedLines.reserveCapacity(beds.count)
        for entry in beds {
            if entry.bed.code.isEmpty {
                // already reported as missing
            } else if let first = bedLines[entry.bed.code] {
                log.report(line: entry.line, "duplicate bed code, first defined at line \(first)")
            } else {
                bedLines[entry.bed.code] = entry.line
            }
            for (device, line) in zip(entry.bed.devices, entry.deviceLines) {
                bind(device, at: line, log: &log)
            }
        }
    }
}
