#!/usr/bin/env python3
"""Starts `anxin run` with NOTIFY_SOCKET on a datagram socket of our own and measures it.

    probe.py ANXIN CONFIG [--log FILE] [--hold SECONDS] [--stop-file FILE] [--ready-file FILE]

Prints `READY_S=<seconds from fork to READY=1>`, then, when the gateway ends (SIGTERM after
--hold seconds, or once --stop-file exists), `PEAK_KB=<VmHWM>` and `RSS_AT_READY_KB=`.
Every notification is logged with its time since fork to stderr. With --ready-file the
gateway's pid is written there once READY arrives (for a caller that drives load meanwhile).
Only the process it started is signalled.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("anxin")
    ap.add_argument("config")
    ap.add_argument("--log", default="/dev/null")
    ap.add_argument("--hold", type=float, default=0.0)
    ap.add_argument("--stop-file")
    ap.add_argument("--ready-file")
    ap.add_argument("--timeout", type=float, default=600.0)
    a = ap.parse_args()
    # SIGTERM/SIGINT to the probe end the gateway too (the finally below), never orphan it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    d = tempfile.mkdtemp(prefix="anxin-notify.")
    path = os.path.join(d, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    env.pop("WATCHDOG_USEC", None)
    log = open(a.log, "w")
    t0 = time.monotonic()
    proc = subprocess.Popen([a.anxin, "run", "--config", a.config], env=env, stderr=log, stdout=log)
    ready_at = None
    rss_ready = 0
    peak_seen = 0
    rc = 0
    try:
        sock.settimeout(0.05)
        while True:
            if proc.poll() is not None:
                print(f"probe: gateway exited early with {proc.returncode}", file=sys.stderr)
                rc = 1
                break
            peak_seen = max(peak_seen, status_kb(proc.pid, "VmHWM"))
            now = time.monotonic() - t0
            if ready_at is None and now > a.timeout:
                print("probe: no READY within the timeout", file=sys.stderr)
                rc = 1
                break
            try:
                msg = sock.recv(4096).decode(errors="replace")
            except socket.timeout:
                msg = None
            if msg is not None:
                now = time.monotonic() - t0
                print(f"probe: {now:8.3f}s {msg!r}", file=sys.stderr)
                if ready_at is None and "READY=1" in msg.split("\n"):
                    ready_at = now
                    rss_ready = status_kb(proc.pid, "VmRSS")
                    print(f"READY_S={ready_at:.3f}", flush=True)
                    print(f"RSS_AT_READY_KB={rss_ready}", flush=True)
                    print(f"HWM_AT_READY_KB={status_kb(proc.pid, 'VmHWM')}", flush=True)
                    if a.ready_file:
                        with open(a.ready_file + ".tmp", "w") as f:
                            f.write(f"{proc.pid}\n")
                        os.rename(a.ready_file + ".tmp", a.ready_file)
            if ready_at is not None:
                held = time.monotonic() - t0 - ready_at
                if a.stop_file:
                    if os.path.exists(a.stop_file):
                        break
                elif held >= a.hold:
                    break
    finally:
        rss_stop = 0
        if proc.poll() is None:
            peak_seen = max(peak_seen, status_kb(proc.pid, "VmHWM"))
            rss_stop = status_kb(proc.pid, "VmRSS")
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        sock.close()
        os.unlink(path)
        os.rmdir(d)
    print(f"RSS_AT_STOP_KB={rss_stop}", flush=True)
    print(f"PEAK_KB={peak_seen}", flush=True)
    print(f"EXIT={proc.returncode}", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
