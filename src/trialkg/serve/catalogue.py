"""What the pages show about drugs, targets, families and sets of trials, read from the store.

The trial page itself is ``views.trial_view`` (the same view ``trialkg show`` prints);
the trials behind a drug, target or family and their summary rows come from the
server's directory (``search.SearchIndex``, read once at start; the same trials the
stored query ``trials-by-target`` finds, tests/test_serve_pages.py checks it); this
module adds the few reads those do not cover (a drug's names, a protein's aliases, a
family's members) and the counts by phase, status and sponsor.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyoxigraph as ox

from trialkg import iris
from trialkg.namespace import TKG
from trialkg.serve.search import SearchIndex
from trialkg.store import TrialStore
from trialkg.store.read import select
from trialkg.views import RDFS_LABEL, SKOS_PREF, drug_details

SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
REF = f"<{iris.REFERENCE_GRAPH}>"


def _props(store: TrialStore, iri: str) -> dict[str, list[str]]:
    """Every property of one reference-graph subject, as text."""
    out: dict[str, list[str]] = {}
    for r in select(store, f"SELECT ?p ?o WHERE {{ GRAPH {REF} {{ <{iri}> ?p ?o }} }}", text=True):
        out.setdefault(r["p"], []).append(r["o"])
    return {k: sorted(set(v)) for k, v in out.items()}


def breakdown(trials: list[dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    """Counts by phase, status and lead sponsor (most first) for a list of summaries."""
    phases: Counter[str] = Counter()
    for t in trials:
        phases.update(t["phases"] or ["(none)"])
    statuses = Counter(t["status"] or "(unknown)" for t in trials)
    sponsors = Counter(t["sponsor"] or "(unknown)" for t in trials)
    return {"phases": sorted(phases.items()), "statuses": statuses.most_common(),
            "sponsors": sponsors.most_common(15)}


def drug_page(store: TrialStore, index: SearchIndex, drug_iri: str) -> dict[str, Any] | None:
    """A drug's names, identifiers, classes, targets and trials; ``None`` if unknown."""
    props = _props(store, drug_iri)
    if not props:
        return None
    details = drug_details(store, [drug_iri])[0]
    trials = index.summaries(index.trials_of(drug_iri))
    name = details["name"]
    return {
        "iri": drug_iri, "name": name,
        "synonyms": [s for s in props.get(SKOS_ALT, []) if s.lower() != name.lower()],
        "code_names": props.get(str(TKG.codeName), []),
        "salts": props.get(str(TKG.saltForm), []),
        "ids": details["ids"], "classes": details["classes"], "targets": details["targets"],
        "trials": trials, "breakdown": breakdown(trials),
    }


def protein_for(store: TrialStore, ident: str) -> str | None:
    """The protein IRI for an HGNC symbol (any case) or a UniProt accession."""
    lit = ox.Literal(ident.strip().upper())
    sparql = f"""SELECT ?p WHERE {{ GRAPH {REF} {{
      {{ ?p <{TKG.uniprotId}> {lit} }} UNION
      {{ ?p a <{TKG.Protein}> ; <{TKG.geneSymbol}> ?s . FILTER(UCASE(STR(?s)) = {lit}) }} }} }} LIMIT 1"""
    rows = list(select(store, sparql, text=True))
    return rows[0]["p"] if rows else None


def target_page(store: TrialStore, index: SearchIndex, protein_iri: str) -> dict[str, Any] | None:
    props = _props(store, protein_iri)
    symbol = (props.get(str(TKG.geneSymbol)) or [None])[0]
    if not props or symbol is None:
        return None
    drugs: dict[str, dict[str, Any]] = {}
    sparql = f"""SELECT ?d ?name (SAMPLE(?a) AS ?action) WHERE {{ GRAPH {REF} {{
      ?d <{TKG.targets}> <{protein_iri}> ; <{RDFS_LABEL}> ?name .
      OPTIONAL {{ ?i <{TKG.drug}> ?d ; <{TKG.target}> <{protein_iri}> ; <{TKG.action}> ?a }} }} }}
      GROUP BY ?d ?name ORDER BY ?name"""
    for r in select(store, sparql, text=True):
        drugs.setdefault(r["d"], {"iri": r["d"], "name": r["name"], "action": r["action"]})
    for d in drugs.values():
        d["trials"] = len(index.trials_of(d["iri"]))
    trials = index.summaries(index.trials_of(protein_iri))
    families = [{"key": _family_key(store, f), "iri": f} for f in props.get(str(TKG.inFamily), [])]
    return {
        "iri": protein_iri, "symbol": symbol, "name": (props.get(RDFS_LABEL) or [symbol])[0],
        "aliases": props.get(SKOS_ALT, []), "uniprot": (props.get(str(TKG.uniprotId)) or [None])[0],
        "hgnc": (props.get(str(TKG.hgncId)) or [None])[0], "families": families,
        "drugs": list(drugs.values()), "trials": trials, "breakdown": breakdown(trials),
    }


