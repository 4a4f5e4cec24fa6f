import AnxinCore
import Delivery
import Rules
import Store

extension Pipeline {
    /// Incidents carry the vitals and fix of the last 15 minutes (SPEC 7).
    static let incidentWindowMs: EpochMillis = 15 * 60 * 1000

    /// Writes one rule decision inside the open transaction. Returns true when an incident
    /// was queued for the hotline.
    func apply(_ d: Decision, now: EpochMillis) throws -> Bool {
        switch d.action {
        case .open:
            var rec = AlertRecord(
                id: d.alertID, rule: d.rule, severity: d.severity, residentID: d.residentID, device: d.device,
                triggerJSON: Self.triggerJSON(d.trigger), occurredAt: d.occurredAt, openedAt: now, updatedAt: now)
            let silence =
                runtime.rules.canSilence(rule: d.rule)
                ? silences.covering(rule: d.rule, residentID: d.residentID, device: d.device, at: now) : nil
            rec.silenceID = silence?.id
            try store.insertAlert(rec)
            try store.addHistory(alertID: d.alertID, at: now, action: .opened, by: "rules", detail: rec.triggerJSON)
            metrics.countAlertOpened(rule: d.rule, severity: d.severity)
            // Ids and rule only: names, phones and payloads never reach the log.
            logger.notice(
                "alert opened",
                metadata: [
                    "alert": "\(d.alertID)", "rule": "\(d.rule)", "severity": "\(d.severity.name)",
                    "hotline": "\(d.toHotline)", "silenced": "\(silence != nil)",
                ])
            if let silence {
                // Recorded and shown, but nobody is told and it never escalates.
                _ = engine.silence(alertID: d.alertID)
                try store.addHistory(
                    alertID: d.alertID, at: now, action: .silenced, by: silence.createdBy, note: silence.reason,
                    detail: "\(silence.scope.rawValue):\(silence.target)")
                return false
            }
            if d.toHotline { return try queueIncident(d, now: now) }
        case .update:
            guard var rec = try store.alert(id: d.alertID) else { return false }
            rec.updatedAt = now
            rec.triggerJSON = Self.triggerJSON(d.trigger)
            _ = try store.updateAlert(rec)
            try store.addHistory(alertID: d.alertID, at: now, action: .updated, by: "rules", detail: rec.triggerJSON)
            if d.toHotline, rec.incidentID == nil { return try queueIncident(d, now: now) }
        case .resolve:
            _ = try store.resolveAlert(id: d.alertID, by: "rules", note: "condition cleared", at: now)
        case .escalate:
            guard var rec = try store.alert(id: d.alertID), rec.state != .resolved, rec.silenceID == nil else {
                return false
            }
            return try escalate(d, &rec, now: now)
        }
        return false
    }

    /// One escalation step (or a reminder of it): the hotline gets its incident if it has none,
    /// every channel of each named group gets a notice through the outbox, and the alert's history
    /// says who was told.
    private func escalate(_ d: Decision, _ rec: inout AlertRecord, now: EpochMillis) throws -> Bool {
        let step = d.step ?? 0
        if d.reminder == 0 {
            rec.escalationStep = max(rec.escalationStep, step + 1)
            if step > 0 { rec.escalatedAt = now }
        }
        rec.updatedAt = now
        _ = try store.updateAlert(rec)
        var queued = false
        var told: [String] = []
        var content: NoticeContent?
        for target in d.targets {
            if target == EscalationStep.hotline {
                told.append("12349")
                if rec.incidentID == nil { queued = try queueIncident(d, now: now) || queued }
                continue
            }
            let channels = config.notify.channels(ofGroup: target)
            told.append(channels.isEmpty ? target : target + "(" + channels.map(\.name).joined(separator: ",") + ")")
            for ch in channels {
                if content == nil { content = noticeContent(d, rec) }
                if let content {
                    try store.enqueue(content.outboxItem(channel: ch.name, format: ch.noticeFormat, createdAt: now))
                    notices += 1
                }
            }
        }
        try store.addHistory(
            alertID: d.alertID, at: now, action: step > 0 && d.reminder == 0 ? .escalated : .notified, by: "rules",
            note: d.reminder > 0 ? "reminder \(d.reminder)" : "step \(step + 1)", detail: told.joined(separator: " "))
        return queued
    }

