#!/usr/bin/env bash
# Measures the two loss windows stated in the README: from libmosquitto's receipt (PUBACK
# has already gone to the broker) to our SQLite commit, for ordinary readings (batched)
# and for emergencies (committed at once). Runs a local broker, the gateway and the
# simulator for DURATION seconds with RESIDENTS residents, then reads the histograms from
# /metrics. CONFIG=release|debug (default debug).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
CONFIG=${CONFIG:-debug}; DURATION=${DURATION:-20}; RESIDENTS=${RESIDENTS:-600}; INTERVAL=${INTERVAL:-2}
swift build -c "$CONFIG" --product anxin >/dev/null
bin=$(swift build -c "$CONFIG" --show-bin-path)/anxin
work=$(mktemp -d /tmp/anxin-win.XXXX); pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mp=$(port); hp=$(port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n' "$mp" > "$work/m.conf"
mosquitto -c "$work/m.conf" >/dev/null 2>&1 & pids+=($!)
"$bin" simulate --residents "$RESIDENTS" --write-registry "$work/reg.yaml" >/dev/null
printf 'gateway_id: win\nmqtt: {port: %s}\nstorage: {path: %s/a.db}\nregistry: reg.yaml\nhttp: {listen: "127.0.0.1:%s"}\n' "$mp" "$work" "$hp" > "$work/a.yaml"
"$bin" run --config "$work/a.yaml" 2>"$work/run.log" & pids+=($!)
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$hp/healthz" >/dev/null && break; sleep 0.1; done
sc=sos,fall,bp_crisis,sos,fall,bp_crisis
"$bin" simulate --port "$mp" --residents "$RESIDENTS" --interval "$INTERVAL" --duration "$DURATION" \
  --scenarios "$sc" --scenario-delay $((DURATION / 2)) >/dev/null
sleep 1
curl -s "http://127.0.0.1:$hp/metrics" > "$work/metrics.txt"
python3 - "$work/metrics.txt" "$CONFIG" "$RESIDENTS" "$INTERVAL" <<'PY'
import sys, re
text = open(sys.argv[1]).read()
def hist(name):
    b = [(float(m.group(1)) if m.group(1) != '+Inf' else float('inf'), int(m.group(2)))
         for m in re.finditer(name + r'_bucket\{le="([^"]+)"\} (\d+)', text)]
    n = int(re.search(name + r'_count (\d+)', text).group(1))
    s = float(re.search(name + r'_sum ([0-9.e+-]+)', text).group(1))
    def q(p):
        for le, c in b:
            if c >= p * n: return le
    return n, s / n if n else 0, q(0.5), q(0.99)
rec = re.search(r'anxin_messages_received_total (\d+)', text).group(1)
print(f"build={sys.argv[2]} residents={sys.argv[3]} interval={sys.argv[4]}s messages={rec}")
for label, name in [("readings (batched)", "anxin_commit_window_seconds"), ("emergencies (at once)", "anxin_emergency_commit_window_seconds")]:
    n, mean, p50, p99 = hist(name)
    print(f"{label:22} commits={n:6d} mean={mean*1000:8.2f} ms  p50<={p50*1000:g} ms  p99<={p99*1000:g} ms")
PY
