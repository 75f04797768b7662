"""Views of the store for ``list``, ``show`` and ``stats``, read back from the graph.

``trial_view`` rebuilds the trial view (docs/trial-view.md) with SPARQL over the trial's named
graph (and the reference graph for drug ids and targets), so what users see is what
the graph holds, not what the reader produced. Every key is present (``None``/``[]``).
Every query goes through the one graph reader (``trialkg.store.read``): values typed by
its rule, identifiers and names as written.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from trialkg import iris
from trialkg.criteria import eligibility_summary
from trialkg.errors import UsageError
from trialkg.mapping import (
    CONSTRAINT_DEFAULTS,
    CONSTRAINT_KEYS,
    CONSTRAINT_TYPES,
    CRITERION_DEFAULTS,
    CRITERION_KEYS,
)
from trialkg.namespace import TKG
from trialkg.prefixes import PREFIXES
from trialkg.store import TrialStore
from trialkg.store.read import IRI, properties, select

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
DCT_TITLE = PREFIXES["dcterms"] + "title"
SKOS_PREF = PREFIXES["skos"] + "prefLabel"
PROV_DERIVED = PREFIXES["prov"] + "wasDerivedFrom"

# tkg property -> (constraint JSON key, is a list): the inverse of mapping.CONSTRAINT_KEYS.
CONSTRAINT_PROPS: dict[str, tuple[str, bool]] = {
    str(prop): (key, is_list) for key, (prop, _kind, is_list) in CONSTRAINT_KEYS.items()
}
# The same for a criterion's logic keys (mapping.CRITERION_KEYS).
CRITERION_PROPS: dict[str, tuple[str, bool]] = {
    str(prop): (key, is_list) for key, (prop, _kind, is_list) in CRITERION_KEYS.items()
}


class _Node:
    """The properties of one subject inside a trial graph: ``node.one(p)``, ``node.all(p)``."""

    def __init__(self, iri: str, props: dict[str, list[Any]]) -> None:
        self.iri = iri
        self.props = props

    def all(self, prop: Any) -> list[Any]:
        return self.props.get(str(prop), [])

    def one(self, prop: Any) -> Any:
        values = self.all(prop)
        return values[0] if values else None

    def values(self, prop: Any) -> list[Any]:
        return list(self.all(prop))

    def links(self, prop: Any) -> list[str]:
        return [v for v in self.all(prop) if isinstance(v, IRI)]


class TrialGraph:
    """One trial's named graph, indexed by subject (one SPARQL query)."""

    def __init__(self, store: TrialStore, trial_id: str) -> None:
        self.trial_id = trial_id
        g = iris.trial_graph(trial_id)
        if not store.has_graph(g):
            raise UsageError(f"no trial {trial_id!r} in the store {store.path}", record=trial_id)
        own = select(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
        # The shared organisations and conditions the trial links to (docs/model.md).
        linked = select(store, f"""SELECT DISTINCT ?s ?p ?o WHERE {{
          GRAPH <{g}> {{ ?x ?link ?s }} GRAPH <{iris.ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}""")
        self.index = properties(itertools.chain(own, linked))

    def node(self, iri: str) -> _Node:
        return _Node(iri, self.index.get(iri, {}))

    def label(self, iri: str) -> Any:
        return self.node(iri).one(RDFS_LABEL)

    def nodes(self, iris_: list[str]) -> list[_Node]:
        """Nodes in their record order (``tkg:position``), then by IRI."""
        nodes = [self.node(i) for i in iris_]
        return sorted(nodes, key=lambda n: (n.one(TKG.position) or 0, n.iri))


def resolve_trial_id(store: TrialStore, ident: str) -> str:
    """Accept the trial id, the NCT id, or a trial IRI."""
    ident = ident.strip()
    for prefix in (iris.TKR + "trial/", iris.CTGOV):
        if ident.startswith(prefix):
            ident = ident[len(prefix):]
    if store.has_graph(iris.trial_graph(ident)):
        return ident
    upper = ident.upper()
    if store.has_graph(iris.trial_graph(upper)):
        return upper
    rows = list(select(
        store, f"SELECT ?id WHERE {{ ?t tkg:nctId ?n ; tkg:trialId ?id . FILTER(UCASE(STR(?n)) = {ox.Literal(upper)}) }}",
        text=True))
    if rows:
        return rows[0]["id"]
    raise UsageError(f"no trial {ident!r} in the store {store.path}", record=ident)


def list_trials(store: TrialStore) -> list[dict[str, Any]]:
    """One row per trial: id, nct_id, title, source (the file as given)."""
    q = """
    SELECT ?id ?nct ?title ?file WHERE {
      GRAPH ?g {
        ?t a tkg:Trial ; tkg:trialId ?id .
        OPTIONAL { ?t tkg:nctId ?nct }
        OPTIONAL { ?t dcterms:title ?title }
        OPTIONAL { ?t prov:wasDerivedFrom/tkg:sourceFile ?file }
      }
    } ORDER BY ?id"""
    rows: dict[str, dict[str, Any]] = {}
    for r in select(store, q, text=True):
        rows.setdefault(r["id"], {"id": r["id"], "nct_id": r["nct"], "title": r["title"], "source": r["file"]})
    return list(rows.values())


def trial_view(store: TrialStore, ident: str) -> dict[str, Any]:
    """The trial view of one trial (docs/trial-view.md), from the graph."""
    tid = resolve_trial_id(store, ident)
    tg = TrialGraph(store, tid)
    t = tg.node(iris.trial(tid))
    drug_names = _drug_names(store)  # read once: interventions, criteria and drugs use it
    sponsors = _sponsors(tg, t)
    src = tg.node(t.links(PROV_DERIVED)[0]) if t.links(PROV_DERIVED) else None
    return {
        "id": tid,
        "nct_id": t.one(TKG.nctId),
        "title": t.one(DCT_TITLE),
        "official_title": t.one(TKG.officialTitle),
        "status": t.one(TKG.overallStatus),
        "phases": sorted(t.values(TKG.phase)),
        "study_type": t.one(TKG.studyType),
        "enrollment": t.one(TKG.enrollment),
        "start_date": t.one(TKG.startDate),
        "primary_completion_date": t.one(TKG.primaryCompletionDate),
        "completion_date": t.one(TKG.completionDate),
        "conditions": sorted(tg.label(c) or c for c in t.links(TKG.hasCondition)),
        "sponsors": sponsors,
        "organizations": _organizations(tg, t, sponsors),
        "sites": [
            {"facility": s.one(TKG.facility), "city": s.one(TKG.city), "state": s.one(TKG.state),
             "country": s.one(TKG.country), "status": s.one(TKG.recruitmentStatus)}
            for s in tg.nodes(t.links(TKG.hasSite))
        ],
        "arms": [
            {"label": a.one(RDFS_LABEL), "type": a.one(TKG.armType), "description": a.one(TKG.description),
             "interventions": [_intervention(i, drug_names) for i in tg.nodes(a.links(TKG.usesIntervention))]}
            for a in tg.nodes(t.links(TKG.hasArm))
        ],
        "interventions": [_intervention(i, drug_names) for i in tg.nodes(t.links(TKG.hasIntervention))],
        "drugs": drug_details(store, t.links(TKG.hasDrug), names=drug_names),
        "biomarkers": _biomarkers(tg, t),
        "eligibility": _eligibility(tg, t, drug_names),
        "source": {"file": src.one(TKG.sourceFile) if src else None,
                   "format": src.one(TKG.sourceFormat) if src else None},
        "warnings": [_warning(w) for w in sorted(src.values(TKG.warning))] if src else [],
    }


def _sponsors(tg: TrialGraph, t: _Node) -> list[dict[str, Any]]:
    sponsors = []
    for prop, role in ((TKG.leadSponsor, "lead"), (TKG.collaborator, "collaborator")):
        for org in sorted(t.links(prop), key=lambda i: tg.label(i) or i):
            sponsors.append({"name": tg.label(org), "role": role, "class": tg.node(org).one(TKG.agencyClass)})
    return sponsors


def _organizations(tg: TrialGraph, t: _Node, sponsors: list[dict[str, Any]]) -> list[str]:
    """Sponsors, then the responsible party, then the officials' affiliations, each once."""
    organizations: dict[str, None] = {s["name"]: None for s in sponsors if s["name"]}
    orgs = list(t.links(TKG.responsibleParty))
    orgs += [org for off in tg.nodes(t.links(TKG.hasOfficial)) for org in off.links(TKG.affiliation)]
    for org in orgs:
        if tg.label(org):
            organizations.setdefault(tg.label(org), None)
    return list(organizations)


def _intervention(n: _Node, drug_names: dict[str, str]) -> dict[str, Any]:
    view = {"name": n.one(RDFS_LABEL), "type": n.one(TKG.interventionType),
            "drugs": sorted(drug_names.get(d, _slug_name(d)) for d in n.links(TKG.hasDrug))}
    if n.one(TKG.inferred):
        view["inferred"] = True
        view["inferred_from"] = n.one(TKG.inferredFrom)
    return view


def _biomarkers(tg: TrialGraph, t: _Node) -> list[dict[str, Any]]:
    arm_of = {b: a.one(RDFS_LABEL) for a in tg.nodes(t.links(TKG.hasArm)) for b in a.links(TKG.definedByBiomarker)}
    return [
        {"label": b.one(RDFS_LABEL), "gene": b.one(TKG.primaryGene), "genes": sorted(b.values(TKG.geneSymbol)),
         "kind": b.one(TKG.primaryKind), "kinds": sorted(b.values(TKG.biomarkerKind)),
         "variant": b.one(TKG.variant), "assay": b.one(TKG.assay), "threshold": b.one(TKG.threshold),
         "region": b.one(TKG.region), "text": b.one(TKG.text), "found_in": b.one(TKG.foundIn),
         "arm": arm_of.get(b.iri)}
        for b in sorted((tg.node(i) for i in t.links(TKG.hasBiomarker)), key=lambda n: _position_from_iri(n.iri))
    ]


def _eligibility(tg: TrialGraph, t: _Node, drug_names: dict[str, str]) -> dict[str, Any]:
    criteria = [_criterion(tg, c, drug_names) for c in _criteria_order(tg, t)]
    summary = _eligibility_summary(criteria)
    return {
        "min_age_years": t.one(TKG.minimumAgeYears),
        "max_age_years": t.one(TKG.maximumAgeYears),
        "sex": t.one(TKG.sex),
        "healthy_volunteers": t.one(TKG.healthyVolunteers),
        "ecog": summary.get("ecog"),
        "criteria": criteria,
        "prior_therapy_exclusions": summary.get("prior_therapy_exclusions") or [],
    }


_WARNING = re.compile(r"^(?P<field>[^:]*): (?P<message>.*) \((?P<code>[\w.-]+)\)$", re.S)


def _warning(text: str) -> dict[str, Any]:
    """Parse back the "field: message (code)" literal that mapping writes."""
    m = _WARNING.match(text)
    if m is None:
        return {"field": None, "message": text, "code": "warning"}
    return m.groupdict()


def _position_from_iri(iri: str) -> int:
    tail = iri.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _criteria_order(tg: TrialGraph, t: _Node) -> list[_Node]:
    nodes = [tg.node(c) for c in t.links(TKG.hasCriterion)]
    return sorted(nodes, key=lambda n: (n.one(TKG.section) != "inclusion", n.one(TKG.position) or 0, n.iri))


def _criterion(tg: TrialGraph, c: _Node, drug_names: dict[str, str]) -> dict[str, Any]:
    constraints = []
    for k in sorted(c.links(TKG.hasConstraint), key=_position_from_iri):
        constraints.append(_constraint(tg.node(k), drug_names))
    role = c.one(TKG.criterionRole)
    lead = c.one(TKG.leadIn)
    out = {"id": c.iri.rsplit("/", 1)[-1], "section": c.one(TKG.section), "text": c.one(TKG.text),
           "negated": bool(c.one(TKG.negated)), "category": c.one(TKG.category), "constraints": constraints,
           "position": c.one(TKG.position), "context": c.one(TKG.context), "trial_id": tg.trial_id,
           "role": str(role).rsplit("#", 1)[-1].lower() if role else None}
    if lead:
        out["lead_in"] = str(lead).rsplit("/", 1)[-1]
    for prop, values in c.props.items():
        spec = CRITERION_PROPS.get(prop)
        if spec is not None:
            vals = list(values)
            out[spec[0]] = sorted(vals, key=str) if spec[1] else vals[0]
    return {**CRITERION_DEFAULTS, **out}  # a default is not written (docs/model.md "Defaults")


def _constraint(n: _Node, drug_names: dict[str, str]) -> dict[str, Any]:
    ctype = next((CONSTRAINT_TYPES[c] for c in n.all(RDF_TYPE) if c in CONSTRAINT_TYPES), "unparsed")
    out: dict[str, Any] = {"type": ctype, **CONSTRAINT_DEFAULTS}
    for prop, values in n.props.items():
        spec = CONSTRAINT_PROPS.get(prop)
        if spec is None:
            continue
        key, is_list = spec
        if prop == str(TKG.priorDrug):
            vals: list[Any] = sorted(drug_names.get(v, _slug_name(v)) for v in values)
        elif prop == str(TKG.priorDrugClass):
            vals = sorted(v.rsplit("/", 1)[-1] for v in values)
        else:
            vals = list(values)
            if is_list:
                vals.sort(key=_value_order)
        out[key] = vals if is_list else vals[0]
    return out


def _value_order(value: Any) -> tuple[str, Any]:
    """Values of one list key ordered by their kind (booleans, numbers, text), then value."""
    kind = next((t for t in (bool, int, float, str) if isinstance(value, t)), type(value))
    return (str(kind), value)


def _eligibility_summary(criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """``ecog`` and ``prior_therapy_exclusions`` by the criteria stage's own rule."""
    return dict(eligibility_summary(criteria))


def _slug_name(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _drug_names(store: TrialStore) -> dict[str, str]:
    names: dict[str, str] = {}
    q = (f"SELECT ?d ?n WHERE {{ GRAPH <{iris.REFERENCE_GRAPH}> {{ ?d a ?c ; skos:prefLabel|rdfs:label ?n . "
         "VALUES ?c { tkg:Drug tkg:SmallMoleculeDrug tkg:Antibody tkg:ProteinDrug } } }")
    for r in select(store, q, text=True):
        names.setdefault(r["d"], r["n"])
    return names


def drug_details(store: TrialStore, drug_iris: list[str], *, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Name, ids and targets of each drug, from the reference graph (``names``: the
    reference drug names, when the caller has read them already)."""
    names = _drug_names(store) if names is None else names
    return [_drug_detail(store, d, names.get(d, _slug_name(d)))
            for d in sorted(set(drug_iris), key=lambda i: names.get(i, _slug_name(i)))]


_DRUG_DETAIL = f"""
SELECT ?chembl ?drugbank ?pubchem ?class ?acc ?symbol ?family ?action WHERE {{
  GRAPH <{iris.REFERENCE_GRAPH}> {{
    OPTIONAL {{ ?d tkg:chemblId ?chembl }}
    OPTIONAL {{ ?d tkg:drugbankId ?drugbank }}
    OPTIONAL {{ ?d tkg:pubchemCid ?pubchem }}
    OPTIONAL {{ ?d tkg:inDrugClass/tkg:classKey ?class }}
    OPTIONAL {{
      {{ ?d tkg:targets ?p OPTIONAL {{ ?i tkg:drug ?d ; tkg:target ?p ; tkg:action ?action }} }}
      OPTIONAL {{ ?p tkg:uniprotId ?acc }}
      OPTIONAL {{ ?p tkg:geneSymbol ?symbol }}
      OPTIONAL {{ ?p tkg:inFamily/tkg:familyKey ?family }}
    }}
  }}
}}"""


def _drug_detail(store: TrialStore, d: str, name: str) -> dict[str, Any]:
    """One drug's identifiers (as written), classes and targets."""
    ids: dict[str, str] = {}
    targets: dict[str, dict[str, Any]] = {}
    classes: set[str] = set()
    # ?d is written into the text: every OPTIONAL reads the one drug
    for r in select(store, _DRUG_DETAIL.replace("?d ", f"<{d}> "), text=True):
        for key in ("chembl", "drugbank", "pubchem"):
            if r[key]:
                ids[key] = r[key]
        if r["class"]:
            classes.add(r["class"])
        acc, symbol = r["acc"], r["symbol"]
        if acc or symbol:
            entry = targets.setdefault(acc or symbol, {"symbol": None, "uniprot": acc, "family": None, "action": None})
            if r["action"] and not entry["action"]:
                entry["action"] = r["action"]
            if symbol:
                entry["symbol"] = symbol
            if r["family"] and not entry["family"]:
                entry["family"] = r["family"]
    return {"name": name, "ids": ids,
            "targets": sorted(targets.values(), key=lambda x: (x["symbol"] or "", x["uniprot"] or "")),
            "classes": sorted(classes)}


# -- stats --------------------------------------------------------------------------

def stats(store: TrialStore) -> dict[str, Any]:
    """Counts by class and by source format; normalisation and criteria coverage."""
    return {
        "trials": len(store.trial_ids()),
        "triples": len(store.ox),
        "by_class": _class_counts(store),
        "by_source": {r["f"]: r["n"] for r in select(store, """SELECT ?f (COUNT(DISTINCT ?s) AS ?n) WHERE {
            GRAPH ?g { ?s tkg:sourceFormat ?f } } GROUP BY ?f ORDER BY ?f""")},
        "normalisation": _normalisation(store),
        "criteria": _criteria_counts(store),
    }


def _class_counts(store: TrialStore) -> dict[str, int]:
    """Subjects per trialkg class (``Trial``) and PROV class (``prov:Entity``)."""
    tkg, prov = str(TKG._NS), PREFIXES["prov"]
    by_class = {}
    for r in select(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c ORDER BY ?c"):
        c = r["c"]
        if c.startswith(tkg) or c.startswith(prov):
            by_class[c.rsplit("#", 1)[-1] if c.startswith(tkg) else "prov:" + c.rsplit("#", 1)[-1]] = r["n"]
    return by_class


def _normalisation(store: TrialStore) -> dict[str, Any]:
    """Interventions resolved to a drug, left unresolved (by name), or not drugs."""
    resolved, unresolved_names, no_drug = 0, [], 0
    for r in select(store, """
        SELECT ?i ?name ?type (COUNT(?d) AS ?drugs) (SAMPLE(?u) AS ?unres) WHERE { GRAPH ?g {
          ?i a tkg:Intervention ; rdfs:label ?name .
          OPTIONAL { ?i tkg:interventionType ?type }
          OPTIONAL { ?i tkg:hasDrug ?d }
          OPTIONAL { ?i tkg:unresolved ?u } } } GROUP BY ?i ?name ?type ORDER BY ?name"""):
        if r["drugs"] > 0:
            resolved += 1
        elif r["unres"] is True:
            unresolved_names.append(r["name"])
        else:
            no_drug += 1
    return {
        "interventions": resolved + len(unresolved_names) + no_drug,
        "resolved": resolved,
        "unresolved": len(unresolved_names),
        "not_drugs": no_drug,
        # name -> how many interventions write it so, most frequent first
        "unresolved_names": dict(sorted(Counter(unresolved_names).items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _criteria_counts(store: TrialStore) -> dict[str, Any]:
    """Criteria items, those with a parsed constraint, and constraints per type."""
    crit = next(select(store, """
        SELECT (COUNT(DISTINCT ?c) AS ?items) (COUNT(DISTINCT ?parsed) AS ?p) WHERE { GRAPH ?g {
          ?c a tkg:Criterion .
          OPTIONAL { ?c tkg:hasConstraint ?k . ?k a ?t . FILTER(?t != tkg:UnparsedConstraint) BIND(?c AS ?parsed) }
        } }"""))
    constraints: dict[str, int] = {}
    for r in select(store, "SELECT ?t (COUNT(DISTINCT ?k) AS ?n) WHERE { GRAPH ?g { ?c tkg:hasConstraint ?k . ?k a ?t } } GROUP BY ?t"):
        ctype = CONSTRAINT_TYPES.get(r["t"])
        if ctype is not None:
            constraints[ctype] = constraints.get(ctype, 0) + r["n"]
    items, parsed = crit["items"], crit["p"]
    return {"items": items, "parsed": parsed, "unparsed": items - parsed, "constraints": dict(sorted(constraints.items()))}


def stats_rows(s: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The stats document flattened to (section, key, value) rows for table/csv output."""
    yield {"section": "total", "key": "trials", "value": s["trials"]}
    yield {"section": "total", "key": "triples", "value": s["triples"]}
    for k, v in s["by_class"].items():
        yield {"section": "class", "key": k, "value": v}
    for k, v in s["by_source"].items():
        yield {"section": "source", "key": k, "value": v}
    for k, v in s["normalisation"].items():
        if k != "unresolved_names":
            yield {"section": "normalisation", "key": k, "value": v}
    for k, v in s["normalisation"].get("unresolved_names", {}).items():
        yield {"section": "unresolved", "key": k, "value": v}
    for k, v in s["criteria"].items():
        if k != "constraints":
            yield {"section": "criteria", "key": k, "value": v}
    for k, v in s["criteria"]["constraints"].items():
        yield {"section": "constraints", "key": k, "value": v}
