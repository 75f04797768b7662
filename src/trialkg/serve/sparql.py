"""The SPARQL 1.1 Protocol endpoint: request parsing, content negotiation, a time limit.

Queries run in worker processes that each open the store read-only: a query that runs
past its time limit is stopped by ending its worker (an embedded pyoxigraph query cannot
be interrupted from another thread) and a fresh worker takes its place. Results are
serialised by pyoxigraph in the worker, so large answers never become Python objects.

The default graph is the union of all graphs, as ``trialkg query`` sees it, unless the
request names ``default-graph-uri``s (then those graphs merged); ``named-graph-uri``
restricts what ``GRAPH`` sees. Updates are refused (the store is opened read-only).
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"

# media type -> writer, for SELECT and ASK answers
RESULT_MEDIA: dict[str, ox.QueryResultsFormat] = {
    JSON_RESULTS: ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    XML_RESULTS: ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
# media type -> writer, for CONSTRUCT and DESCRIBE answers
GRAPH_MEDIA: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# ``format=`` request parameter (as Virtuoso and Fuseki accept) -> media type
FORMAT_PARAM: dict[str, tuple[str, str]] = {
    "json": (JSON_RESULTS, "application/ld+json"),
    "xml": (XML_RESULTS, "application/rdf+xml"),
    "csv": ("text/csv", "text/turtle"),
    "tsv": ("text/tab-separated-values", "text/turtle"),
    "turtle": (JSON_RESULTS, "text/turtle"),
    "ttl": (JSON_RESULTS, "text/turtle"),
    "ntriples": (JSON_RESULTS, "application/n-triples"),
    "nt": (JSON_RESULTS, "application/n-triples"),
    "jsonld": (JSON_RESULTS, "application/ld+json"),
}
DEFAULT_RESULT = JSON_RESULTS
DEFAULT_GRAPH = "text/turtle"


@dataclass(frozen=True)
class SparqlJob:
    """One query as the protocol gave it."""

    query: str
    accept: tuple[tuple[str, float], ...] = ()
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass
class SparqlAnswer:
    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def parse_accept(header: str | None) -> tuple[tuple[str, float], ...]:
    """``Accept`` as (media type, q) pairs, best first (stable for equal q)."""
    items: list[tuple[str, float, int]] = []
    for n, part in enumerate((header or "").split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if not media:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            items.append((media, q, n))
    items.sort(key=lambda x: (-x[1], x[2]))
    return tuple((m, q) for m, q, _ in items)


def choose(accept: tuple[tuple[str, float], ...], offered: dict[str, Any], default: str) -> str | None:
    """The offered media type the client prefers; ``None`` when it accepts none of them."""
    if not accept:
        return default
    for media, _q in accept:
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            kind = media.split("/")[0]
            if media == "*/*" or default.startswith(kind + "/"):
                return default
            return next((m for m in offered if m.startswith(kind + "/")), None)
    return None


def format_override(fmt: str | None, accept: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    """A ``format=`` parameter wins over ``Accept``."""
    if not fmt:
        return accept
    pair = FORMAT_PARAM.get(fmt.lower())
    if pair is None:
        media = fmt.lower()
        return ((media, 1.0),) if "/" in media else accept
    return ((pair[0], 1.0), (pair[1], 1.0))


def execute(store: ox.Store, job: SparqlJob) -> SparqlAnswer:
    """Run one query on ``store`` and serialise the answer as the client asked."""
    kwargs: dict[str, Any] = {}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        result = store.query(job.query, **kwargs)
    except SyntaxError as exc:
        return error(400, f"SPARQL syntax error: {exc}")
    except ValueError as exc:  # a bad graph IRI
        return error(400, str(exc))
    try:
        if isinstance(result, ox.QueryTriples):
            media = choose(job.accept, GRAPH_MEDIA, DEFAULT_GRAPH)
            if media is None:
                return error(406, "CONSTRUCT/DESCRIBE answers: text/turtle, application/n-triples, application/ld+json, application/rdf+xml")
            return SparqlAnswer(200, media, result.serialize(format=GRAPH_MEDIA[media]) or b"")
        media = choose(job.accept, RESULT_MEDIA, DEFAULT_RESULT)
        if media is None:
            return error(406, "SELECT/ASK answers: application/sparql-results+json, application/sparql-results+xml, text/csv, text/tab-separated-values")
        return SparqlAnswer(200, media, result.serialize(format=RESULT_MEDIA[media]) or b"")
    except (OSError, RuntimeError, ValueError) as exc:
        return error(500, f"query evaluation failed: {exc}")


def error(status: int, message: str) -> SparqlAnswer:
    return SparqlAnswer(status, "text/plain", (message.rstrip() + "\n").encode("utf-8"))


# -- worker processes -----------------------------------------------------------------


def _worker_main(store_path: str, conn: Any) -> None:
    """A worker: open the store read-only, answer jobs until told to stop."""
    store = ox.Store.read_only(store_path)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        answer = execute(store, job)
        conn.send((answer.status, answer.media_type, answer.body))


class _Worker:
    def __init__(self, ctx: Any, store_path: str) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(store_path, child), daemon=True,
                                   name="trialkg-sparql-worker")
        self.process.start()
        child.close()

    def call(self, job: SparqlJob, timeout: float) -> SparqlAnswer | None:
        """The answer, or ``None`` if the worker ran out of time (it is then ended)."""
        self.conn.send(job)
        if not self.conn.poll(timeout):
            self.stop(force=True)
            return None
        try:
            status, media, body = self.conn.recv()
        except (EOFError, OSError):
            self.stop(force=True)
            return error(500, "the query worker stopped unexpectedly")
        return SparqlAnswer(status, media, body)

    def stop(self, *, force: bool = False) -> None:
        if self.process.is_alive():
            if force:
                self.process.kill()
            else:
                try:
                    self.conn.send(None)
                except OSError:
                    self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()

    @property
    def alive(self) -> bool:
        return self.process.is_alive()


class QueryPool:
    """A fixed number of worker processes; ``run`` blocks until one is free.

    A worker that times out is ended and replaced, so the next query gets a fresh one.
    """

    def __init__(self, store_path: str, *, workers: int = 2, timeout: float = 30.0) -> None:
        self.store_path = store_path
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(max(1, workers)):
            self._add()

    def _add(self) -> None:
        w = _Worker(self._ctx, self.store_path)
        with self._lock:
            self._all.append(w)
        self._idle.put(w)

    def run(self, job: SparqlJob) -> SparqlAnswer:
        worker = self._idle.get()
        try:
            answer = worker.call(job, self.timeout)
        except (OSError, EOFError) as exc:
            worker.stop(force=True)
            answer = error(500, f"the query worker failed: {exc}")
        if worker.alive:
            self._idle.put(worker)
            return answer  # type: ignore[return-value]
        with self._lock:
            self._all.remove(worker)
        self._add()
        if answer is None:
            return error(503, f"the query ran longer than the time limit of {self.timeout:g} s and was stopped")
        return answer

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            w.stop()
