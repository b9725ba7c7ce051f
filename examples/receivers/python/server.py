"""A webhook receiver for Bellhop deliveries, on the standard library only.

It checks the signature with verify.py, copied unchanged from the reference
documentation, ignores an event id it has already seen (Bellhop delivers at
least once), and prints one JSON line per request.

    WEBHOOK_SECRET=whsec_... SIGNATURE_HEADER=Bellhop-Signature PORT=3000 python3 server.py
"""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from verify import verify_swiftguest_signature

SECRET = os.environ.get("WEBHOOK_SECRET", "")
HEADER = os.environ.get("SIGNATURE_HEADER", "Bellhop-Signature")
PORT = int(os.environ.get("PORT", "3000"))

seen = set()  # use Redis or a unique index in production
seen_lock = threading.Lock()


def log(record):
    print(json.dumps(record), flush=True)


def verified(raw, header):
    try:
        return verify_swiftguest_signature(raw, header, SECRET)
    except (ValueError, UnicodeDecodeError):
        # A header that is not "k=v,k=v", or a timestamp that is not a number.
        return False


def handle(raw, header):
    if not verified(raw, header):
        return 401, "invalid signature"
    try:
        event = json.loads(raw)
    except ValueError:
        return 400, "body is not JSON"
    event_id = event.get("id") if isinstance(event, dict) else None
    if not event_id:
        return 400, "event has no id"
    with seen_lock:
        if event_id in seen:
            log({"duplicate": event_id})
            return 200, "duplicate"
        seen.add(event_id)
    # Enqueue the event for real work here and answer at once.
    log({"received": event_id, "type": event.get("type")})
    return 200, "ok"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        # Verify the raw bytes, never a re-serialised object.
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status, text = handle(raw, self.headers.get(HEADER, ""))
        if status != 200:
            log({"rejected": status, "reason": text})
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # one JSON line per request is printed by handle()


def main():
    if not SECRET:
        print("WEBHOOK_SECRET is required (the endpoint's whsec_... secret)", file=sys.stderr)
        sys.exit(2)
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
