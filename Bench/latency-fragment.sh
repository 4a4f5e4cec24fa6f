# Alert latency of issue 5, for Scripts/bench.sh (source this file, then call latency_bench).
#
#   latency_bench ANXIN WORK PUBLISHER PY REGISTRY  >> rows.md
#
# ANXIN: the gateway binary; WORK: a folder for this run (created); PUBLISHER: Bench/publisher built;
# PY: a python with paho-mqtt; REGISTRY: Bench/make-registry.py output for DEVICES devices.
# For each condition of LAT_CONDITIONS ("idle load"): a fresh tuned mosquitto, a fresh gateway
# (own database, hotline.url = the receiver of latency.py), for "load" the C publisher at RATE
# msg/s (QoS 1, every shape, DEVICES devices, no emergencies of its own) started LAT_WARMUP s
# before, then latency.py: LAT_COUNT emergencies (SOS and blood-pressure crises, one every
# LAT_INTERVAL s, each from a different registered device), timed from publish to the hotline
# receiver's receipt of the incident and to the alert's frame on /api/v1/events.
# Prints markdown table rows (after latency_header) on stdout; logs, metrics and per-emergency
# samples (latency-*.json) stay in WORK.
#
# Environment: LAT_RATE (else RATE, else 4000; 0 means 4000: latency is measured at a set rate), LAT_COUNT=300, LAT_INTERVAL=0.15, LAT_CONDITIONS="idle load",
# LAT_WARMUP=3, LAT_WAIT=10 (s for stragglers), LAT_QOS=1 (gateway subscription and load
# publisher), DEVICES=10000, PREFIX=8650, LATENCY_PY (default: latency.py beside this file),
# LAT_MQTT_PORT / LAT_HTTP_PORT / LAT_HOTLINE_PORT (default: free ports picked here).
# Processes it starts are added to the caller's `pids` array while they run (so bench.sh's
# cleanup trap stops them on an abort) and stopped before it returns.

LATENCY_PY=${LATENCY_PY:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/latency.py}

# bench.sh's helpers, defined here only when the caller has none
declare -p pids >/dev/null 2>&1 || pids=()
declare -F alive >/dev/null || alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || true; [ -n "$st" ] && [ "$st" != Z ]; }
declare -F stop_pid >/dev/null || stop_pid() {
  local p=$1 rest=() q
  kill "$p" 2>/dev/null || true
  for _ in $(seq 100); do alive "$p" || break; sleep 0.1; done
  if alive "$p"; then kill -9 "$p" 2>/dev/null || true; fi
  wait "$p" 2>/dev/null || true
  for q in "${pids[@]}"; do [ "$q" = "$p" ] || rest+=("$q"); done
  pids=("${rest[@]}")
}
declare -F wait_for >/dev/null || wait_for() {
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}
declare -F port >/dev/null || port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

_lat_forget() { local q rest=(); for q in "${pids[@]}"; do [ "$q" = "$1" ] || rest+=("$q"); done; pids=("${rest[@]}"); }

latency_header() {
  echo "| condition | path | emergencies | p50 ms | p99 ms | max ms | missing |"
  echo "|---|---|---|---|---|---|---|"
}

_lat_broker() { # _lat_broker DIR PORT -> $_lat_bpid; tuned like bench.sh's start_broker
  mkdir -p "$1"
  id mosquitto >/dev/null 2>&1 && chown mosquitto "$1"
  cat > "$1/mosquitto.conf" <<EOF
per_listener_settings false
listener $2 127.0.0.1
allow_anonymous true
persistence true
persistence_location $1/
autosave_interval 60
autosave_on_changes false
max_queued_messages 100000000
max_queued_bytes 0
queue_qos0_messages false
max_inflight_messages 1000
max_packet_size 4194304
set_tcp_nodelay true
log_dest file $1/mosquitto.log
log_type error
log_type warning
EOF
  mosquitto -c "$1/mosquitto.conf" & _lat_bpid=$!; pids+=("$_lat_bpid")
  wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$2"
}

_lat_received() { curl -sf "http://127.0.0.1:$1/metrics" | awk '/^anxin_messages_received_total / {print $2}'; }

