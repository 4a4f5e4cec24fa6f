#!/usr/bin/env python3
"""A stand-in for the ThingsBoard server on a second local broker: counts what the ThingsBoard IoT
Gateway forwards, and answers the one request it waits for before sending (getSessionLimits).

    tb_server.py [--host H] [--port P] [--quiet S] [--duration S]

Subscribes to v1/gateway/# and v1/devices/me/#. A telemetry publish on v1/gateway/telemetry is
{"<device>": [{"ts": …, "values": {…}}, …], …}; each {"ts", "values"} entry is one record (one
device message converted by the gateway), each key of its values one data point.

SIGUSR1 sets every count back to zero (the bench sends it after a probe message got through).

Prints "SUBSCRIBED", then each second "t=… total=… rate=… connects=…" (records; device
announcements on v1/gateway/connect), and at the end
"RESULT records=… datapoints=… publishes=… devices=… seconds=… rate=…".
"""
import argparse
import json
import signal
import sys
import threading
import time

import paho.mqtt.client as mqtt

LIMITS = {  # no rate limits, as a self-hosted ThingsBoard with limits switched off would answer
    "rateLimits": {}, "gatewayRateLimits": {}, "maxInflightMessages": 1000, "maxPayloadSize": 65536,
}


class Counter:
    def __init__(self):
        self.reset()
        self.subscribed = threading.Event()

    def reset(self):
        self.connects = 0   # v1/gateway/connect: the gateway announcing a device
        self.records = 0
        self.datapoints = 0
        self.publishes = 0
        self.devices = set()
        self.first = None
        self.last = None

    def on_message(self, client, userdata, msg):
        topic = msg.topic
        if topic.startswith("v1/devices/me/rpc/request/"):
            try:
                request = json.loads(msg.payload)
            except ValueError:
                return
            if request.get("method") == "getSessionLimits":
                rid = topic.rsplit("/", 1)[1]
                client.publish("v1/devices/me/rpc/response/" + rid, json.dumps(LIMITS), qos=1)
            return
        if topic == "v1/gateway/connect":
            self.connects += 1
            return
        if topic != "v1/gateway/telemetry":
            return
        try:
            doc = json.loads(msg.payload)
        except ValueError:
            return
        now = time.monotonic()
        if self.first is None:
            self.first = now
        self.last = now
        self.publishes += 1
        for device, entries in doc.items():
            self.devices.add(device)
            if isinstance(entries, dict):
                entries = [entries]
            for e in entries:
                values = e.get("values", e) if isinstance(e, dict) else {}
                self.records += 1
                self.datapoints += len(values)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=1883)
    ap.add_argument("--quiet", type=float, default=10)
    ap.add_argument("--duration", type=float, default=0)
    a = ap.parse_args()
    c = Counter()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="anxin-bench-tb-server", protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.on_connect = lambda cl, u, f, rc, p: cl.subscribe([("v1/gateway/#", 1), ("v1/devices/me/#", 1)])
    client.on_subscribe = lambda cl, u, mid, codes, p: c.subscribed.set()
    client.on_message = c.on_message
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGUSR1, lambda *_: c.reset())
    client.connect(a.host, a.port, keepalive=60)
    client.loop_start()
    start = time.monotonic()
    next_tick, last_total, announced = start + 1, 0, False
    seen, seen_at = 0, start
    while not stop.is_set():
        time.sleep(0.05)
        now = time.monotonic()
        if not announced and c.subscribed.is_set():
            print("SUBSCRIBED", flush=True)
            announced = True
        if c.records < last_total:
            last_total, seen = 0, 0
        if now >= next_tick:
            total = c.records
            print(f"t={next_tick - start:.0f} total={total} rate={total - last_total} connects={c.connects}",
                  flush=True)
            last_total, next_tick = total, next_tick + 1
        if c.records != seen:
            seen, seen_at = c.records, now
        if seen and a.quiet > 0 and now - seen_at >= a.quiet:
            break
        if a.duration > 0 and now - start >= a.duration:
            break
    client.disconnect()
    client.loop_stop()
    span = (c.last - c.first) if c.first is not None else 0
    print(f"RESULT records={c.records} datapoints={c.datapoints} publishes={c.publishes} devices={len(c.devices)}"
          f" connects={c.connects}"
          f" seconds={span:.3f} rate={c.records / span if span else 0:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
