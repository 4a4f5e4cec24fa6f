#!/usr/bin/env python3
"""Alert latency of a running Anxin gateway (issue 5): publish -> hotline incident, publish -> live stream.

    latency.py --mqtt-port P --http-port H --hotline-port K [--count 300] [--interval 0.15]
               [--devices 10000] [--prefix 8650] [--offset 0] [--label idle] [--json FILE] [--rows]
               [--go-file FILE] [--stream-wait 60]

Start it before the gateway (its receiver is then up for the gateway's first heartbeat and first
connection), and touch --go-file once the gateway is ready and any load has warmed up.

One process, one clock (time.monotonic()):
  * a hotline receiver (http.server, HTTP/1.1 keep-alive) on 127.0.0.1:K standing in for the
    12349 hotline (SPEC 7): 200 with {"ticket": …} for every incident POST, 200 for the heartbeat;
    stamps the arrival of each incident (after its body is read);
  * a reader of the staff API's live stream, GET http://127.0.0.1:H/api/v1/events (SSE, anonymous
    on a loopback listener), stamping each `event: alert` frame as it is read off the socket;
  * a paho-mqtt publisher (QoS 1) that sends COUNT emergencies, one every INTERVAL s, each from a
    different registered device (so each opens a new alert: SPEC 6 allows one unresolved alert per
    resident and rule), stamping just before publish().

Emergencies rotate over four shapes of Tests/Fixtures/devices, as Bench/shapes.c builds them:
  imede-sos     iMEDE_watch/sos                      sos event          -> rule sos
  3g-al-sos     watch/3g/up AL frame, status bit 16  sos event          -> rule sos
  imede-bp      iMEDE_watch/VitalSign, 230/125 mmHg  threshold crossing -> rule bp_crisis
  3g-bphrt      watch/3g/up bphrt, 230/125 mmHg      threshold crossing -> rule bp_crisis
(A heart rate of 190 is not used: heart_rate_high needs 2 min of readings and goes to the
hotline only if not acknowledged in 5 min, so one reading opens nothing.)

Devices: iMEDE and 3G* devices of the bench registry (Bench/make-registry.py: index % 20 in 0-5
iMEDE, 6-9 3G*), ids PREFIX + 11 digits, starting at index OFFSET.

Matching: incident body `device.id` + `rule`; stream frame `device.id` + `rule`, first frame
(state open). Prints a summary on stderr, `--rows` prints markdown table rows on stdout:
| condition | path | n | p50 ms | p99 ms | max ms | missing |
"""
import argparse
import json
import math
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import paho.mqtt.client as mqtt

now = time.monotonic


# --- emergencies -------------------------------------------------------------------------------

def family(index: int) -> str:
    b = index % 20
    return "imede" if b < 6 else "setracker" if b < 10 else "other"


def frame3g(dev: str, body: str) -> str:
    return f"[3G*{dev}*{len(body):04X}*{body}]"


def build(kind: str, dev: str):
    """(topic, payload, expected rule) for one emergency of `kind` from device `dev`."""
    t = time.time()
    utc = time.gmtime(t)
    local = time.gmtime(t + 8 * 3600)  # iMEDE watches ship set to +08:00
    if kind == "imede-sos":
        return ("iMEDE_watch/sos",
                '{"status":"SOS","location":{"GPS":{"latitude":24.6701,"longitude":102.5966}},'
                f'"IMEI":"{dev}"}}', "sos")
    if kind == "3g-al-sos":
        body = (f"AL,{time.strftime('%d%m%y,%H%M%S', utc)},A,24.669300,N,102.595900,E,0.00,0,1890,8,100,56,"
                "2210,0,00010000,1,1,460,0,9520,3671,150")
        return "watch/3g/up", frame3g(dev, body), "sos"
    if kind == "imede-bp":
        return ("iMEDE_watch/VitalSign",
                f'{{"IMEI":"{dev}","heartRate":96,"bloodPressure":{{"bp_sys":230,"bp_dia":125}},'
                '"bodyTemperature":36.6,"spO2":97,"signalGSM":71,"battery":64,'
                '"location":{"GPS":{"latitude":24.6692,"longitude":102.5958}},'
                f'"timeStamps":"{time.strftime("%d/%m/%Y %H:%M:%S", local)}"}}', "bp_crisis")
    if kind == "3g-bphrt":
        return "watch/3g/up", frame3g(dev, "bphrt,230,125,96,,,,"), "bp_crisis"
    raise ValueError(kind)


