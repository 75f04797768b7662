"""Push the store to a remote SPARQL 1.1 store, one named graph per trial.

Why it is built this way (docs/loading.md has the user's view):

- **Idempotent.** Every graph is *replaced*, never appended to: pushing twice leaves
  exactly the same triples on the server, and pushing one trial touches only its graph.
- **Atomic per trial.** Each request the server runs as one transaction either
  replaces whole graphs or writes only into a private staging graph:
  * graphs the server does not have yet go in batched N-Quads ``POST``s to the Graph
    Store endpoint (one transaction per request; the server's own bulk path);
  * graphs it has are replaced by one SPARQL Update request per batch,
    ``DROP SILENT GRAPH <g>; ... INSERT DATA { GRAPH <g> {...} ... }``;
  * a graph larger than one request is loaded chunk by chunk into
    ``urn:trialkg:staging:<sha1>`` and then swapped in by one ``MOVE`` request;
  * ``mode="stage"`` PUTs every graph into its staging graph through the Graph Store
    and swaps a batch in with one request of ``MOVE``s (for servers whose INSERT DATA
    refuses some literals: Virtuoso and ``xsd:duration``).
  An interruption at any moment therefore leaves each trial graph old or new, never
  half. (Oxigraph 0.5 runs a Graph Store ``PUT`` as a clear and a load in two
  transactions, so ``PUT`` is only used when asked for with ``mode="put"``.)
- **Retried.** 5xx answers and connection errors are retried with exponential
  backoff; every request is safe to repeat (a repeated batch ``POST`` is re-sent as a
  replacing Update, so blank nodes are never doubled). A 4xx stops with the server's
  message.
- **Credentials stay secret.** They go into request headers only; no message, log
  line or ``repr`` contains them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
from urllib3.util.retry import Retry

from trialkg import iris
from trialkg.errors import RemoteError, UsageError
from trialkg.http import HttpClient, register_secret, safe_url
from trialkg.store import TrialStore

log = logging.getLogger(__name__)

STAGING_PREFIX = "urn:trialkg:staging:"
DEFAULT_BATCH_SIZE = 20_000
MODES = ("auto", "update", "stage", "put")


@dataclass(frozen=True)
class Credentials:
    """User and password (HTTP basic or digest, chosen by the server's challenge) or a bearer token."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.token and (self.user or self.password):
            raise UsageError("give either --user/--password or --token, not both")
        if bool(self.user) != bool(self.password):
            raise UsageError("--user and --password go together")

    @property
    def given(self) -> bool:
        return bool(self.token or self.user)

    def __repr__(self) -> str:  # never show secrets, even in a traceback's locals
        return f"Credentials(user={self.user!r}, password={'***' if self.password else None}, token={'***' if self.token else None})"


@dataclass
class PushOptions:
    endpoint: str
    update: str | None = None
    graph_store: str | None = None
    credentials: Credentials = field(default_factory=Credentials)
    trials: Sequence[str] = ()
    batch_size: int = DEFAULT_BATCH_SIZE
    mode: str = "auto"
    retries: int = 5
    backoff: float = 0.5
    timeout: float = 600.0

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise UsageError("--batch-size must be at least 1")
        if self.mode not in MODES:
            raise UsageError(f"unknown mode {self.mode!r} (one of {', '.join(MODES)})")
        if self.mode in ("put", "stage") and not self.graph_store:
            raise UsageError(f"mode {self.mode!r} needs --graph-store")
        for name in ("endpoint", "update", "graph_store"):
            url = getattr(self, name)
            if url is not None and urlsplit(url).scheme not in ("http", "https"):
                raise UsageError(f"--{name.replace('_', '-')} must be an http(s) URL, got {redact(url)!r}")

    @property
    def update_url(self) -> str:
        """``--update``, else the query endpoint with ``/query`` turned into ``/update``
        (Oxigraph, Fuseki), else the endpoint itself (Virtuoso, GraphDB, Stardog)."""
        if self.update:
            return self.update
        parts = urlsplit(self.endpoint)
        if parts.path.endswith("/query"):
            return urlunsplit(parts._replace(path=parts.path[: -len("query")] + "update"))
        return self.endpoint


@dataclass
class GraphPlan:
    """One graph to send and how: ``post`` (new on the server), ``update``, ``staged`` or ``put``."""

    iri: str
    triples: int
    method: str


@dataclass
class PushSummary:
    graphs: int
    triples: int
    seconds: float
    requests: int
    plan: list[GraphPlan]

    @property
    def rate(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else 0.0


@dataclass
class GraphCount:
    graph: str
    local: int
    remote: int

    @property
    def ok(self) -> bool:
        return self.local == self.remote


def redact(url: str) -> str:
    """A URL without ``user:password@`` or secret query parameters, for messages."""
    return safe_url(url)


def staging_graph(graph_iri: str) -> str:
    """The private graph a large graph is loaded into before one ``MOVE`` swaps it in."""
    return STAGING_PREFIX + hashlib.sha1(graph_iri.encode("utf-8")).hexdigest()


# -- transport --------------------------------------------------------------------------


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


# -- planning and sending -----------------------------------------------------------------


def graphs_to_push(store: TrialStore, trials: Sequence[str] = ()) -> list[str]:
    """The trial graphs (all, or those of ``trials``) and the entities graph their links
    need, then (for a whole push) the reference and ontology graphs."""
    if trials:
        missing = [t for t in trials if not store.has_graph(iris.trial_graph(t))]
        if missing:
            raise UsageError(f"not in the store: {', '.join(missing)} (see 'trialkg list')", field="--trial")
        names = [iris.trial_graph(t) for t in dict.fromkeys(trials)]
        return names + [iris.ENTITIES_GRAPH] if store.has_graph(iris.ENTITIES_GRAPH) else names
    names = store.trial_graph_names()
    names += [g for g in (iris.ENTITIES_GRAPH, iris.REFERENCE_GRAPH, iris.ONTOLOGY_GRAPH) if store.has_graph(g)]
    return names


def local_counts(store: TrialStore, names: Sequence[str]) -> dict[str, int]:
    """Triples per graph in the local store, in one query (Rust) rather than a Python loop."""
    counts = dict.fromkeys(names, 0)
    rows = store.ox.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    for row in rows:
        g = row["g"].value
        if g in counts:
            counts[g] = int(row["n"].value)
    return counts


def _ntriples(store: TrialStore, graph_iri: str) -> bytes:
    return store.ox.dump(None, ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph_iri)) or b""


def _as_nquads(nt: bytes, graph_iri: str) -> bytes:
    # pyoxigraph escapes newlines inside literals, so " .\n" only ends a line.
    return nt.replace(b" .\n", f" <{graph_iri}> .\n".encode())


def plan(store: TrialStore, options: PushOptions, remote: RemoteStore | None) -> list[GraphPlan]:
    """Decide, per graph, how it is sent; asks the server which graphs it has when a
    Graph Store endpoint makes the fast path possible (``remote=None``: assume none)."""
    names = graphs_to_push(store, options.trials)
    existing: set[str] = set()
    if options.mode == "auto" and options.graph_store and remote is not None:
        existing = remote.existing_graphs(names)
    plans = []
    counts = local_counts(store, names)
    for g in names:
        n = counts[g]
        if options.mode in ("put", "stage"):
            method = options.mode
        elif options.mode == "auto" and options.graph_store and g not in existing:
            method = "post"
        else:
            method = "staged" if n > options.batch_size else "update"
        plans.append(GraphPlan(g, n, method))
    return plans


def _batches(
    items: Iterable[tuple[GraphPlan, bytes]], limit: Callable[[], int]
) -> Iterator[list[tuple[GraphPlan, bytes]]]:
    """Group graphs into requests of at most ``limit()`` triples (a bigger graph alone)."""
    batch: list[tuple[GraphPlan, bytes]] = []
    size = 0
    for item in items:
        if batch and size + item[0].triples > limit():
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item[0].triples
    if batch:
        yield batch


def _inserts(parts: Sequence[tuple[str, bytes]]) -> str:
    """INSERT DATA for the triples without blank nodes; triples with blank nodes go in
    ``INSERT {...} WHERE {}`` (Virtuoso refuses blank nodes in INSERT DATA; a template's
    blank nodes are fresh nodes, one per label, everywhere)."""
    data: list[str] = []
    templates: list[str] = []
    for graph_iri, nt in parts:
        plain, blank = _split_blank(nt)
        if plain:
            data.append(f"GRAPH <{graph_iri}> {{\n{plain.decode('utf-8')}}}\n")
        if blank:
            templates.append(f"INSERT {{ GRAPH <{graph_iri}> {{\n{blank.decode('utf-8')}}} }} WHERE {{}}")
    ops = [f"INSERT DATA {{\n{''.join(data)}}}"] if data else []
    return " ;\n".join(ops + templates)


def _split_blank(nt: bytes) -> tuple[bytes, bytes]:
    if b"_:" not in nt:
        return nt, b""
    lines = nt.splitlines(keepends=True)
    return b"".join(ln for ln in lines if b"_:" not in ln), b"".join(ln for ln in lines if b"_:" in ln)


def _replace_update(batch: Sequence[tuple[GraphPlan, bytes]]) -> str:
    drops = "".join(f"DROP SILENT GRAPH <{p.iri}> ;\n" for p, _ in batch)
    return drops + (_inserts([(p.iri, nt) for p, nt in batch]) or "INSERT DATA {}")


def _chunks(nt: bytes, limit: int) -> list[bytes]:
    """Split one graph's N-Triples into chunks of ``limit`` lines; every line with a blank
    node goes into one chunk so each blank node stays one node on the server."""
    lines = nt.splitlines(keepends=True)
    plain = [ln for ln in lines if b"_:" not in ln]
    blank = [ln for ln in lines if b"_:" in ln]
    chunks = [b"".join(plain[i : i + limit]) for i in range(0, len(plain), limit)]
    if blank:
        chunks.append(b"".join(blank))
    return chunks


class _Sender:
    """Sends batches; when the server refuses a request as too large (HTTP 413, or
    Virtuoso's "SPARQL compiler ... memory exhausted"), halves the request size for
    this and every later request instead of failing."""

    MIN_LIMIT = 50

    def __init__(self, remote: RemoteStore, limit: int) -> None:
        self.remote = remote
        self.limit = limit

    def _shrink(self, size: int, exc: RemoteError) -> None:
        new = max(1, min(self.limit, size) // 2)
        if new < self.MIN_LIMIT:
            raise exc
        log.warning("the server refused a request of %d triples as too large; sending at most %d per request", size, new)
        self.limit = new

    def replace(self, batch: Sequence[tuple[GraphPlan, bytes]]) -> None:
        """DROP + INSERT DATA for whole graphs in one request (one transaction)."""
        size = sum(p.triples for p, _ in batch)
        if len(batch) == 1 and size > self.limit:
            self.staged(*batch[0])
            return
        try:
            self.remote.update(_replace_update(batch))
        except RequestTooLarge as exc:
            self._shrink(size, exc)
            if len(batch) == 1:
                self.staged(*batch[0])
            else:
                half = len(batch) // 2
                self.replace(batch[:half])
                self.replace(batch[half:])

    def staged(self, p: GraphPlan, nt: bytes) -> None:
        """Load into the staging graph chunk by chunk, then swap it in with one MOVE.
        Every attempt starts from the first chunk, which drops the staging graph."""
        stage = staging_graph(p.iri)
        while True:
            try:
                for n, chunk in enumerate(_chunks(nt, self.limit)):
                    prefix = f"DROP SILENT GRAPH <{stage}> ;\n" if n == 0 else ""
                    self.remote.update(prefix + _inserts([(stage, chunk)]))
                break
            except RequestTooLarge as exc:
                self._shrink(self.limit, exc)
        self.remote.update(f"MOVE SILENT GRAPH <{stage}> TO <{p.iri}>")


def push(
    store: TrialStore,
    options: PushOptions,
    *,
    progress: Callable[[int], None] | None = None,
    remote: RemoteStore | None = None,
    plans: list[GraphPlan] | None = None,
) -> PushSummary:
    """Send the graphs (as ``plans`` says, else as ``plan`` decides); ``progress(n)`` is
    called with the triples just sent."""
    own = remote is None
    remote = remote or RemoteStore(options)
    start = time.perf_counter()
    try:
        plans = plans if plans is not None else plan(store, options, remote)
        tick = progress or (lambda n: None)
        sender = _Sender(remote, options.batch_size)
        by_method: dict[str, list[GraphPlan]] = {}
        for p in plans:
            by_method.setdefault(p.method, []).append(p)

        def with_data(ps: Sequence[GraphPlan]) -> Iterator[tuple[GraphPlan, bytes]]:
            for p in ps:
                yield p, _ntriples(store, p.iri)

        # One request in flight while the next batch is read from the store and
        # serialised: the client's work overlaps the server's.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="trialkg-push") as pool:
            pending: list[Future[None]] = []

            def submit(fn: Callable[..., None], *args: Any) -> None:
                while pending:
                    pending.pop().result()
                pending.append(pool.submit(fn, *args))

            def post(batch: list[tuple[GraphPlan, bytes]], body: bytes) -> None:
                try:
                    remote.post_nquads(body)
                except (TransientRemoteError, RequestTooLarge):
                    # The answer may have been lost after the server committed: replace
                    # instead of appending again, so nothing is doubled.
                    log.warning("batch POST failed; sending the same graphs as replacing updates")
                    for sub in _batches(iter(batch), lambda: sender.limit):
                        sender.replace(sub)
                tick(sum(p.triples for p, _ in batch))

            def replace(batch: list[tuple[GraphPlan, bytes]]) -> None:
                sender.replace(batch)
                tick(sum(p.triples for p, _ in batch))

            def stage(batch: list[tuple[GraphPlan, bytes]]) -> None:
                # Each graph PUT into its own staging graph, then one request swaps them
                # all in: the PUTs may be retried or half done, the MOVEs are one transaction.
                for p, nt in batch:
                    remote.put_graph(staging_graph(p.iri), nt)
                remote.update(" ;\n".join(f"MOVE SILENT GRAPH <{staging_graph(p.iri)}> TO <{p.iri}>" for p, _ in batch))
                tick(sum(p.triples for p, _ in batch))

            def put(p: GraphPlan, nt: bytes) -> None:
                remote.put_graph(p.iri, nt)
                tick(p.triples)

            for batch in _batches(with_data(by_method.get("post", [])), lambda: options.batch_size):
                submit(post, batch, b"".join(_as_nquads(nt, p.iri) for p, nt in batch))
            for batch in _batches(with_data(by_method.get("update", []) + by_method.get("staged", [])), lambda: sender.limit):
                submit(replace, batch)
            for batch in _batches(with_data(by_method.get("stage", [])), lambda: options.batch_size):
                submit(stage, batch)
            for p, nt in with_data(by_method.get("put", [])):
                submit(put, p, nt)
            while pending:
                pending.pop().result()
        seconds = time.perf_counter() - start
        return PushSummary(
            graphs=len(plans),
            triples=sum(p.triples for p in plans),
            seconds=seconds,
            requests=remote.requests_sent,
            plan=plans,
        )
    finally:
        if own:
            remote.close()


def verify(store: TrialStore, options: PushOptions, *, remote: RemoteStore | None = None) -> list[GraphCount]:
    """Per-graph triple counts, local and remote, for every graph a push would send,
    plus any staging graph an interrupted push left on the server."""
    own = remote is None
    remote = remote or RemoteStore(options)
    try:
        names = graphs_to_push(store, options.trials)
        counts = remote.graph_counts(names)
        local = local_counts(store, names)
        rows = [GraphCount(g, local[g], counts.get(g, 0)) for g in names]
        stages = {staging_graph(g): g for g in names}
        for g, n in remote.graph_counts(list(stages)).items():
            if n:
                rows.append(GraphCount(g, 0, n))
        return rows
    finally:
        if own:
            remote.close()