latency_bench() { # latency_bench ANXIN WORK PUBLISHER PY REGISTRY
  local anxin=$1 lwork=$2 publisher=$3 lpy=$4 registry=$5
  local rate=${LAT_RATE:-${RATE:-4000}} count=${LAT_COUNT:-300} interval=${LAT_INTERVAL:-0.15} qos=${LAT_QOS:-1}
  local devices=${DEVICES:-10000} prefix=${PREFIX:-8650} warmup=${LAT_WARMUP:-3} lwait=${LAT_WAIT:-10}
  [ "$rate" = 0 ] && rate=4000   # latency is measured at a given rate, never at full speed
  local cond offset=0
  mkdir -p "$lwork"
  for cond in ${LAT_CONDITIONS:-idle load}; do
    local dir=$lwork/$cond mp hp kp gpid ppid="" r0 r1 t0 t1 label took="" rc=0
    mkdir -p "$dir"
    mp=${LAT_MQTT_PORT:-$(port)}; hp=${LAT_HTTP_PORT:-$(port)}; kp=${LAT_HOTLINE_PORT:-$(port)}
    _lat_broker "$dir/broker" "$mp"; local bpid=$_lat_bpid
    cat > "$dir/anxin.yaml" <<EOF
gateway_id: latency
mqtt: {port: $mp, qos: $qos, client_id: anxin-latency-$cond}
storage: {path: $dir/anxin.db, device_readings_per_second: 0}
registry: $registry
http: {listen: "127.0.0.1:$hp"}
hotline: {url: "http://127.0.0.1:$kp/incidents"}
EOF
    "$anxin" check --config "$dir/anxin.yaml" >/dev/null
    # the receiver first: a gateway that finds no hotline at start makes its HTTP client back off, and
    # the first incidents would wait out that backoff
    local lpid go=$dir/go load
    rm -f "$go"
    "$lpy" "$LATENCY_PY" --mqtt-port "$mp" --http-port "$hp" --hotline-port "$kp" --count "$count" \
      --interval "$interval" --devices "$devices" --prefix "$prefix" --offset "$offset" --wait "$lwait" \
      --label "$cond" --json "$lwork/latency-$cond.json" --go-file "$go" --rows > "$dir/rows" 2> "$dir/latency.err" &
    lpid=$!; pids+=("$lpid")
    wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$kp"
    "$anxin" run --config "$dir/anxin.yaml" 2> "$dir/run.log" & gpid=$!; pids+=("$gpid")
    if ! wait_for 60 curl -sf "http://127.0.0.1:$hp/healthz"; then
      echo "latency: the gateway did not become healthy; see $dir/run.log" >&2
      stop_pid "$lpid"; stop_pid "$gpid"; stop_pid "$bpid"; return 1
    fi
    label=idle
    if [ "$cond" = load ]; then
      # long enough to outlast the emergencies; stopped as soon as they are done
      local secs; secs=$(awk -v w="$warmup" -v c="$count" -v i="$interval" -v x="$lwait" 'BEGIN {print int(w + c * i + x + 10)}')
      "$publisher" --port "$mp" --qos "$qos" --rate "$rate" --duration "$secs" --devices "$devices" \
        --prefix "$prefix" --emergency-ppm 0 --client-id "latency-load" > "$dir/pub.out" 2>&1 & ppid=$!; pids+=("$ppid")
      label="load $rate msg/s"
    fi
    sleep "$warmup"   # idle too: the gateway settles, the stream is connected
    load=$(cut -d' ' -f1 /proc/loadavg)
    r0=$(_lat_received "$hp"); t0=$(date +%s.%N)
    touch "$go"
    wait "$lpid" || rc=$?
    _lat_forget "$lpid"
    r1=$(_lat_received "$hp"); t1=$(date +%s.%N)
    [ -n "$ppid" ] && stop_pid "$ppid"
    curl -s "http://127.0.0.1:$hp/metrics" > "$dir/metrics.txt"
    stop_pid "$gpid"; stop_pid "$bpid"
    cat "$dir/latency.err" >&2
    [ "$rc" = 0 ] || echo "latency: $cond: some emergencies never arrived within ${lwait} s of the last (exit $rc); see $dir" >&2
    if [ "$cond" = load ]; then
      # what the gateway took while the emergencies ran, and how far behind the publisher it ended
      took=$(awk -v a="${r0:-0}" -v b="${r1:-0}" -v s="$t0" -v e="$t1" 'BEGIN {printf "%.0f", (b - a) / (e - s)}')
      local acked behind
      acked=$(grep -o 'acked=[0-9]*' "$dir/pub.out" | tail -1 | cut -d= -f2)
      behind=$(awk '/^anxin_messages_received_total / {print $2}' "$dir/metrics.txt")
      behind=$(( ${acked:-0} + count - ${behind:-0} ))   # our emergencies are counted too
      label="load: $rate msg/s offered, gateway took $took msg/s, $behind behind at the end"
    fi
    label="$label (load avg $load)"
    awk -v c="$cond" -v l="$label" -F'|' 'BEGIN {OFS="|"} $2 == " " c " " {$2 = " " l " "} {print}' "$dir/rows"
    # next condition: other devices, so nothing carries over even if one gateway were reused
    offset=$((offset + count * 4))
  done
}
