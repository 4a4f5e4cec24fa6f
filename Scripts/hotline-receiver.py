#!/usr/bin/env python3
"""A local stand-in for the 12349 hotline, for the demo: accepts incidents, checks the
HMAC signature, deduplicates by Idempotency-Key, prints one line per incident and appends
each body to a JSON-lines file."""
import hashlib, hmac, json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8350
secret = open(sys.argv[2], "rb").read().rstrip(b"\r\n") if len(sys.argv) > 2 else None
log_path = sys.argv[3] if len(sys.argv) > 3 else "incidents.jsonl"
seen = {}

class Hotline(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        key = self.headers.get("Idempotency-Key", "")
        ok_sig = True
        if secret is not None:
            want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
            ok_sig = hmac.compare_digest(want, self.headers.get("X-Anxin-Signature", ""))
        if not ok_sig:
            return self.answer(401, {"error": "bad signature"})
        if self.path.endswith("/heartbeat"):
            return self.answer(204, None)
        if self.path.endswith("/updates"):
            up = json.loads(body)
            print(f"12349 ← follow-up {up.get('incident_id')} {up.get('status')} by {up.get('by')}", flush=True)
            return self.answer(200, {"status": "noted"})
        if key in seen:
            return self.answer(409, {"ticket": seen[key]})
        inc = json.loads(body)
        ticket = "T-%04d" % (len(seen) + 1)
        seen[key] = ticket
        who = (inc.get("resident") or {}).get("name", "未登记设备")
        print(f"12349 ← {inc['severity']:8} {inc['rule']:16} {who} {inc.get('summary','')} ticket={ticket}", flush=True)
        with open(log_path, "a") as f:
            f.write(json.dumps(inc, ensure_ascii=False) + "\n")
        self.answer(201, {"ticket": ticket})

    def answer(self, code, obj):
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass

ThreadingHTTPServer(("127.0.0.1", port), Hotline).serve_forever()
