#!/usr/bin/env bash
# The whole demo on one machine: installs packages, builds Anxin, starts a local mosquitto,
# a local 12349 hotline receiver, the gateway and the simulator with emergencies injected,
# then shows incidents arriving at the hotline and alerts in the staff API.
# DEMO_SECONDS=N stops after N seconds (default: run until Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
Scripts/deps.sh
build=${DEMO_BUILD:-debug}   # DEMO_BUILD=release for the installed configuration
echo "== building anxin ($build; the first build takes several minutes)"
swift build -c "$build" --product anxin > /tmp/anxin-demo-build.log 2>&1 || { tail -30 /tmp/anxin-demo-build.log; exit 1; }
bin=$(swift build -c "$build" --show-bin-path)/anxin
work=$(mktemp -d /tmp/anxin-demo.XXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; echo "demo files kept in $work"; }
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mqtt_port=$(free_port); http_port=$(free_port); hot_port=$(free_port)
head -c 32 /dev/urandom | base64 > "$work/hotline.secret"
cat > "$work/mosquitto.conf" <<CONF
listener $mqtt_port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 100000
CONF
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 & pids+=($!)
python3 Scripts/hotline-receiver.py "$hot_port" "$work/hotline.secret" "$work/incidents.jsonl" & pids+=($!)
"$bin" simulate --residents 30 --write-registry "$work/registry.yaml" >/dev/null
cat > "$work/anxin.yaml" <<CONF
gateway_id: demo-01
timezone: Asia/Shanghai
mqtt: {host: 127.0.0.1, port: $mqtt_port}
storage: {path: $work/anxin.db}
registry: registry.yaml
http: {listen: "127.0.0.1:$http_port"}
hotline: {url: "http://127.0.0.1:$hot_port/api/incidents", secret_file: hotline.secret}
CONF
"$bin" check --config "$work/anxin.yaml"
sleep 0.5
"$bin" run --config "$work/anxin.yaml" 2> "$work/anxin.log" & pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break; sleep 0.2; done
echo "== gateway up: duty board http://127.0.0.1:$http_port/board/  staff API /api/v1/alerts  metrics /metrics"
"$bin" simulate --port "$mqtt_port" --residents 30 --interval 5 --scenarios sos,fall,bp_crisis,tachycardia,spo2_low \
  --scenario-delay 3 > "$work/simulator.log" 2>&1 & pids+=($!)
sleep 8
echo "== open alerts (staff API):"
curl -s "http://127.0.0.1:$http_port/api/v1/alerts?state=open" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["alerts"]:
    r = a.get("resident") or {}
    inc = a.get("incident") or {}
    print("  %-8s %-16s %s %s incident=%s ticket=%s" % (a["severity"], a["rule"], r.get("name", "未登记"),
          r.get("bed") or "", inc.get("state", "-"), inc.get("ticket") or "-"))'
echo "== incidents received by the local 12349 hotline: $(wc -l < "$work/incidents.jsonl" 2>/dev/null || echo 0)"
echo "== metrics:"
curl -s "http://127.0.0.1:$http_port/metrics" | grep -E "^anxin_(messages_received|readings_stored|alerts_opened|deliveries)_total" | sed 's/^/  /'
if [ -n "${DEMO_SECONDS:-}" ]; then sleep "$DEMO_SECONDS"; else echo "== running; Ctrl-C to stop"; wait; fi
