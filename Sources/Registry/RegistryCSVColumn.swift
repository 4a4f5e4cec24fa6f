/// The columns `anxin registry import` accepts, each by its English or Chinese header.
/// Every column but `id` and `name` may be left out. Lists (`flags`, `devices`,
/// `bed_devices`) are separated by `;` (or `；`, and `、` for flags).
enum RegistryCSVColumn: String, CaseIterable {
    case id, name, bed, room, address, phone
    case contactName = "contact_name"
    case contactRelation = "contact_relation"
    case contactPhone = "contact_phone"
    case careLevel = "care_level"
    case flags, devices
    case bedDevices = "bed_devices"
    case medicalNotes = "medical_notes"
    case keyHolderName = "key_holder_name"
    case keyHolderPhone = "key_holder_phone"
    case homeLat = "home_lat"
    case homeLon = "home_lon"
    case homeRadius = "home_radius_m"
    case homeDatum = "home_datum"

    /// The header as Chinese institutions write it.
    var chineseHeader: String {
        switch self {
        case .id: "编号"
        case .name: "姓名"
        case .bed: "床位码"
        case .room: "房间"
        case .address: "地址"
        case .phone: "电话"
        case .contactName: "联系人"
        case .contactRelation: "关系"
        case .contactPhone: "联系电话"
        case .careLevel: "护理等级"
        case .flags: "标记"
        case .devices: "设备"
        case .bedDevices: "床垫设备"
        case .medicalNotes: "病史备注"
        case .keyHolderName: "钥匙保管人"
        case .keyHolderPhone: "钥匙保管人电话"
        case .homeLat: "纬度"
        case .homeLon: "经度"
        case .homeRadius: "围栏半径"
        case .homeDatum: "坐标系"
        }
    }

    /// The column a header cell names: English case-insensitively, or Chinese.
    init?(header: String) {
        let h = header.trimmingWhitespace()
        if let c = RegistryCSVColumn(rawValue: h.lowercased()) {
            self = c
        } else if let c = RegistryCSVColumn.allCases.first(where: { $0.chineseHeader == h }) {
            self = c
        } else {
            return nil
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs, line breaks and ideographic spaces.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