def _family_key(store: TrialStore, family_iri: str) -> str:
    props = _props(store, family_iri)
    return (props.get(str(TKG.familyKey)) or [family_iri.rsplit("/", 1)[-1]])[0]


def family_page(store: TrialStore, index: SearchIndex, key: str) -> dict[str, Any] | None:
    family_iri = iris.family(key)
    props = _props(store, family_iri)
    if not props:
        return None
    members = []
    sparql = f"""SELECT DISTINCT ?p ?symbol WHERE {{ GRAPH {REF} {{
      ?p <{TKG.inFamily}>/<{SKOS_BROADER}>* <{family_iri}> ; <{TKG.geneSymbol}> ?symbol }} }} ORDER BY ?symbol"""
    for r in select(store, sparql, text=True):
        members.append({"iri": r["p"], "symbol": r["symbol"]})
    narrower = [r["f"] for r in select(
        store, f"SELECT ?f WHERE {{ GRAPH {REF} {{ ?f <{SKOS_BROADER}> <{family_iri}> }} }} ORDER BY ?f", text=True)]
    trial_ids = index.trials_of(family_iri)
    drugs: Counter[str] = Counter()
    sparql = f"""SELECT DISTINCT ?d ?name WHERE {{ GRAPH {REF} {{
      ?d <{TKG.targets}>/<{TKG.inFamily}>/<{SKOS_BROADER}>* <{family_iri}> ; <{RDFS_LABEL}> ?name }} }}"""
    for r in select(store, sparql, text=True):
        n = len(index.trials_of(r["d"]) & trial_ids)
        if n:
            drugs[r["name"]] = n
    trials = index.summaries(trial_ids)
    return {
        "iri": family_iri, "key": (props.get(str(TKG.familyKey)) or [key.upper()])[0],
        "name": (props.get(RDFS_LABEL) or [key])[0], "aliases": props.get(SKOS_ALT, []),
        "broader": [_family_key(store, b) for b in props.get(SKOS_BROADER, [])],
        "narrower": [_family_key(store, f) for f in narrower],
        "members": members, "drugs": drugs.most_common(), "trials": trials, "breakdown": breakdown(trials),
    }


def drug_iri_for(store: TrialStore, name: str) -> str | None:
    """A drug IRI for its name, a synonym, a brand or a code name (any case)."""
    direct = iris.drug(name)
    if store.query(f"ASK {{ GRAPH {REF} {{ <{direct}> a <{TKG.Drug}> }} }}"):
        return direct
    lit = ox.Literal(name.strip().lower())
    sparql = f"""SELECT ?d WHERE {{ GRAPH {REF} {{ ?d a <{TKG.Drug}> ;
      <{SKOS_PREF}>|<{RDFS_LABEL}>|<{SKOS_ALT}>|<{TKG.codeName}> ?n . FILTER(LCASE(STR(?n)) = {lit}) }} }} LIMIT 1"""
    rows = list(select(store, sparql, text=True))
    return rows[0]["d"] if rows else None


def provenance(store: TrialStore, trial_id: str) -> dict[str, Any]:
    """The source record of a trial: file, format, layout, sha256, when it was read."""
    sparql = f"""SELECT ?p ?o WHERE {{ GRAPH <{iris.trial_graph(trial_id)}> {{
      <{iris.trial(trial_id)}> <{PROV_DERIVED}> ?src . ?src ?p ?o }} }}"""
    out: dict[str, Any] = {}
    for r in select(store, sparql, text=True):
        key = r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        out.setdefault(key, r["o"])
    return out
