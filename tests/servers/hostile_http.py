"""A tiny hostile HTTP server for the remote-call tests: ``python hostile_http.py MODE PORT``.

Modes (every request gets the same treatment):
- ``drip``: a 200 SPARQL-JSON answer whose body comes one byte every 2 s, without end;
- ``drip-headers``: the status line, then the headers one byte every 2 s;
- ``endless``: a 200 answer streaming JSON as fast as the socket takes it, without end;
- ``echo``: a 500 answer whose body repeats the request line and headers (as some
  proxies and debug servers do), so a client that sent credentials sees them echoed.
Bound to 127.0.0.1; the test stops it by PID.
"""

from __future__ import annotations

import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    mode = "drip"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            getattr(self, "_" + self.mode.replace("-", "_"))(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST
    do_PUT = do_POST

    def _drip(self, _body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head": {"vars": ["x"]}, "results": {"bindings": [')
        self.wfile.flush()
        while True:
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(2)

    def _drip_headers(self, _body: bytes) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        self.wfile.flush()
        while True:
            self.wfile.write(b"X")
            self.wfile.flush()
            time.sleep(2)

    def _endless(self, _body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head": {"vars": ["x"]}, "results": {"bindings": [')
        row = b'{"x": {"type": "literal", "value": "' + b"y" * 1000 + b'"}},'
        while True:
            self.wfile.write(row * 64)

    def _echo(self, body: bytes) -> None:
        text = (self.requestline + "\n" + str(self.headers) + "\n").encode() + body
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)


def main() -> None:
    Handler.mode = sys.argv[1]
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
