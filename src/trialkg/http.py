"""One HTTP layer for every remote call: ``query --endpoint``, ``push`` and ``enrich``.

- **A total deadline per request.** ``timeout`` bounds the whole exchange (connect,
  headers, body, and the retries), not each socket read: a watchdog shuts the
  request's sockets down when it passes, so a server sending a byte every 2 s times
  out like a silent one.
- **A size cap.** An answer over ``max_bytes`` (``TRIALKG_MAX_RESPONSE_MB``, 256 by
  default) is refused while it streams, never held whole.
- **Retries with back-off** through urllib3's ``Retry`` (connection errors, 429 and
  5xx answers, ``Retry-After`` respected); a request that is not safe to repeat is
  sent with ``retry=False``.
- **Secrets scrubbed.** Every password, token and ``Authorization`` value a client is
  given is registered (``secret_forms``), and ``scrub`` replaces each spelling of them
  (raw, URL-quoted, HTTP Basic) with ``***``; the CLI scrubs its output streams with
  the same list, so a password typed at a prompt is covered as well as one in argv.
  ``safe_url`` drops ``user:password@`` and masks secret query parameters
  (``?access_token=...``).
"""

from __future__ import annotations

import base64
import logging
import re
import socket
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from trialkg.errors import RemoteError, UsageError
from trialkg.limits import env_limit

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
RETRY_STATUSES = (429, 500, 502, 503, 504)
#: Query parameters whose values are secrets (case-insensitive, ``-``/``_`` ignored).
_SECRET_PARAMS = re.compile(r"^(access|auth|api|id|refresh)?(token|key|secret|password|passwd|pwd|signature|sig|"
                            r"credentials?)$", re.IGNORECASE)

_secrets: set[str] = set()
_lock = threading.Lock()


def max_response_bytes() -> int:
    return env_limit("TRIALKG_MAX_RESPONSE_MB", DEFAULT_MAX_BYTES)


# -- secrets --------------------------------------------------------------------------

def register_secret(secret: str | None, user: str | None = None) -> None:
    """Remember ``secret`` (and its HTTP Basic spelling with ``user``) for ``scrub``."""
    if not secret or len(secret) < 3:  # too short to scrub without mangling ordinary text
        return
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
    for u in {user or "", ""}:
        forms.add(base64.b64encode(f"{u}:{secret}".encode()).decode())
    with _lock:
        _secrets.update(forms)


def secret_forms() -> list[str]:
    """Every registered spelling, longest first."""
    with _lock:
        return sorted(_secrets, key=len, reverse=True)


def scrub(text: str) -> str:
    for form in secret_forms():
        text = text.replace(form, "***")
    return text


def safe_url(url: str) -> str:
    """``url`` without ``user:password@`` and with secret query parameters masked; the
    secrets found are registered for ``scrub``."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.username is not None or parts.password is not None:
        register_secret(parts.password, parts.username)
        netloc = netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        masked = []
        for k, v in pairs:
            if _SECRET_PARAMS.match(k.replace("-", "").replace("_", "")):
                register_secret(v)
                v = "***"
            masked.append((k, v))
        query = urllib.parse.urlencode(masked, safe="*")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def check_url(url: str, what: str = "the endpoint") -> str:
    """``url`` if it is http(s); else a usage error (with the URL scrubbed)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise UsageError(f"{what} must be an http(s) URL, got {safe_url(url)!r}")
    safe_url(url)  # registers any secret it carries
    return url


# -- the deadline ---------------------------------------------------------------------

