"""A loopback HTTP proxy for the tests (no tests here): it forwards every request to a real
server and keeps each one, so a test decides at which request a client or a server is
stopped, instead of racing them.

``before(request)`` runs when a request has arrived and before it is forwarded: it returns
False to drop the request (the connection closes without an answer). ``sent(request)``
runs once the request has reached the server and before its answer is read. A request the
server does not answer (it died) is dropped the same way. Requests go one at a time
through the hooks, in arrival order; the proxy listens on 127.0.0.1 and runs in a thread.

    with GateProxy(server.url, before=hold) as proxy:
        run the client against proxy.url + "/query"
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Request:
    number: int  # 1, 2, ... in arrival order
    method: str
    path: str
    body: bytes
    status: int | None = None  # the server's answer, once it came

    @property
    def is_write(self) -> bool:
        """A SPARQL Update or a Graph Store write (queries are POSTed to /query)."""
        return self.method == "PUT" or (self.method == "POST" and not self.path.startswith("/query"))


Hook = Callable[[Request], object]
_SKIP = {"host", "content-length", "connection", "accept-encoding", "keep-alive", "proxy-connection"}


class GateProxy:
    def __init__(self, target: str, *, before: Hook | None = None, sent: Hook | None = None) -> None:
        parts = urlsplit(target)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.before, self.sent = before, sent
        self.requests: list[Request] = []
        self._lock = threading.Lock()  # one request at a time through the hooks
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> GateProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def writes(self, *, answered: bool = True) -> list[Request]:
        """The write requests received (``answered``: only those the server answered)."""
        return [r for r in self.requests if r.is_write and (r.status is not None or not answered)]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy._lock:
                    request = Request(len(proxy.requests) + 1, self.command, self.path, body)
                    proxy.requests.append(request)
                    answer = proxy._forward(request, dict(self.headers.items()))
                if answer is None:
                    self.close_connection = True
                    return
                status, headers, content = answer
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _relay

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def _forward(self, request: Request, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        if self.before is not None and self.before(request) is False:
            return None
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.request(request.method, request.path, body=request.body or None,
                         headers={k: v for k, v in headers.items() if k.lower() not in _SKIP})
            if self.sent is not None:
                self.sent(request)
            r = conn.getresponse()
            content = r.read()
            request.status = r.status
            kept = [(k, v) for k, v in r.getheaders() if k.lower() not in _SKIP | {"transfer-encoding"}]
            return r.status, kept, content
        except (OSError, http.client.HTTPException):  # the server is gone: no answer
            return None
        finally:
            conn.close()