KINDS = {"imede": ["imede-sos", "imede-bp"], "setracker": ["3g-al-sos", "3g-bphrt"]}


def plan(count: int, devices: int, prefix: str, offset: int):
    """[(device id, kind)] for `count` distinct devices, the four kinds in turn."""
    out, turn = [], {"imede": 0, "setracker": 0}
    i = offset
    while len(out) < count:
        if i >= devices:
            raise SystemExit(f"latency: not enough iMEDE/3G* devices in {devices} from offset {offset}")
        fam = family(i)
        if fam in KINDS:
            # alternate families so the four kinds interleave evenly
            want = "imede" if len(out) % 2 == 0 else "setracker"
            if fam == want:
                kinds = KINDS[fam]
                out.append((f"{prefix}{i:011d}", kinds[turn[fam] % 2]))
                turn[fam] += 1
        i += 1
    return out


# --- the hotline receiver ----------------------------------------------------------------------

class Hotline:
    def __init__(self):
        self.lock = threading.Lock()
        self.incidents = []  # (t, device id, rule, incident id, idempotency key)
        self.heartbeats = 0
        self.other = 0

    def handler(self):
        hot = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                t = now()
                reply = b"{}"
                if self.path.endswith("/heartbeat"):
                    with hot.lock:
                        hot.heartbeats += 1
                else:
                    try:
                        j = json.loads(body)
                        dev = (j.get("device") or {}).get("id")
                        with hot.lock:
                            hot.incidents.append((t, dev, j.get("rule"), j.get("id"),
                                                  self.headers.get("Idempotency-Key")))
                        reply = json.dumps({"ticket": "T-" + str(j.get("id")), "status": "received"}).encode()
                    except ValueError:
                        with hot.lock:
                            hot.other += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *a):
                pass

        return H


# --- the live event stream ---------------------------------------------------------------------

