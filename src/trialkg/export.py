"""Export the store as RDF: quad formats keep the named graphs, triple formats give
the union (the default graph users query). Serialisation streams from pyoxigraph;
JSON-LD is compacted with the shipped ``@context`` (``trialkg.jsonld``), one
``@graph`` object per named graph, written graph by graph.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from trialkg.prefixes import PREFIXES
from trialkg.store import TrialStore

# format name -> (pyoxigraph format, keeps named graphs)
FORMATS: dict[str, tuple[ox.RdfFormat | None, bool]] = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "ntriples": (ox.RdfFormat.N_TRIPLES, False),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (None, True),  # written by _jsonld: compacted with the shipped @context
}
EXTENSIONS = {"turtle": "ttl", "ntriples": "nt", "nquads": "nq", "trig": "trig", "jsonld": "jsonld"}



def _union_triples(store: TrialStore) -> list[ox.Triple]:
    """The union of all graphs, each triple once (shared labels repeat across graphs)."""
    return list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()))


def export(store: TrialStore, fmt: str, output: IO[bytes] | Path) -> int:
    """Write the whole store in ``fmt`` to ``output`` (a binary stream, or a file path);
    returns the number of statements.

    A quad format written to a path is dumped by pyoxigraph straight to the file, with
    no Python call per written chunk (the speed of a raw ``Store.dump``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    rdf_format, quads = FORMATS[fmt]
    if rdf_format is not None and quads:
        kwargs = {"prefixes": PREFIXES} if rdf_format == ox.RdfFormat.TRIG else {}
        store.ox.dump(str(output) if isinstance(output, Path) else output, rdf_format, **kwargs)
        return len(store.ox)
    if isinstance(output, Path):
        with output.open("wb") as fh:
            return export(store, fmt, fh)
    if rdf_format is None:
        return _jsonld(store, output)
    triples = _union_triples(store)
    kwargs = {"prefixes": PREFIXES} if rdf_format == ox.RdfFormat.TURTLE else {}
    ox.serialize(triples, output, rdf_format, **kwargs)
    return len(triples)


def _jsonld(store: TrialStore, output: IO[bytes]) -> int:
    """Compacted JSON-LD: ``{"@context": ..., "@graph": [{"@id": graph, "@graph": [...]}, ...]}``."""
    from trialkg import jsonld

    context = jsonld.shipped_context()
    compactor = jsonld.Compactor(context)
    output.write(b'{"@context": ' + json.dumps(context, ensure_ascii=False).encode("utf-8") + b',\n"@graph": [')
    count = 0
    names = [None] + sorted(g.value for g in store.ox.named_graphs())
    first = True
    for name in names:
        graph = ox.DefaultGraph() if name is None else ox.NamedNode(name)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.ox.quads_for_pattern(None, None, None, graph)]
        if not triples:
            continue
        count += len(triples)
        nodes = compactor.nodes(triples)
        items = nodes if name is None else [{"@id": compactor.iri(name), "@graph": nodes}]
        for item in items:
            output.write((b"\n" if first else b",\n") + json.dumps(item, ensure_ascii=False).encode("utf-8"))
            first = False
    output.write(b"\n]}\n")
    return count
