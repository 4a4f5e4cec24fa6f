import CMalloc

/// Names the gateway's own threads, from inside each thread.
public enum ThreadTuning {
    /// Names the calling thread as `top -H`, `ps -L` and perf show it (at most 15 bytes kept).
    /// Foundation's `Thread.name` does not reach the kernel here.
    public static func nameCurrentThread(_ name: String) {
        _ = anxin_name_thread(name)
    }
}