    private func noticeContent(_ d: Decision, _ rec: AlertRecord) -> NoticeContent {
        let registry = runtime.registry
        let resident = d.residentID.flatMap { registry.resident(id: $0) }
        return NoticeContent(
            alertID: d.alertID, gatewayID: config.gatewayID, rule: d.rule, severity: d.severity,
            summary: Self.summary(rule: d.rule, resident: resident, device: d.device, trigger: d.trigger),
            resident: resident.map { .init(name: $0.name, room: $0.room, bed: $0.bed) }, step: d.step ?? 0,
            reminder: d.reminder, boardURL: config.http.boardBaseURL + "/board/#/alert/" + d.alertID,
            openedAt: rec.openedAt, utcOffsetSeconds: config.utcOffsetSeconds)
    }

    /// Builds the incident body once (it is never regenerated, so every retry is identical)
    /// and writes it to the outbox in the same transaction as its alert.
    private func queueIncident(_ d: Decision, now: EpochMillis) throws -> Bool {
        let registry = runtime.registry
        let index = d.residentID.flatMap { registry.residentIndex[$0] }
        let resident = index.map { registry.residents[$0] }
        let recent = index.map { latest[$0] } ?? latestUnbound[d.device]
        // The device row is written earlier in this same transaction.
        let profile = (try store.device(d.device))?.profile ?? "unknown"
        var bedCode = resident?.bed
        if let code = registry.bedCode(forDevice: d.device) { bedCode = code }
        let draft = IncidentDraft(
            id: "\(config.gatewayID)-\(d.alertID)", gatewayID: config.gatewayID, rule: d.rule, severity: d.severity,
            occurredAt: d.occurredAt, utcOffsetSeconds: config.utcOffsetSeconds,
            trigger: Self.incidentTrigger(d.trigger),
            summary: Self.summary(rule: d.rule, resident: resident, device: d.device, trigger: d.trigger),
            resident: resident, bedCode: bedCode, room: resident?.room,
            device: .init(id: d.device, profile: profile, registered: resident != nil, sim: resident?.sims[d.device]),
            location: recent?.recentLocation(now: d.occurredAt, window: Self.incidentWindowMs).map {
                .init($0.0, at: $0.1)
            },
            vitals: (recent?.recent(now: d.occurredAt, window: Self.incidentWindowMs, in: latestPool) ?? []).map {
                .init($0.0, $0.1, at: $0.2)
            })
        let item = OutboxItem(
            id: draft.id, alertID: d.alertID, priority: Int(d.severity.rawValue), body: IncidentBody.render(draft),
            createdAt: now)
        return try store.enqueue(item)
    }

    static func incidentTrigger(_ t: Trigger) -> IncidentDraft.Trigger {
        switch t {
        case .event(let e): .event(e)
        case .reading(let k, let v): .reading(k, .number(v))
        case .location(let lat, let lon): .reading(.location, .location(Location(lat: lat, lon: lon)))
        case .silence, .outage: .event(.powerOff)
        }
    }

    static func triggerJSON(_ t: Trigger) -> String {
        switch t {
        case .event(let e): "{\"event\":\(JSONText.quote(e.name))}"
        case .reading(let k, let v): "{\"kind\":\(JSONText.quote(k.name)),\"value\":\(JSONText.number(v))}"
        case .location(let lat, let lon):
            "{\"kind\":\"location\",\"lat\":\(JSONText.number(lat)),\"lon\":\(JSONText.number(lon))}"
        case .silence(let minutes): "{\"silent_minutes\":\(minutes)}"
        case .outage(let devices): "{\"silent_devices\":\(devices)}"
        }
    }

    /// A one-line Chinese summary for the hotline operator: who, where, what.
    static func summary(rule: String, resident: Resident?, device: String, trigger: Trigger) -> String {
        let who = resident.map { [$0.name, $0.room].compactMap { $0 }.joined(separator: " ") } ?? "未登记设备 \(device)"
        let what: String
        switch rule {
        case "sos": what = "SOS 呼叫"
        case "fall": what = "跌倒报警"
        case "bp_crisis": what = "高血压危象"
        case "bp_high": what = "血压过高"
        case "bp_low": what = "血压过低"
        case "heart_rate_high": what = "心率持续过快"
        case "heart_rate_low": what = "心率持续过慢"
        case "spo2_critical": what = "血氧严重过低"
        case "spo2_low": what = "血氧过低"
        case "geofence_exit": what = "离开安全区域"
        case "bed_exit_night": what = "夜间离床未归"
        case "device_silent": what = "设备失联"
        case "ingest_outage": what = "大量设备同时失联"
        case "low_battery": what = "设备电量低"
        case "not_worn": what = "设备未佩戴"
        case "power_off": what = "设备关机"
        default: what = rule
        }
        var s = who + " " + what
        if case .reading(let k, let v) = trigger { s += " (\(k.name) \(JSONText.number(v)))" }
        return s
    }
}
