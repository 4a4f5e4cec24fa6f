import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a password for `anxin staff add|passwd` from a file or standard input, never from the
/// command line (where `ps` and shell history would show it).
public enum StaffPasswordInput {
    /// The first line of `path`, or of standard input when `path` is nil or `-`. At a terminal,
    /// `prompt` is written to standard error and echo is off while typing.
    /// Throws `StaffAccountError.unreadablePassword` when nothing could be read or the line is empty.
    public static func read(from path: String?, prompt: String = "Password: ") throws -> String {
        let text: String
        if let path, path != "-" {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StaffAccountError.unreadablePassword("cannot read the password file")
            }
            text = String(decoding: data, as: UTF8.self)
        } else if isatty(STDIN_FILENO) == 1 {
            text = readWithoutEcho(prompt: prompt) ?? ""
        } else {
            text = readLine(strippingNewline: false) ?? ""
        }
        let line = firstLine(text)
        guard !line.isEmpty else { throw StaffAccountError.unreadablePassword("the password is empty") }
        return line
    }

    /// The text up to its first line break (`\n`, `\r\n` or `\r`), without the break.
    static func firstLine(_ text: String) -> String {
        String(text.prefix { !$0.isNewline })
    }

    private static func readWithoutEcho(prompt: String) -> String? {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        let canHide = tcgetattr(STDIN_FILENO, &saved) == 0
        if canHide {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        defer {
            if canHide { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true)
    }
}
