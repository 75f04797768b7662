"""What to send: the graphs of a push, their sizes, how each one goes (``GraphPlan``),
and the batches of at most so many triples that make one request each."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from trialkg import iris
from trialkg.errors import UsageError
from trialkg.push.options import PushOptions
from trialkg.push.transport import RemoteStore
from trialkg.store import TrialStore
from trialkg.store.read import select

STAGING_PREFIX = "urn:trialkg:staging:"


@dataclass
class GraphPlan:
    """One graph to send and how: ``post`` (new on the server), ``update``, ``staged`` or ``put``."""

    iri: str
    triples: int
    method: str


def staging_graph(graph_iri: str) -> str:
    """The private graph a large graph is loaded into before one ``MOVE`` swaps it in."""
    return STAGING_PREFIX + hashlib.sha1(graph_iri.encode("utf-8")).hexdigest()


def graphs_to_push(store: TrialStore, trials: Sequence[str] = ()) -> list[str]:
    """The trial graphs (all, or those of ``trials``), the entities graph their links
    need and the statistics graph (store-wide counts), then (for a whole push) the
    reference and ontology graphs."""
    if trials:
        missing = [t for t in trials if not store.has_graph(iris.trial_graph(t))]
        if missing:
            raise UsageError(f"not in the store: {', '.join(missing)} (see 'trialkg list')", field="--trial")
        names = [iris.trial_graph(t) for t in dict.fromkeys(trials)]
        return names + [g for g in (iris.ENTITIES_GRAPH, iris.STATISTICS_GRAPH) if store.has_graph(g)]
    names = store.trial_graph_names()
    names += [g for g in (iris.ENTITIES_GRAPH, iris.REFERENCE_GRAPH, iris.ONTOLOGY_GRAPH, iris.STATISTICS_GRAPH)
              if store.has_graph(g)]
    return names


def local_counts(store: TrialStore, names: Sequence[str]) -> dict[str, int]:
    """Triples per graph in the local store, in one query (Rust) rather than a Python loop."""
    counts = dict.fromkeys(names, 0)
    for row in select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        if row["g"] in counts:
            counts[row["g"]] = row["n"]
    return counts


def graph_ntriples(store: TrialStore, graph_iri: str) -> bytes:
    return store.ox.dump(None, ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph_iri)) or b""


def as_nquads(nt: bytes, graph_iri: str) -> bytes:
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


def batches(
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
