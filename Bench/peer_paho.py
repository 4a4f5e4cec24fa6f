#!/usr/bin/env python3
"""The plain peer: what a district would write without Anxin — paho-mqtt + sqlite3.

Subscribes to every topic family of DeviceProfiles/ with a persistent session, parses JSON
payloads (text frames are stored raw), takes the device id where the shape names it, and inserts
into SQLite (WAL) in transactions of 1000 rows. No rules, no alerts.

    peer_paho.py [--host H] [--port P] [--qos 0|1] [--client-id ID] [--db FILE] [--quiet S] [--duration S]

Prints "SUBSCRIBED", then each second "t=… total=… rate=…" (rows committed), and at the end
"RESULT received=… stored=… seconds=… rate=…" (seconds: first to last message).
"""
import argparse
import json
import signal
import sqlite3
import sys
import threading
import time

import paho.mqtt.client as mqtt

TOPICS = ["iMEDE_watch/+", "watch/3g/up", "watch/iw/+/up", "bed/wisleep/#",
          "/sys/+/+/thing/event/property/post", "home/+/ble"]
BATCH = 1000


def device_of(topic, doc):
    """The device id where the shape names it (the JSON shapes, IW and Alink topics)."""
    if isinstance(doc, dict):
        if "IMEI" in doc:
            return str(doc["IMEI"])
        records = doc.get("records")
        if isinstance(records, list) and records and isinstance(records[0], dict):
            return str(records[0].get("sn"))
        data = doc.get("data")
        if isinstance(data, dict) and "ble_mac" in data:
            return str(data["ble_mac"])
    levels = topic.split("/")
    if topic.startswith("watch/iw/") and len(levels) > 2:
        return levels[2]
    if topic.startswith("/sys/") and len(levels) > 3:
        return levels[3]
    return None


class Peer:
    def __init__(self, db_path):
        self.db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, received_at REAL NOT NULL,"
                        " topic TEXT NOT NULL, device TEXT, json INTEGER NOT NULL, body TEXT NOT NULL)")
        self.db.execute("CREATE INDEX IF NOT EXISTS messages_device ON messages (device, received_at)")
        self.rows = []
        self.received = 0
        self.stored = 0
        self.first = None
        self.last = None
        self.subscribed = threading.Event()

    def on_message(self, client, userdata, msg):
        now = time.time()
        self.last = time.monotonic()
        if self.first is None:
            self.first = self.last
        self.received += 1
        payload = msg.payload
        doc, is_json, body = None, 0, None
        if payload[:1] in (b"{", b"["):
            try:
                doc = json.loads(payload)
                is_json, body = 1, json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
            except ValueError:
                pass
        if body is None:
            body = payload.decode("utf-8", "replace")
        self.rows.append((now, msg.topic, device_of(msg.topic, doc), is_json, body))
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO messages (received_at, topic, device, json, body) VALUES (?,?,?,?,?)", self.rows)
        self.db.execute("COMMIT")
        self.stored += len(self.rows)
        self.rows = []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=1883)
    ap.add_argument("--qos", type=int, default=1, choices=[0, 1])
    ap.add_argument("--client-id", default="anxin-bench-paho")
    ap.add_argument("--db", default="peer.db")
    ap.add_argument("--quiet", type=float, default=5)
    ap.add_argument("--duration", type=float, default=0)
    a = ap.parse_args()

    peer = Peer(a.db)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=a.client_id, clean_session=False,
                         protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.on_connect = lambda c, u, f, rc, p: c.subscribe([(t, a.qos) for t in TOPICS])
    client.on_subscribe = lambda c, u, mid, codes, p: peer.subscribed.set()
    client.on_message = peer.on_message
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    client.connect(a.host, a.port, keepalive=60)
    client.loop_start()

    start = time.monotonic()
    next_tick, last_total, announced = start + 1, 0, False
    seen, seen_at = 0, start
    while not stop.is_set():
        time.sleep(0.02)
        now = time.monotonic()
        if not announced and peer.subscribed.is_set():
            print("SUBSCRIBED", flush=True)
            announced = True
        if now >= next_tick:
            total = peer.stored
            print(f"t={next_tick - start:.0f} total={total} rate={total - last_total}", flush=True)
            last_total, next_tick = total, next_tick + 1
        if peer.received != seen:
            seen, seen_at = peer.received, now
        if seen and a.quiet > 0 and now - seen_at >= a.quiet:
            break
        if a.duration > 0 and now - start >= a.duration:
            break
    client.disconnect()
    client.loop_stop()
    peer.flush()
    rows = peer.db.execute("SELECT count(*) FROM messages").fetchone()[0]
    span = (peer.last - peer.first) if peer.first is not None else 0
    print(f"RESULT received={peer.received} stored={rows} seconds={span:.3f} rate={rows / span if span else 0:.0f}",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
