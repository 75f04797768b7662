"""What the pages show about drugs, targets, families and sets of trials, read from the store.

The trial page itself is ``views.trial_view`` (the same view ``trialkg show`` prints);
the trials behind a target or family come from the stored query ``trials-by-target``;
this module adds the few reads those do not cover (a drug's names, a protein's aliases,
a summary row per trial) and the counts by phase, status and sponsor.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from trialkg import iris
from trialkg import queries as q
from trialkg.namespace import TKG
from trialkg.store import TrialStore
from trialkg.views import DCT_TITLE, RDFS_LABEL, SKOS_PREF, drug_details

SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
REF = f"<{iris.REFERENCE_GRAPH}>"


def _values(iris_: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in iris_)


def _props(store: TrialStore, iri: str) -> dict[str, list[str]]:
    """Every property of one reference-graph subject, as text."""
    out: dict[str, list[str]] = {}
    for r in store.query(f"SELECT ?p ?o WHERE {{ GRAPH {REF} {{ <{iri}> ?p ?o }} }}"):
        out.setdefault(r["p"].value, []).append(r["o"].value)
    return {k: sorted(set(v)) for k, v in out.items()}


def trial_summaries(store: TrialStore, trial_ids: Iterable[str]) -> list[dict[str, Any]]:
    """One row per trial: id, title, status, phases, lead sponsor, start date."""
    ids = sorted(set(trial_ids))
    rows: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sparql = f"""
        SELECT ?id ?title ?status ?phase ?sponsor ?start WHERE {{
          VALUES ?t {{ {_values(iris.trial(i) for i in chunk)} }}
          ?t <{TKG.trialId}> ?id .
          OPTIONAL {{ ?t <{DCT_TITLE}> ?title }}
          OPTIONAL {{ ?t <{TKG.overallStatus}> ?status }}
          OPTIONAL {{ ?t <{TKG.phase}> ?phase }}
          OPTIONAL {{ ?t <{TKG.startDate}> ?start }}
          OPTIONAL {{ ?t <{TKG.leadSponsor}> ?org . ?org <{RDFS_LABEL}> ?sponsor }}
        }}"""
        for r in store.query(sparql):
            tid = r["id"].value
            row = rows.setdefault(tid, {"id": tid, "title": None, "status": None, "phases": set(),
                                        "sponsor": None, "start": None})
            for key in ("title", "status", "sponsor", "start"):
                if r[key] is not None and row[key] is None:
                    row[key] = r[key].value
            if r["phase"] is not None:
                row["phases"].add(r["phase"].value)
    out = []
    for tid in ids:
        row = rows.get(tid)
        if row is None:
            continue
        row["phases"] = sorted(row["phases"])
        out.append(row)
    return out


def breakdown(trials: list[dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    """Counts by phase, status and lead sponsor (most first) for a list of summaries."""
    phases: Counter[str] = Counter()
    for t in trials:
        phases.update(t["phases"] or ["(none)"])
    statuses = Counter(t["status"] or "(unknown)" for t in trials)
    sponsors = Counter(t["sponsor"] or "(unknown)" for t in trials)
    return {"phases": sorted(phases.items()), "statuses": statuses.most_common(),
            "sponsors": sponsors.most_common(15)}


def trials_of_drugs(store: TrialStore, drug_iris: Iterable[str]) -> dict[str, set[str]]:
    """Drug IRI -> ids of the trials that test it."""
    drugs = sorted(set(drug_iris))
    out: dict[str, set[str]] = {d: set() for d in drugs}
    if not drugs:
        return out
    sparql = f"""SELECT ?d ?id WHERE {{ VALUES ?d {{ {_values(drugs)} }}
      ?t <{TKG.hasDrug}> ?d ; <{TKG.trialId}> ?id . }}"""
    for r in store.query(sparql):
        out[r["d"].value].add(r["id"].value)
    return out


def drug_page(store: TrialStore, drug_iri: str) -> dict[str, Any] | None:
    """A drug's names, identifiers, classes, targets and trials; ``None`` if unknown."""
    props = _props(store, drug_iri)
    if not props:
        return None
    details = drug_details(store, [drug_iri])[0]
    trial_ids = trials_of_drugs(store, [drug_iri])[drug_iri]
    trials = trial_summaries(store, trial_ids)
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
    rows = list(store.query(sparql))
    return rows[0]["p"].value if rows else None


def _by_target(store: TrialStore, key: str) -> list[dict[str, Any]]:
    """Rows of the stored query ``trials-by-target`` (symbol or family key)."""
    stored = q.get_stored_query("trials-by-target")
    table = q.run_local(stored, q.bind_params(stored, {"target": key}), store)
    return table.records()


def target_page(store: TrialStore, protein_iri: str) -> dict[str, Any] | None:
    props = _props(store, protein_iri)
    symbol = (props.get(str(TKG.geneSymbol)) or [None])[0]
    if not props or symbol is None:
        return None
    drugs: dict[str, dict[str, Any]] = {}
    sparql = f"""SELECT ?d ?name (SAMPLE(?a) AS ?action) WHERE {{ GRAPH {REF} {{
      ?d <{TKG.targets}> <{protein_iri}> ; <{RDFS_LABEL}> ?name .
      OPTIONAL {{ ?i <{TKG.drug}> ?d ; <{TKG.target}> <{protein_iri}> ; <{TKG.action}> ?a }} }} }}
      GROUP BY ?d ?name ORDER BY ?name"""
    for r in store.query(sparql):
        drugs.setdefault(r["d"].value, {"iri": r["d"].value, "name": r["name"].value,
                                        "action": r["action"].value if r["action"] else None})
    rows = _by_target(store, symbol)
    per_drug = Counter(r["drug"] for r in rows)
    for d in drugs.values():
        d["trials"] = per_drug.get(d["name"], 0)
    trials = trial_summaries(store, {r["trial"] for r in rows})
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


def family_page(store: TrialStore, key: str) -> dict[str, Any] | None:
    family_iri = iris.family(key)
    props = _props(store, family_iri)
    if not props:
        return None
    members = []
    sparql = f"""SELECT DISTINCT ?p ?symbol WHERE {{ GRAPH {REF} {{
      ?p <{TKG.inFamily}>/<{SKOS_BROADER}>* <{family_iri}> ; <{TKG.geneSymbol}> ?symbol }} }} ORDER BY ?symbol"""
    for r in store.query(sparql):
        members.append({"iri": r["p"].value, "symbol": r["symbol"].value})
    narrower = [r["f"].value for r in store.query(
        f"SELECT ?f WHERE {{ GRAPH {REF} {{ ?f <{SKOS_BROADER}> <{family_iri}> }} }} ORDER BY ?f")]
    rows = _by_target(store, key)
    drugs = Counter(r["drug"] for r in {(r["trial"], r["drug"]): r for r in rows}.values())
    trials = trial_summaries(store, {r["trial"] for r in rows})
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
    rows = list(store.query(sparql))
    return rows[0]["d"].value if rows else None


def provenance(store: TrialStore, trial_id: str) -> dict[str, Any]:
    """The source record of a trial: file, format, layout, sha256, when it was read."""
    sparql = f"""SELECT ?p ?o WHERE {{ GRAPH <{iris.trial_graph(trial_id)}> {{
      <{iris.trial(trial_id)}> <{PROV_DERIVED}> ?src . ?src ?p ?o }} }}"""
    out: dict[str, Any] = {}
    for r in store.query(sparql):
        key = r["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        out.setdefault(key, r["o"].value)
    return out