class _Deadline:
    """One request's deadline: the sockets it opened or reused, shut when it passes."""

    def __init__(self) -> None:
        self.sockets: list[socket.socket] = []
        self.expired = False

    def expire(self) -> None:
        self.expired = True
        for sock in list(self.sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


_current = threading.local()  # .deadline: the running request's, in the thread that sends it


class _Watched:
    def _watch(self) -> None:
        deadline: _Deadline | None = getattr(_current, "deadline", None)
        if deadline is not None:
            if deadline.expired:
                raise TimeoutError("deadline passed")
            sock = getattr(self, "sock", None)
            if sock is not None:
                deadline.sockets.append(sock)

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self._watch()

    def request(self, *args: Any, **kwargs: Any) -> None:
        self._watch()
        super().request(*args, **kwargs)  # type: ignore[misc]


class _Conn(_Watched, HTTPConnection):
    pass


class _SConn(_Watched, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Conn


class _SPool(HTTPSConnectionPool):
    ConnectionCls = _SConn


# -- the client -----------------------------------------------------------------------

@dataclass
class Response:
    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def detail(self, width: int = 500) -> str:
        """The body on one line, scrubbed, for a message."""
        return scrub(" ".join(self.text.split()))[:width]


class HttpClient:
    """A requests session with trialkg's deadline, size cap, retries and scrubbing."""

    def __init__(self, *, timeout: float = 60.0, max_bytes: int | None = None, retries: int = 3,
                 backoff: float = 0.5, agent: str = "trialkg", user: str | None = None,
                 password: str | None = None, token: str | None = None) -> None:
        self.timeout = max(0.1, float(timeout))
        self.max_bytes = max_bytes or max_response_bytes()
        self.user, self.password, self.token = user, password, token
        register_secret(password, user)
        register_secret(token)
        # urllib3 logs each retry as a WARNING: trialkg reports failures itself (debug: all of it)
        logging.getLogger("urllib3").setLevel(
            logging.NOTSET if logging.getLogger().isEnabledFor(logging.DEBUG) else logging.ERROR)
        self._sessions = {flag: self._session(retries if flag else 0, backoff, agent) for flag in (True, False)}

    @staticmethod
    def _session(retries: int, backoff: float, agent: str) -> requests.Session:
        retry = Retry(total=retries, connect=retries, read=0, status=retries, other=0, backoff_factor=backoff,
                      status_forcelist=RETRY_STATUSES, allowed_methods=None, raise_on_status=False,
                      respect_retry_after_header=True)
        session = requests.Session()
        session.headers["User-Agent"] = agent
        for prefix in ("http://", "https://"):
            adapter = HTTPAdapter(max_retries=retry)
            adapter.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _SPool}
            session.mount(prefix, adapter)
        return session

    def close(self) -> None:
        for s in self._sessions.values():
            s.close()

    def auth_headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {}

    def request(self, method: str, url: str, *, data: Any = None, headers: Mapping[str, str] | None = None,
                params: Mapping[str, str] | None = None, auth: Any = None, retry: bool = True,
                timeout: float | None = None) -> Response:
        """One request within the deadline, its body read under the size cap. Network
        failures are ``RemoteError`` with the URL scrubbed; HTTP errors come back as a
        ``Response`` for the caller to judge."""
        limit = self.timeout if timeout is None else max(0.1, timeout)
        where = safe_url(url)
        if auth is None and self.user is not None and not self.token:
            auth = (self.user, self.password or "")
        hdrs = {**self.auth_headers(), **(headers or {})}
        state = _current.deadline = _Deadline()
        timer = threading.Timer(limit, state.expire)
        timer.daemon = True
        timer.start()
        try:
            r = self._sessions[retry].request(method, url, data=data, headers=hdrs, params=params, auth=auth,
                                              stream=True, timeout=(min(limit, 30.0), limit))
            with r:
                body = self._read(r, where)
            if state.expired:
                raise TimeoutError
            return Response(r.status_code, r.reason or "", r.headers, body)
        except (TimeoutError, requests.Timeout):
            raise RemoteError(f"{where} did not answer within {limit:g} s (the whole request)") from None
        except requests.RequestException as exc:
            if state.expired:
                raise RemoteError(f"{where} did not answer within {limit:g} s (the whole request)") from None
            raise RemoteError(f"cannot reach {where}: {_short(exc)}") from None
        finally:
            timer.cancel()
            _current.deadline = None

    def _read(self, r: requests.Response, where: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in r.iter_content(65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise RemoteError(f"{where} sent more than {self.max_bytes} bytes: refused "
                                  "(TRIALKG_MAX_RESPONSE_MB)")
            chunks.append(chunk)
        return b"".join(chunks)


_SHORT = re.compile(r"\[Errno -?\d+\] [^'\")]+|Connection refused|Connection reset by peer|Remote end closed[^'\")]*|"
                    r"certificate verify failed[^'\")]*|Name or service not known")


def _short(exc: BaseException) -> str:
    """A short, scrubbed reason from a requests/urllib3 exception chain."""
    text = str(exc)
    m = _SHORT.search(text)
    return scrub(m.group(0) if m else type(exc).__name__)
