import AnxinCore
import StaffAPI
import Store
import Synchronization

/// Turns stored alerts into what staff see, joining the registry for names, beds and rooms.
final class AlertViews: Sendable {
    let store: Store
    let registry: Mutex<RegistrySnapshot>
    let utcOffsetSeconds: Int

    init(store: Store, registry: RegistrySnapshot, utcOffsetSeconds: Int) {
        self.store = store
        self.registry = Mutex(registry)
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    func view(alertID: String) -> AlertView? {
        guard let rec = try? store.alert(id: alertID) else { return nil }
        return view(rec)
    }

    func view(_ a: AlertRecord) -> AlertView {
        let resident = a.residentID.flatMap { id in registry.withLock { $0.resident(id: id) } }
        let profile = (try? store.device(a.device))??.profile ?? "unknown"
        func iso(_ t: EpochMillis?) -> String? { t.map { Timestamp.iso8601($0, utcOffsetSeconds: utcOffsetSeconds) } }
        return AlertView(
            id: a.id, rule: a.rule, severity: a.severity, state: a.state,
            resident: resident.map {
                ResidentRef(id: $0.id, name: $0.name, bed: $0.bed, room: $0.room, careLevel: $0.careLevel)
            },
            device: a.device.isEmpty || a.device == "*" ? nil : DeviceRef(id: a.device, profile: profile),
            trigger: a.triggerJSON,
            openedAt: iso(a.openedAt)!, updatedAt: iso(a.updatedAt)!, acknowledgedAt: iso(a.acknowledgedAt),
            acknowledgedBy: a.acknowledgedBy, resolvedAt: iso(a.resolvedAt),
            incident: a.incidentID.map {
                IncidentRef(id: $0, state: a.incidentState?.rawValue ?? "pending", ticket: a.ticket)
            }, silenced: a.silenceID != nil, escalationStep: a.escalationStep, escalatedAt: iso(a.escalatedAt),
            cancelled: a.cancelled, hotlineStatus: a.hotlineStatus)
    }
}
