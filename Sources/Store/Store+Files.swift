import Foundation

extension Store {
    /// Creates the database file with mode 0600, and its missing folders with mode 0700,
    /// before SQLite opens it. SQLite gives the -wal and -shm files the database file's mode,
    /// so they are private too. Existing files and folders are left as they are.
    static func createFileIfMissing(path: String) throws(SQLiteError) {
        if path.isEmpty || path == ":memory:" || path.hasPrefix("file:") { return }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try createFolders(folder) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            let err = errno
            if err == EEXIST { return }
            throw fileError("create database file \(path)", err)
        }
        defer { _ = Foundation.close(fd) }
        // The umask may only have narrowed 0600, but say it exactly.
        if fchmod(fd, 0o600) != 0 { throw fileError("set mode of \(path)", errno) }
    }

    /// `mkdir -p` with mode 0700 on every folder it creates.
    private static func createFolders(_ folder: String) throws(SQLiteError) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw SQLiteError(code: SQLiteError.cantOpen, message: "database folder \(folder) is not a folder")
        }
        let parent = (folder as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != folder { try createFolders(parent) }
        if mkdir(folder, 0o700) != 0 {
            let err = errno
            if err == EEXIST { return }
            throw fileError("create database folder \(folder)", err)
        }
        if chmod(folder, 0o700) != 0 { throw fileError("set mode of \(folder)", errno) }
    }

    private static func fileError(_ operation: String, _ err: Int32) -> SQLiteError {
        SQLiteError(code: SQLiteError.cantOpen, message: "\(operation): \(String(cString: strerror(err)))")
    }
}
