"""A push: the plan, then the batches of every method, one request in flight while
the next batch is read from the store; and the check of what the server holds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from trialkg.push.options import PushOptions
from trialkg.push.planning import (
    GraphPlan,
    as_nquads,
    batches,
    graph_ntriples,
    graphs_to_push,
    local_counts,
    plan,
    staging_graph,
)
from trialkg.push.protocols import Methods, Sender
from trialkg.push.transport import RemoteStore
from trialkg.store import TrialStore


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
        _send(store, options, remote, plans, progress or (lambda n: None))
        return PushSummary(
            graphs=len(plans),
            triples=sum(p.triples for p in plans),
            seconds=time.perf_counter() - start,
            requests=remote.requests_sent,
            plan=plans,
        )
    finally:
        if own:
            remote.close()


def _send(store: TrialStore, options: PushOptions, remote: RemoteStore, plans: list[GraphPlan],
          tick: Callable[[int], None]) -> None:
    """Every method's batches in turn: new graphs, replaced ones, staged, put."""
    sender = Sender(remote, options.batch_size)
    methods = Methods(remote, sender, tick)
    by_method: dict[str, list[GraphPlan]] = {}
    for p in plans:
        by_method.setdefault(p.method, []).append(p)

    def with_data(*names: str) -> Iterator[tuple[GraphPlan, bytes]]:
        for p in (p for name in names for p in by_method.get(name, [])):
            yield p, graph_ntriples(store, p.iri)

    with _OneInFlight() as flight:
        for batch in batches(with_data("post"), lambda: options.batch_size):
            flight.submit(methods.post, batch, b"".join(as_nquads(nt, p.iri) for p, nt in batch))
        for batch in batches(with_data("update", "staged"), lambda: sender.limit):
            flight.submit(methods.replace, batch)
        for batch in batches(with_data("stage"), lambda: options.batch_size):
            flight.submit(methods.stage, batch)
        for p, nt in with_data("put"):
            flight.submit(methods.put, p, nt)
        flight.wait()


class _OneInFlight:
    """One request in flight while the next batch is read from the store and
    serialised: the client's work overlaps the server's."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trialkg-push")
        self._pending: list[Future[None]] = []

    def __enter__(self) -> _OneInFlight:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True)

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        self.wait()
        self._pending.append(self._pool.submit(fn, *args))

    def wait(self) -> None:
        while self._pending:
            self._pending.pop().result()


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