class EventStream(threading.Thread):
    """GET /api/v1/events over a raw socket (chunked SSE), frames stamped as they are read."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.lock = threading.Lock()
        self.alerts = []  # (t, device id, rule, state, alert id)
        self.connected = threading.Event()
        self.error = None
        self.stopping = False

    def run(self):
        try:
            self._run()
        except Exception as e:  # noqa: BLE001 - reported at the end
            if not self.stopping:
                self.error = repr(e)
        finally:
            self.connected.set()

    def _run(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                  "Accept: text/event-stream\r\n\r\n".encode())
        s.settimeout(None)
        self.sock = s
        raw = b""
        while b"\r\n\r\n" not in raw:
            d = s.recv(65536)
            if not d:
                raise RuntimeError("event stream closed before its headers")
            raw += d
        head, raw = raw.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0]
        if b" 200 " not in status + b" ":
            raise RuntimeError("event stream: " + status.decode(errors="replace"))
        chunked = b"chunked" in head.lower()
        text = b""   # decoded body not yet split into frames
        self.connected.set()
        while True:
            t = now()
            # decode what we have
            if chunked:
                while True:
                    nl = raw.find(b"\r\n")
                    if nl < 0:
                        break
                    size = int(raw[:nl].split(b";")[0] or b"0", 16)
                    if size == 0:
                        return
                    if len(raw) < nl + 2 + size + 2:
                        break
                    text += raw[nl + 2:nl + 2 + size]
                    raw = raw[nl + 2 + size + 2:]
            else:
                text += raw
                raw = b""
            while b"\n\n" in text:
                frame, text = text.split(b"\n\n", 1)
                self._frame(frame, t)
            d = s.recv(65536)
            if not d:
                return
            raw += d

    def _frame(self, frame: bytes, t: float):
        event, data = None, []
        for line in frame.split(b"\n"):
            if line.startswith(b"event:"):
                event = line[6:].strip()
            elif line.startswith(b"data:"):
                data.append(line[5:].lstrip())
        if event != b"alert" or not data:
            return
        j = json.loads(b"\n".join(data))
        dev = (j.get("device") or {}).get("id")
        with self.lock:
            self.alerts.append((t, dev, j.get("rule"), j.get("state"), j.get("id")))

    def stop(self):
        self.stopping = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
            self.sock.close()
        except Exception:  # noqa: BLE001
            pass


# --- figures -----------------------------------------------------------------------------------

def pct(sorted_ms, p):
    if not sorted_ms:
        return float("nan")
    k = max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)   # nearest rank
    return sorted_ms[k]


def summary(ms):
    s = sorted(ms)
    return {"n": len(s), "p50": pct(s, 50), "p90": pct(s, 90), "p99": pct(s, 99),
            "max": s[-1] if s else float("nan"), "min": s[0] if s else float("nan")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mqtt-port", type=int, required=True)
    ap.add_argument("--http-port", type=int, required=True, help="the gateway's staff API (http.listen)")
    ap.add_argument("--hotline-port", type=int, required=True, help="where this receiver listens")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--interval", type=float, default=0.15, help="seconds between emergencies")
    ap.add_argument("--devices", type=int, default=10000)
    ap.add_argument("--prefix", default="8650")
    ap.add_argument("--offset", type=int, default=0, help="first device index used")
    ap.add_argument("--wait", type=float, default=10, help="seconds to wait for stragglers after the last publish")
    ap.add_argument("--stream-wait", type=float, default=60,
                    help="seconds to keep trying the event stream (the gateway may start after this tool)")
    ap.add_argument("--go-file", help="publish only once this file exists (e.g. after the load's warm-up)")
    ap.add_argument("--label", default="idle")
    ap.add_argument("--json", help="write every sample and the summary here")
    ap.add_argument("--rows", action="store_true", help="print markdown table rows on stdout")
    a = ap.parse_args()

    hot = Hotline()
    server = ThreadingHTTPServer(("127.0.0.1", a.hotline_port), hot.handler())
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    # the gateway may start after this receiver (so its first heartbeat finds it): retry the stream
    deadline = now() + a.stream_wait
    while True:
        stream = EventStream(a.http_port)
        stream.start()
        stream.connected.wait(10)
        if stream.connected.is_set() and not stream.error:
            break
        if now() > deadline:
            print(f"latency: cannot open the event stream: {stream.error}", file=sys.stderr)
            return 1
        time.sleep(0.2)
    if a.go_file:
        while not os.path.exists(a.go_file):
            if now() > deadline + 600:
                print("latency: no go file", file=sys.stderr)
                return 1
            time.sleep(0.05)

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"latency-emergencies-{a.label}-{os.getpid()}",
                         protocol=mqtt.MQTTv311)
    acks = {}
    client.on_publish = lambda c, u, mid, rc, props: acks.__setitem__(mid, now())
    up = threading.Event()
    client.on_connect = lambda c, u, f, rc, props: up.set()
    client.connect("127.0.0.1", a.mqtt_port, keepalive=30)
    client.loop_start()
    if not up.wait(10):
        print("latency: cannot connect to the broker", file=sys.stderr)
        return 1
    try:
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except Exception:  # noqa: BLE001
        pass

    sent = []  # (t, device, kind, rule, mid)
    start = now()
    for i, (dev, kind) in enumerate(plan(a.count, a.devices, a.prefix, a.offset)):
        due = start + i * a.interval
        while now() < due:
            time.sleep(max(0.0, min(0.01, due - now())))
        topic, payload, rule = build(kind, dev)
        t = now()
        info = client.publish(topic, payload, qos=1)
        sent.append((t, dev, kind, rule, info.mid))

    # wait for stragglers: every emergency on both paths, or --wait seconds
    want = {(d, r) for _, d, _, r, _ in sent}
    end = now() + a.wait
    while now() < end:
        with hot.lock:
            got_h = {(d, r) for _, d, r, _, _ in hot.incidents}
        with stream.lock:
            got_s = {(d, r) for _, d, r, _, _ in stream.alerts}
        if want <= got_h and want <= got_s:
            break
        time.sleep(0.1)
    client.loop_stop()
    client.disconnect()
    stream.stop()
    server.shutdown()

    first_h, dup_h = {}, 0
    for t, d, r, iid, _ in hot.incidents:
        if (d, r) in first_h:
            dup_h += 1
        else:
            first_h[(d, r)] = t
    first_s, extra_rules = {}, {}
    for t, d, r, st, _ in stream.alerts:
        if (d, r) not in want:
            extra_rules[r] = extra_rules.get(r, 0) + 1
        elif (d, r) not in first_s:
            first_s[(d, r)] = t
    samples = []
    for t, d, kind, r, mid in sent:
        h, s = first_h.get((d, r)), first_s.get((d, r))
        samples.append({"device": d, "kind": kind, "rule": r, "puback_ms": (acks[mid] - t) * 1000 if mid in acks else None,
                        "hotline_ms": (h - t) * 1000 if h else None, "stream_ms": (s - t) * 1000 if s else None})
    res = {"label": a.label, "count": len(sent), "interval_s": a.interval,
           "publish_seconds": round(sent[-1][0] - sent[0][0], 2) if sent else 0,
           "hotline": summary([x["hotline_ms"] for x in samples if x["hotline_ms"] is not None]),
           "stream": summary([x["stream_ms"] for x in samples if x["stream_ms"] is not None]),
           "puback": summary([x["puback_ms"] for x in samples if x["puback_ms"] is not None]),
           "by_kind": {}, "hotline_duplicates": dup_h, "heartbeats": hot.heartbeats,
           "other_alert_frames": extra_rules, "stream_error": stream.error}
    for k in sorted({x["kind"] for x in samples}):
        res["by_kind"][k] = {p: summary([x[p + "_ms"] for x in samples if x["kind"] == k and x[p + "_ms"] is not None])
                             for p in ("hotline", "stream")}
    res["hotline"]["missing"] = sum(1 for x in samples if x["hotline_ms"] is None)
    res["stream"]["missing"] = sum(1 for x in samples if x["stream_ms"] is None)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"summary": res, "samples": samples}, f, indent=1)

    def f(v):
        return "–" if v != v else f"{v:.1f}"
    for p in ("hotline", "stream", "puback"):
        r = res[p]
        print(f"latency {a.label} {p}: n={r['n']} p50={f(r['p50'])} p90={f(r['p90'])} p99={f(r['p99'])} "
              f"max={f(r['max'])} ms" + (f" missing={r.get('missing', 0)}" if p != "puback" else ""), file=sys.stderr)
    for k, v in res["by_kind"].items():
        print(f"latency {a.label}   {k}: hotline p50={f(v['hotline']['p50'])} p99={f(v['hotline']['p99'])} "
              f"max={f(v['hotline']['max'])}; stream p50={f(v['stream']['p50'])} p99={f(v['stream']['p99'])} "
              f"max={f(v['stream']['max'])}", file=sys.stderr)
    if dup_h or extra_rules or stream.error:
        print(f"latency {a.label}: duplicates={dup_h} other frames={extra_rules} stream error={stream.error}",
              file=sys.stderr)
    if a.rows:
        names = {"hotline": "publish → hotline receipt", "stream": "publish → `/api/v1/events` frame",
                 "puback": "publish → PUBACK (broker round trip, for scale)"}
        for p in ("hotline", "stream", "puback"):
            r = res[p]
            print(f"| {a.label} | {names[p]} | {r['n']} | {f(r['p50'])} | {f(r['p99'])} | {f(r['max'])} | "
                  f"{r.get('missing', len(samples) - r['n'])} |")
    return 0 if res["hotline"]["missing"] == 0 and res["stream"]["missing"] == 0 else 3


if __name__ == "__main__":
    sys.exit(main())
