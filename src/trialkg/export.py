"""Export the store as RDF: quad formats keep the named graphs, triple formats give
the union (the default graph users query). Serialisation streams from pyoxigraph,
JSON-LD included (pyoxigraph >= 0.5; rdflib before that).
"""

from __future__ import annotations

import io
from typing import IO

import pyoxigraph as ox

from trialkg.store import TrialStore

# format name -> (pyoxigraph format, keeps named graphs)
FORMATS: dict[str, tuple[ox.RdfFormat | None, bool]] = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "ntriples": (ox.RdfFormat.N_TRIPLES, False),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (getattr(ox.RdfFormat, "JSON_LD", None), True),
}
EXTENSIONS = {"turtle": "ttl", "ntriples": "nt", "nquads": "nq", "trig": "trig", "jsonld": "jsonld"}

PREFIXES = {
    "tkg": "https://w3id.org/trialkg/ontology#",
    "tkr": "https://w3id.org/trialkg/resource/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "uniprot": "http://purl.uniprot.org/uniprot/",
}


def _union_triples(store: TrialStore) -> list[ox.Triple]:
    """The union of all graphs, each triple once (shared labels repeat across graphs)."""
    return list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()))


def export(store: TrialStore, fmt: str, output: IO[bytes]) -> int:
    """Write the whole store in ``fmt`` to ``output``; returns the number of statements."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    rdf_format, quads = FORMATS[fmt]
    if rdf_format is None:  # pyoxigraph < 0.5 has no JSON-LD writer
        return _jsonld(store, output)
    if quads:
        kwargs = {"prefixes": PREFIXES} if rdf_format == ox.RdfFormat.TRIG else {}
        store.ox.dump(output, rdf_format, **kwargs)
        return len(store.ox)
    triples = _union_triples(store)
    kwargs = {"prefixes": PREFIXES} if rdf_format == ox.RdfFormat.TURTLE else {}
    ox.serialize(triples, output, rdf_format, **kwargs)
    return len(triples)


def _jsonld(store: TrialStore, output: IO[bytes]) -> int:
    import rdflib

    buf = io.BytesIO()
    store.ox.dump(buf, ox.RdfFormat.N_QUADS)
    ds = rdflib.Dataset()
    ds.parse(data=buf.getvalue(), format="nquads")
    output.write(ds.serialize(format="json-ld", context=PREFIXES, auto_compact=True).encode("utf-8"))
    return len(store.ox)
