"""HTTP to one SPARQL 1.1 store: queries, SPARQL Update requests and Graph Store
Protocol requests, with retries, back-off, the auth scheme and the server's refusals
turned into clear errors."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from urllib3.util.retry import Retry

from trialkg.errors import RemoteError
from trialkg.http import HttpClient, register_secret
from trialkg.push.options import PushOptions, redact

log = logging.getLogger(__name__)


class _Retryable(Exception):
    """A failure worth another attempt (5xx, connection refused or reset, timeout)."""


class TransientRemoteError(RemoteError):
    """The server failed or could not be reached on every attempt (not a 4xx refusal)."""


class RequestTooLarge(RemoteError):
    """The server refused one request as too large; smaller requests may pass."""


_TOO_LARGE = re.compile(r"memory exhausted|SQL text has exceeded|too large|payload|request entity|body size", re.I)


class RemoteStore:
    """HTTP to one SPARQL 1.1 store through ``trialkg.http`` (a deadline per request,
    a size cap, scrubbed messages): queries, updates and Graph Store requests; the
    retries with back-off and the auth scheme (basic or digest) here."""

    def __init__(self, options: PushOptions) -> None:
        creds = options.credentials
        self.options = options
        self._client = HttpClient(timeout=options.timeout, retries=0, agent="trialkg-push")
        register_secret(creds.password, creds.user)
        register_secret(creds.token)
        self._auth_cache: dict[str, Any] = {}
        self.requests_sent = 0

    def close(self) -> None:
        self._client.close()

    # auth ------------------------------------------------------------------------------
    def _auth_for(self, url: str) -> tuple[Any, dict[str, str]]:
        """requests auth object and extra headers for ``url``; digest when the server asks for it."""
        creds = self.options.credentials
        if creds.token:
            return None, {"Authorization": f"Bearer {creds.token}"}
        if not creds.user:
            return None, {}
        scheme = self._auth_cache.get(url)
        if scheme is None:
            scheme = self._probe_scheme(url)
            self._auth_cache[url] = scheme
        from requests.auth import HTTPBasicAuth, HTTPDigestAuth

        cls = HTTPDigestAuth if scheme == "digest" else HTTPBasicAuth
        return cls(creds.user, creds.password), {}

    def _probe_scheme(self, url: str) -> str:
        """Ask without credentials: a ``WWW-Authenticate: Digest`` challenge means digest."""
        try:
            r = self._client.request("HEAD", url, retry=False, timeout=min(30.0, self.options.timeout))
        except RemoteError:
            return "basic"
        challenge = r.headers.get("WWW-Authenticate", "")
        return "digest" if r.status == 401 and challenge.lower().startswith("digest") else "basic"

    # retries ---------------------------------------------------------------------------
    def _retry(self, what: str, attempt: Callable[[], Any], tries: int | None = None) -> Any:
        """``attempt`` up to ``tries`` times, with urllib3's exponential back-off between."""
        tries = max(1, self.options.retries if tries is None else tries)
        backoff = Retry(total=tries, backoff_factor=self.options.backoff, backoff_max=30.0)
        for n in range(tries):
            try:
                self.requests_sent += 1
                return attempt()
            except _Retryable as exc:
                if n == tries - 1:
                    raise TransientRemoteError(f"{what} failed after {tries} attempt(s): {exc}") from None
                backoff = backoff.increment(method="POST", url=what, error=ConnectionError(str(exc)))
                delay = max(backoff.get_backoff_time(), self.options.backoff)
                log.warning("%s: %s; retrying in %.1f s", what, exc, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _http(self, method: str, url: str, what: str, tries: int | None = None, **kw: Any) -> Any:
        auth, headers = self._auth_for(url)
        headers.update(kw.pop("headers", {}))

        def attempt() -> Any:
            try:
                r = self._client.request(method, url, auth=auth, headers=headers, retry=False, **kw)
            except RemoteError as exc:  # no answer (refused, reset, the deadline): worth another try
                raise _Retryable(exc.message.replace("cannot reach", "cannot connect to", 1)) from None
            _check_status(r.status, r.text, url)
            return r

        return self._retry(what, attempt, tries)

    # operations ------------------------------------------------------------------------
    def select(self, query: str) -> list[dict[str, str]]:
        """Run a SELECT on the query endpoint; rows of plain strings."""
        r = self._http(
            "POST",
            self.options.endpoint,
            "query",
            # form-encoded: every server takes it (Virtuoso hangs on a direct body with digest auth)
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        try:
            doc = json.loads(r.body)
        except ValueError:
            raise RemoteError(f"{redact(self.options.endpoint)} did not answer with SPARQL JSON results") from None
        return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]

    def update(self, text: str) -> None:
        """One SPARQL 1.1 Update request (one transaction on the server)."""
        self._http("POST", self.options.update_url, "update", data=text.encode("utf-8"),
                   headers={"Content-Type": "application/sparql-update; charset=utf-8"})

    def post_nquads(self, data: bytes) -> None:
        """Add quads in one request, tried once: a POST repeated after a lost answer
        would add blank-node triples twice, so the caller falls back to ``update``."""
        assert self.options.graph_store
        self._http(
            "POST",
            self.options.graph_store,
            "graph store POST",
            tries=1,
            data=data,
            headers={"Content-Type": "application/n-quads"},
        )

    def put_graph(self, graph_iri: str, data: bytes) -> None:
        assert self.options.graph_store
        self._http(
            "PUT",
            self.options.graph_store,
            "graph store PUT",
            params={"graph": graph_iri},
            data=data,
            headers={"Content-Type": "application/n-triples"},
        )

    def existing_graphs(self, graph_iris: Sequence[str], chunk: int = 500) -> set[str]:
        """Which of these graphs the server holds (one small query per ``chunk`` graphs)."""
        found: set[str] = set()
        for i in range(0, len(graph_iris), chunk):
            values = " ".join(f"<{g}>" for g in graph_iris[i : i + chunk])
            rows = self.select(f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}")
            found.update(r["g"] for r in rows)
        return found

    def graph_counts(self, graph_iris: Sequence[str], chunk: int = 200) -> dict[str, int]:
        """Triples per graph on the server (0 for a graph it does not have)."""
        counts = dict.fromkeys(graph_iris, 0)
        for i in range(0, len(graph_iris), chunk):
            values = " ".join(f"<{g}>" for g in graph_iris[i : i + chunk])
            rows = self.select(
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
            )
            for r in rows:
                counts[r["g"]] = int(r["n"])
        return counts


def _check_status(status: int, body: str, url: str) -> None:
    if status < 400:
        return
    message = " ".join((body or "").split())[:500] or "(no message)"
    if status >= 500 or status in (408, 429):
        raise _Retryable(f"HTTP {status} from {redact(url)}: {message}")
    if status == 413 or (status == 400 and _TOO_LARGE.search(message)):
        raise RequestTooLarge(f"HTTP {status} from {redact(url)}: {message} (try a smaller --batch-size)")
    hint = ""
    if status in (401, 403):
        hint = " (check --user/--password or --token, and that the account may write)"
    elif status in (404, 405):
        hint = " (check the endpoint URLs: --endpoint, --update, --graph-store)"
    raise RemoteError(f"HTTP {status} from {redact(url)}: {message}{hint}")
