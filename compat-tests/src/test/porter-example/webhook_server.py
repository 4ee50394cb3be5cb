"""Porter-mode example: an http.server program (WebhookServer.java is its port).

A webhook receiver: POST /hook stores the body and answers 201 with JSON, GET /count says how
many hooks came, anything else gets http.server's error page. Its request log on stderr is part
of the behaviour, so the comparison covers it too.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hook(BaseHTTPRequestHandler):
    server_version = "Webhook/1.0"
    received = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if self.path != "/hook":
            self.send_error(404, "No such hook")
            return
        Hook.received.append(body)
        reply = json.dumps({"received": len(body), "count": len(Hook.received)}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self):
        if self.path != "/count":
            self.send_error(404)
            return
        reply = ("%d\n" % len(Hook.received)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(reply)


if __name__ == "__main__":
    with ThreadingHTTPServer(("127.0.0.1", 0), Hook) as server:
        print(server.server_address, flush=True)
        server.serve_forever()
