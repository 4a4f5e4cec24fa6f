/// The loose shape check applied to every phone number in a registry.
enum RegistryPhone {
    /// Digits with the usual separators and at least three digits; rejects what a
    /// spreadsheet makes of a long number (`1.38E+10`) and stray text.
    static func isPlausible(_ s: String) -> Bool {
        var digits = 0
        for u in s.unicodeScalars {
            switch u {
            case "0"..."9": digits += 1
            case "+", "-", "(", ")", "#", ",", " ": continue
            default: return false
            }
        }
        return digits >= 3
    }
}
