"""How a batch goes over the wire, one function per ``GraphPlan.method``: N-Quads
``POST`` to the Graph Store (``post``), ``DROP`` + ``INSERT DATA`` in one SPARQL Update
(``update``; a graph too large for one request is loaded into its staging graph chunk
by chunk, then moved in: ``staged``), Graph Store ``PUT`` into staging graphs and one
request of ``MOVE``s (``stage``), or a plain Graph Store ``PUT`` (``put``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from trialkg.errors import RemoteError
from trialkg.push.planning import GraphPlan, batches, staging_graph
from trialkg.push.transport import RemoteStore, RequestTooLarge, TransientRemoteError

log = logging.getLogger(__name__)


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


class Sender:
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


Batch = list[tuple[GraphPlan, bytes]]


class Methods:
    """One function per way of sending a batch; each reports the triples it sent."""

    def __init__(self, remote: RemoteStore, sender: Sender, tick: Callable[[int], None]) -> None:
        self.remote = remote
        self.sender = sender
        self.tick = tick

    def post(self, batch: Batch, body: bytes) -> None:
        """New graphs as one N-Quads POST to the Graph Store."""
        try:
            self.remote.post_nquads(body)
        except (TransientRemoteError, RequestTooLarge):
            # The answer may have been lost after the server committed: replace
            # instead of appending again, so nothing is doubled.
            log.warning("batch POST failed; sending the same graphs as replacing updates")
            for sub in batches(iter(batch), lambda: self.sender.limit):
                self.sender.replace(sub)
        self.tick(sum(p.triples for p, _ in batch))

    def replace(self, batch: Batch) -> None:
        self.sender.replace(batch)
        self.tick(sum(p.triples for p, _ in batch))

    def stage(self, batch: Batch) -> None:
        # Each graph PUT into its own staging graph, then one request swaps them
        # all in: the PUTs may be retried or half done, the MOVEs are one transaction.
        for p, nt in batch:
            self.remote.put_graph(staging_graph(p.iri), nt)
        self.remote.update(" ;\n".join(f"MOVE SILENT GRAPH <{staging_graph(p.iri)}> TO <{p.iri}>" for p, _ in batch))
        self.tick(sum(p.triples for p, _ in batch))

    def put(self, p: GraphPlan, nt: bytes) -> None:
        self.remote.put_graph(p.iri, nt)
        self.tick(p.triples)
