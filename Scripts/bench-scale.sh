#!/usr/bin/env bash
# Scale checks of issue 5 for the release gateway binary, on loopback:
#   1. peak RSS of `anxin run` with RESIDENTS residents and as many devices (one each, the
#      registry of Bench/make-registry.py), idle, then after every device sent MSGS_PER_DEVICE
#      messages (Bench/publisher.c, QoS 1), then idle again after a restart on that database
#      (rule state of every device restored); also the first start, before the registry cache exists;
#   2. bytes on disk per stored reading: STORE_MSGS messages from RESIDENTS devices through the
#      gateway, then (db + wal after a TRUNCATE checkpoint) / rows of `readings`, and dbstat per
#      table and index;
#   3. time from fork to sd_notify READY=1 with RESIDENTS residents and READINGS readings
#      (a database generated directly by gen-readings.c, reused when present): warm (registry
#      cache present) median of READY_RUNS, cold (no registry cache), and with the rule state of
#      every device and resident (taken from test 1) in the database.
# Prints markdown rows with pass/miss against the targets (RSS <= 150 MB, <= 40 bytes/reading,
# READY <= 1 s) and the load average around each part.
#
# Environment: ANXIN=.build/release/anxin (built when missing), RESIDENTS=100000, READINGS=50000000, MSGS_PER_DEVICE=3,
# STORE_MSGS=1000000, IDLE_HOLD=5 (seconds idle before reading RSS), READY_RUNS=3,
# PARTS="rss bytes ready", WORK=.build/bench-scale (kept between runs: registry, generated database),
# PREFIX=8650, DRAIN=600 (seconds at most for the gateway to take what was published).
# Needs: gcc, libmosquitto-dev, libsqlite3-dev, mosquitto, sqlite3, python3, curl.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); here=$root/Bench
ANXIN=${ANXIN:-$root/.build/release/anxin}; RESIDENTS=${RESIDENTS:-100000}; READINGS=${READINGS:-50000000}
MSGS_PER_DEVICE=${MSGS_PER_DEVICE:-3}; STORE_MSGS=${STORE_MSGS:-1000000}; IDLE_HOLD=${IDLE_HOLD:-5}
READY_RUNS=${READY_RUNS:-3}; PARTS=${PARTS:-"rss bytes ready"}; WORK=${WORK:-$root/.build/bench-scale}
PREFIX=${PREFIX:-8650}; DRAIN=${DRAIN:-600}
RSS_TARGET_KB=$((150 * 1024)); BYTES_TARGET=40; READY_TARGET=1.0
mkdir -p "$WORK/bin"; WORK=$(cd "$WORK" && pwd)
log() { echo "bench-scale: $*" >&2; }

# --- tools -----------------------------------------------------------------------------------
[ -x "$ANXIN" ] || (cd "$root" && swift build -c release --product anxin >/dev/null)
[ "$WORK/bin/publisher" -nt "$here/publisher.c" ] ||
  gcc -O2 -o "$WORK/bin/publisher" "$here/publisher.c" "$here/shapes.c" -lmosquitto -lm
[ "$WORK/bin/gen-readings" -nt "$here/gen-readings.c" ] ||
  gcc -O2 -o "$WORK/bin/gen-readings" "$here/gen-readings.c" -lsqlite3
registry=$WORK/registry-$RESIDENTS.yaml
[ -s "$registry" ] || python3 "$here/make-registry.py" "$RESIDENTS" --prefix "$PREFIX" -o "$registry"

# --- processes we start, and only those, are stopped at the end ------------------------------
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
kv() { grep -o "^$2=[-0-9.]*" "$1" | tail -1 | cut -d= -f2; }     # kv FILE KEY
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { # verdict VALUE TARGET: pass when VALUE <= TARGET
  awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "pass" : "**miss**" }'
}
row() { printf '| %s | %s | %s | %s | %s |\n' "$@"; }
received() { curl -sf "http://127.0.0.1:$1/metrics" | awk '$1 == "anxin_messages_received_total" {print $2}' || true; }

