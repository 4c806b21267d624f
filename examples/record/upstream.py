"""A stand-in for the real Axiom API on 127.0.0.1, for the recording example.

It answers POST /tokens/{id}/regenerate like Axiom does, with a fresh secret
token and a session cookie: both must be redacted from the recording.
"""
import http.server
import json
import sys


class Axiom(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", 0))
        self.rfile.read(length)
        token_id = self.path.split("/")[2]
        body = json.dumps({
            "id": token_id,
            "name": "ingest",
            "datasetCapabilities": {"logs": {"ingest": ["create"]}},
            "orgCapabilities": {"apiTokens": ["read"]},
            "token": "xaat-live-secret-0123456789",
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("set-cookie", "session=live-cookie-secret")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Axiom)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
