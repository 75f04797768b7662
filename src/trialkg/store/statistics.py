"""Store-wide counts, kept in the statistics graph (``tkr:graph/statistics``).

A registry-wide count ("trials per target family and phase", "trials of each sponsor
with each drug") read from the per-trial summary facts is one row per trial: it grows
with the store (125 ms at 100k trials). The build therefore counts once, when it ends,
and writes the counts here; the stored queries that answer with counts read them
(docs/model.md "Statistics graph"). The graph is recomputed from the store at the end
of every build, so it always describes the trials in the store, whatever was added,
replaced or removed. Its cost grows with the store, like the reference graph's.

- ``tkg:FamilyPhaseCount``: trials per target family and phase (``tkg:familyPhaseKey``);
- ``tkg:SponsorDrugCount``: trials per sponsor or collaborator and drug, for the drugs
  with a known target (``tkg:sponsorDrugKey``; what sponsor-drug-target lists);
- ``tkg:trialCount`` on a drug: the trial graphs that name it (``tkg:hasDrug``).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyoxigraph as ox

from trialkg import iris
from trialkg.store.read import select

_TKG = iris.TKG
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def _p(local: str) -> ox.NamedNode:
    return ox.NamedNode(_TKG + local)


def _count_node(kind: str, key: str) -> ox.NamedNode:
    """``tkr:count/<kind>/<digest of the key>``: deterministic, whatever the key holds."""
    return ox.NamedNode(f"{iris.TKR}count/{kind}/{hashlib.sha1(key.encode('utf-8')).hexdigest()[:20]}")


def _n(value: Any) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=_INTEGER)


def _key_counts(store: Any, predicate: str) -> list[tuple[str, int]]:
    query = f"SELECT ?key (COUNT(?t) AS ?n) WHERE {{ ?t <{_TKG}{predicate}> ?key }} GROUP BY ?key"
    return sorted((row["key"], row["n"]) for row in select(store, query))


def statistics_triples(store: Any) -> list[ox.Triple]:
    """The statistics graph of ``store`` (a ``TrialStore``), from its summary facts."""
    out: list[ox.Triple] = []
    for key, n in _key_counts(store, "familyPhaseKey"):
        family, _, phase = key.partition(" ")
        node = _count_node("family-phase", key)
        out += [ox.Triple(node, _RDF_TYPE, _p("FamilyPhaseCount")),
                ox.Triple(node, _p("countedFamily"), ox.NamedNode(str(family))),
                ox.Triple(node, _p("countedPhase"), ox.Literal(str(phase))),
                ox.Triple(node, _p("trialCount"), _n(n))]
    targeted = {row["d"] for row in select(
        store, f"SELECT DISTINCT ?d WHERE {{ GRAPH <{iris.REFERENCE_GRAPH}> {{ ?d <{_TKG}targets> ?p }} }}")}
    for key, n in _key_counts(store, "sponsorDrugKey"):
        org, _, drug = key.partition(" ")
        if drug not in targeted:
            continue
        node = _count_node("sponsor-drug", key)
        out += [ox.Triple(node, _RDF_TYPE, _p("SponsorDrugCount")),
                ox.Triple(node, _p("countedSponsor"), ox.NamedNode(str(org))),
                ox.Triple(node, _p("countedDrug"), ox.NamedNode(str(drug))),
                ox.Triple(node, _p("trialCount"), _n(n))]
    per_drug = (f"SELECT ?d (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?x <{_TKG}hasDrug> ?d }} "
                f"FILTER(?g != <{iris.STATISTICS_GRAPH}>) }} GROUP BY ?d")
    for row in sorted(select(store, per_drug), key=lambda r: r["d"]):
        out.append(ox.Triple(ox.NamedNode(str(row["d"])), _p("trialCount"), _n(row["n"])))
    return out