mp=$(port)
mkdir -p "$WORK/broker"; id mosquitto >/dev/null 2>&1 && chown mosquitto "$WORK/broker"
cat > "$WORK/broker/mosquitto.conf" <<EOF
per_listener_settings false
listener $mp 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 100000000
max_queued_bytes 0
max_inflight_messages 1000
max_packet_size 4194304
set_tcp_nodelay true
log_dest file $WORK/broker/mosquitto.log
log_type error
log_type warning
EOF
mosquitto -c "$WORK/broker/mosquitto.conf" & pids+=($!)
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$mp") 2>/dev/null && break; sleep 0.1; done

config() { # config DIR HTTP_PORT -> DIR/anxin.yaml for a database in DIR
  cat > "$1/anxin.yaml" <<EOF
gateway_id: scale
mqtt: {port: $mp, qos: 1, client_id: anxin-scale-$(basename "$1")}
storage: {path: $1/anxin.db, device_readings_per_second: 0}
registry: $registry
http: {listen: "127.0.0.1:$2"}
EOF
}

# start_probe DIR NAME: the gateway under probe.py until DIR/NAME.stop exists; waits for READY
start_probe() {
  rm -f "$1/$2.ready" "$1/$2.stop"
  python3 "$here/probe.py" "$ANXIN" "$1/anxin.yaml" --log "$1/$2.log" --ready-file "$1/$2.ready" \
    --stop-file "$1/$2.stop" > "$1/$2.out" 2>> "$1/$2.log" & probe_pid=$!; pids+=("$probe_pid")
  for _ in $(seq 6000); do
    [ -f "$1/$2.ready" ] && return 0
    kill -0 "$probe_pid" 2>/dev/null || { log "gateway did not start: $1/$2.log"; return 1; }
    sleep 0.1
  done
  return 1
}
stop_probe() { # stop_probe DIR NAME
  touch "$1/$2.stop"; wait "$probe_pid" || true
  local rest=() q; for q in "${pids[@]}"; do [ "$q" = "$probe_pid" ] || rest+=("$q"); done; pids=("${rest[@]}")
}
# publish_and_drain HTTP_PORT COUNT: QoS 1 publisher, then wait for the gateway to have taken it all
publish_and_drain() {
  local before after t0 t1 end
  before=$(received "$1"); t0=$(date +%s.%N)
  "$WORK/bin/publisher" --port "$mp" --qos 1 --devices "$RESIDENTS" --prefix "$PREFIX" --count "$2" | tail -1 >&2
  end=$((SECONDS + DRAIN))
  while :; do
    after=$(received "$1")
    [ "$((after - before))" -ge "$2" ] && break
    [ $SECONDS -lt $end ] || { log "gateway took only $((after - before)) of $2 messages"; break; }
    sleep 0.5
  done
  t1=$(date +%s.%N)
  drain_rate=$(awk -v n="$((after - before))" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
}

echo "| measure | value | target | result | load avg (1/5/15 min) |"
echo "|---|---|---|---|---|"

# --- 1. peak RSS ------------------------------------------------------------------------------
if [[ " $PARTS " == *" rss "* ]]; then
  d=$WORK/rss; rm -rf "$d"; mkdir -p "$d"; hp=$(port); config "$d" "$hp"
  la=$(loadavg)
  log "rss: first start (registry parsed, cache written)"
  start_probe "$d" cold; sleep "$IDLE_HOLD"; stop_probe "$d" cold
  row "first start, no registry cache: peak RSS (MB) / READY (s)" \
    "$(mb "$(kv "$d/cold.out" PEAK_KB)") / $(kv "$d/cold.out" READY_S)" "≤ 150" \
    "$(verdict "$(kv "$d/cold.out" PEAK_KB)" $RSS_TARGET_KB)" "$la"
  log "rss: warm start, idle ${IDLE_HOLD}s, then $MSGS_PER_DEVICE messages from each of $RESIDENTS devices"
  la=$(loadavg)
  start_probe "$d" warm; sleep "$IDLE_HOLD"
  gw=$(cat "$d/warm.ready")
  idle_hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$gw/status"); idle_rss=$(awk '/^VmRSS/ {print $2}' "/proc/$gw/status")
  row "idle (registry cache present): peak RSS (MB), RSS now" "$(mb "$idle_hwm"), $(mb "$idle_rss")" "≤ 150" \
    "$(verdict "$idle_hwm" $RSS_TARGET_KB)" "$la"
  la=$(loadavg)
  publish_and_drain "$hp" $((RESIDENTS * MSGS_PER_DEVICE))
  sleep 2; stop_probe "$d" warm
  row "after $MSGS_PER_DEVICE msgs from every device ($drain_rate msg/s taken): peak RSS (MB), RSS at end" \
    "$(mb "$(kv "$d/warm.out" PEAK_KB)"), $(mb "$(kv "$d/warm.out" RSS_AT_STOP_KB)")" "≤ 150" \
    "$(verdict "$(kv "$d/warm.out" PEAK_KB)" $RSS_TARGET_KB)" "$la → $(loadavg)"
  log "rss: restart on that database (rule state of every device restored), idle"
  la=$(loadavg)
  start_probe "$d" restart; sleep "$IDLE_HOLD"; stop_probe "$d" restart
  row "restart after that traffic, idle: peak RSS (MB) / READY (s)" \
    "$(mb "$(kv "$d/restart.out" PEAK_KB)") / $(kv "$d/restart.out" READY_S)" "≤ 150" \
    "$(verdict "$(kv "$d/restart.out" PEAK_KB)" $RSS_TARGET_KB)" "$la"

  log "rss: SIGHUP reloads on an empty database: registry unchanged (cache hit), then changed (parsed)"
  h=$WORK/rss-hup; rm -rf "$h"; mkdir -p "$h"; config "$h" "$(port)"; cp "$d"/registry-*.cache "$h/"
  la=$(loadavg)
  start_probe "$h" hup; gw=$(cat "$h/hup.ready"); sleep 2
  hwm() { awk '/^VmHWM/ {print $2}' "/proc/$gw/status"; }
  reloads() { grep -c "reloaded profiles, rules and registry" "$h/hup.log" || true; }
  before=$(hwm); kill -HUP "$gw"
  for _ in $(seq 600); do [ "$(reloads)" -ge 1 ] && break; sleep 0.1; done; same=$(hwm)
  touch -r "$registry" "$h/mtime.ref"; touch "$registry"; kill -HUP "$gw"
  for _ in $(seq 1200); do [ "$(reloads)" -ge 2 ] && break; sleep 0.1; done; sleep 1; changed=$(hwm)
  stop_probe "$h" hup
  touch -r "$h/mtime.ref" "$registry"     # back to the time the registry caches were made for
  row "SIGHUP reload: peak RSS (MB) before / after reload, registry unchanged / after reload, registry touched" \
    "$(mb "$before") / $(mb "$same") / $(mb "$changed")" "≤ 150" "$(verdict "$changed" $RSS_TARGET_KB)" "$la"
fi

# --- 2. bytes per reading ---------------------------------------------------------------------
if [[ " $PARTS " == *" bytes "* ]]; then
  d=$WORK/bytes; rm -rf "$d"; mkdir -p "$d"; hp=$(port); config "$d" "$hp"
  cp "$WORK"/rss/registry-*.cache "$d/" 2>/dev/null || true
  la=$(loadavg)
  log "bytes: $STORE_MSGS messages from $RESIDENTS devices through the gateway"
  start_probe "$d" store
  publish_and_drain "$hp" "$STORE_MSGS"
  sleep 1; stop_probe "$d" store
  sqlite3 "$d/anxin.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  rows=$(sqlite3 "$d/anxin.db" "SELECT (SELECT coalesce(sum(count), 0) FROM reading_blocks) + (SELECT count(*) FROM readings)")
  size=$(( $(stat -c %s "$d/anxin.db") + $(stat -c %s "$d/anxin.db-wal" 2>/dev/null || echo 0) ))
  sqlite3 -separator ' ' "$d/anxin.db" \
    "SELECT name, SUM(pgsize), SUM(ncell), count(*) FROM dbstat GROUP BY name ORDER BY 2 DESC" > "$d/dbstat.txt"
  rbytes=$(awk '$1 == "readings" || $1 == "reading_blocks" {s += $2} END {print s + 0}' "$d/dbstat.txt")
  per=$(awk -v s="$size" -v n="$rows" 'BEGIN { printf "%.1f", s / n }')
  perr=$(awk -v s="$rbytes" -v n="$rows" 'BEGIN { printf "%.1f", s / n }')
  row "bytes/reading, whole file (db+wal after checkpoint; $rows readings, $(mb $((size / 1024))) MB, $drain_rate msg/s)" \
    "$per" "≤ $BYTES_TARGET" "$(verdict "$per" $BYTES_TARGET)" "$la → $(loadavg)"
  row "bytes/reading, the history alone (reading_blocks and the rows of earlier versions; their keys are their only indexes)" "$perr" \
    "≤ $BYTES_TARGET" "$(verdict "$perr" $BYTES_TARGET)" ""
  while read -r name bytes cells pages; do
    [ "$bytes" -ge 1048576 ] || continue
    row "dbstat: $name ($cells cells, $pages pages)" "$(mb $((bytes / 1024))) MB = $(awk -v b="$bytes" -v n="$rows" 'BEGIN { printf "%.1f", b / n }') B/reading" "" "" ""
  done < "$d/dbstat.txt"
fi

# --- 3. READY time ----------------------------------------------------------------------------
if [[ " $PARTS " == *" ready "* ]]; then
  d=$WORK/ready-$RESIDENTS-$READINGS; mkdir -p "$d"; hp=$(port); config "$d" "$hp"
  if [ "$(cat "$d/generated" 2>/dev/null)" != "$RESIDENTS $READINGS" ]; then
    log "ready: generating $READINGS readings over $RESIDENTS devices in $d (once; reused after)"
    rm -f "$d"/anxin.db* "$d/generated"
    start_probe "$d" schema; stop_probe "$d" schema          # the gateway creates its schema
    t0=$SECONDS
    "$WORK/bin/gen-readings" "$d/anxin.db" "$RESIDENTS" "$READINGS" "$PREFIX" >&2
    sync "$d/anxin.db"   # no writeback of the new file left to slow the first measured start
    log "ready: generated in $((SECONDS - t0)) s"
    echo "$RESIDENTS $READINGS" > "$d/generated"
  fi
  sqlite3 "$d/anxin.db" "DELETE FROM rule_state WHERE key <> 'engine'"
  dbmb=$(( ($(stat -c %s "$d/anxin.db") + $(stat -c %s "$d/anxin.db-wal" 2>/dev/null || echo 0)) / 1048576 ))
  readys=()
  la=$(loadavg)
  start_probe "$d" warmup; stop_probe "$d" warmup     # writes the registry cache, warms the page cache
  for i in $(seq "$READY_RUNS"); do
    start_probe "$d" "warm$i"; stop_probe "$d" "warm$i"; readys+=("$(kv "$d/warm$i.out" READY_S)")
  done
  med=$(printf '%s\n' "${readys[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  row "READY, $READINGS readings ($dbmb MB), no rule state, registry cache present: median of ${readys[*]} s" \
    "$med s (peak RSS $(mb "$(kv "$d/warm1.out" PEAK_KB)") MB)" "≤ $READY_TARGET s" "$(verdict "$med" $READY_TARGET)" "$la"
  la=$(loadavg)
  rm -f "$d"/registry-*.cache
  start_probe "$d" coldready; stop_probe "$d" coldready
  row "READY, same database, no registry cache (first start after a registry change)" \
    "$(kv "$d/coldready.out" READY_S) s" "≤ $READY_TARGET s" "$(verdict "$(kv "$d/coldready.out" READY_S)" $READY_TARGET)" "$la"
  if [ -f "$WORK/rss/anxin.db" ]; then
    states=$(sqlite3 "$d/anxin.db" "ATTACH '$WORK/rss/anxin.db' AS t;
      INSERT OR REPLACE INTO rule_state SELECT * FROM t.rule_state WHERE key <> 'engine';
      SELECT count(*) FROM rule_state")
    la=$(loadavg)
    start_probe "$d" stateready; stop_probe "$d" stateready
    row "READY, same database + rule state of every device/resident ($states rows from test 1)" \
      "$(kv "$d/stateready.out" READY_S) s (peak RSS $(mb "$(kv "$d/stateready.out" PEAK_KB)") MB)" "≤ $READY_TARGET s" \
      "$(verdict "$(kv "$d/stateready.out" READY_S)" $READY_TARGET)" "$la"
    sqlite3 "$d/anxin.db" "DELETE FROM rule_state WHERE key <> 'engine'"
  fi
fi
log "done; load average now $(loadavg)"
