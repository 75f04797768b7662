"""JSON-LD compacted with the shipped ``ontology/context.jsonld``: short terms users can
read, and expanding it (rdflib's JSON-LD parser) gives back exactly the store's triples."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

from trialkg import iris, jsonld
from trialkg.export import export
from trialkg.resources import ontology_file
from trialkg.serve.neighbourhood import trial_jsonld
from trialkg.store import TrialStore


def test_the_shipped_context_names_only_what_the_ontology_defines() -> None:
    context = jsonld.shipped_context()
    defined = {t.subject.value for t in ox.parse(ontology_file("trialkg.ttl").read_bytes(), ox.RdfFormat.TURTLE)
               if isinstance(t.subject, ox.NamedNode)}
    c = jsonld.Compactor(context)
    external = {iri for iri, _ref in jsonld.EXTERNAL_TERMS.values()}
    for term, value in context.items():
        if term in jsonld.PREFIXES:
            continue
        iri = c.expand(value if isinstance(value, str) else value["@id"])
        assert iri in defined or iri in external, term
    # the terms users meet first
    assert context["Trial"] == "tkg:Trial"
    assert context["hasArm"] == {"@id": "tkg:hasArm", "@type": "@id"}


def test_trial_jsonld_is_compact_and_round_trips(seed_store: Path) -> None:
    store = TrialStore(seed_store, read_only=True)
    for tid in store.trial_ids():
        doc = json.loads(trial_jsonld(store, tid))
        trial = next(n for n in doc["@graph"] if n["@id"] == f"tkr:trial/{tid}")
        assert "Trial" in (trial["@type"] if isinstance(trial["@type"], list) else [trial["@type"]])
        assert "hasCriterion" in trial and "trialId" in trial
        got = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
        want = rdflib.Graph().parse(data=store.graph_ntriples(iris.trial_graph(tid)), format="nt")
        assert isomorphic(got, want), tid


def test_export_jsonld_uses_the_shipped_context(seed_store: Path) -> None:
    store = TrialStore(seed_store, read_only=True)
    buf = io.BytesIO()
    export(store, "jsonld", buf)
    doc = json.loads(buf.getvalue())
    assert doc["@context"] == jsonld.shipped_context()
    graphs = {g["@id"]: g["@graph"] for g in doc["@graph"]}
    assert sorted(jsonld.Compactor(doc["@context"]).expand(g) for g in graphs) == store.graph_names()
    ds = rdflib.Dataset()
    ds.parse(data=buf.getvalue(), format="json-ld")
    assert sum(1 for _ in ds.quads()) == len(store.ox)


def test_the_context_is_built_from_the_ontology() -> None:
    """``python -m trialkg.tools.gen_context`` regenerates ontology/context.jsonld from trialkg.ttl."""
    built = jsonld.build_context()
    shipped = jsonld.shipped_context()
    assert set(shipped) <= set(built) | set(jsonld.PREFIXES)
