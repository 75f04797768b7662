"""Project the RDF graph onto networkx, and draw or export the projection.

The projection reads the store with a handful of SPARQL SELECTs (one per relation of
docs/model.md), never by loading the store into rdflib, so it scales with the size of
the answer rather than the size of the store. Nodes are keyed by their IRI and carry a
``type`` (one of ``NODE_TYPES``), a short ``label`` and identifiers (NCT id, UniProt,
ChEMBL, a ``url`` to follow); edges carry a ``type`` (the relation).

Pictures are reduced before drawing (``reduce_for_drawing``) by the focus rules the
pages of ``trialkg serve`` follow: trials collapse into one node per phase with trial
counts, a column of more than ``PER_COLUMN`` nodes folds its least linked ones into a
"+ N more" node, and only then are nodes left out (target families last); the picture
says what was done. Exports (GraphML, GEXF) keep everything, with scalar attributes only
so that Cytoscape and Gephi open them.
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import IO, Any

import networkx as nx

from trialkg import iris
from trialkg.errors import UsageError
from trialkg.prefixes import SPARQL_PREFIXES

# -- node and edge types ------------------------------------------------------------

NODE_TYPES: tuple[str, ...] = (
    "sponsor",
    "site",
    "condition",
    "trial",
    "arm",
    "criterion",
    "biomarker",
    "drug",
    "drug_class",
    "target",
    "target_family",
)

# Column of each type in the layered layout: left to right follows the model's arrows.
LAYER: dict[str, int] = {t: i for i, t in enumerate(NODE_TYPES)}

# Colour-blind friendly palette (Okabe-Ito plus two neutrals), one colour per type.
COLOURS: dict[str, str] = {
    "sponsor": "#7f7f7f",
    "site": "#b5b5b5",
    "condition": "#CC79A7",
    "trial": "#0072B2",
    "arm": "#56B4E9",
    "criterion": "#8c6d31",
    "biomarker": "#F0E442",
    "drug": "#D55E00",
    "drug_class": "#E69F00",
    "target": "#009E73",
    "target_family": "#1b5e20",
}

VIEWS: tuple[str, ...] = ("trials-drugs-targets", "sponsors", "criteria")

UNIPROT_PAGE = "https://www.uniprot.org/uniprotkb/{}/entry"
CHEMBL_PAGE = "https://www.ebi.ac.uk/chembl/compound_report_card/{}/"

PREFIXES = SPARQL_PREFIXES

# -- SPARQL: one SELECT per relation (docs/model.md) ------------------------------------

Q_TRIALS = (
    PREFIXES
    + """
SELECT ?t (SAMPLE(?id0) AS ?id) (SAMPLE(?nct0) AS ?nct) (SAMPLE(?label0) AS ?label)
       (SAMPLE(?status0) AS ?status) (GROUP_CONCAT(DISTINCT ?phase0; separator="; ") AS ?phases)
WHERE {
  ?t tkg:trialId ?id0 .
  OPTIONAL { ?t tkg:nctId ?nct0 }
  OPTIONAL { ?t rdfs:label ?label0 }
  OPTIONAL { ?t tkg:overallStatus ?status0 }
  OPTIONAL { ?t tkg:phase ?phase0 }
} GROUP BY ?t
"""
)

Q_TRIAL_DRUGS = (
    PREFIXES
    + """
SELECT DISTINCT ?t ?d WHERE { ?t tkg:trialId ?id ; tkg:hasDrug ?d . }
"""
)


Q_DRUG_TARGETS = (
    PREFIXES
    + """
SELECT ?d ?p (SAMPLE(?a) AS ?action) WHERE {
  { ?d tkg:targets ?p } UNION { ?i0 tkg:drug ?d ; tkg:target ?p }
  OPTIONAL { ?i tkg:drug ?d ; tkg:target ?p ; tkg:action ?a }
} GROUP BY ?d ?p
"""
)


Q_FAMILIES = (
    PREFIXES
    + """
SELECT ?p ?f (SAMPLE(?key0) AS ?key) (SAMPLE(?label0) AS ?label) WHERE {
  ?p tkg:inFamily ?f .
  OPTIONAL { ?f tkg:familyKey ?key0 }
  OPTIONAL { ?f rdfs:label ?label0 }
} GROUP BY ?p ?f
"""
)

Q_DRUG_CLASSES = (
    PREFIXES
    + """
SELECT ?d ?c (SAMPLE(?key0) AS ?key) (SAMPLE(?label0) AS ?label) WHERE {
  ?d tkg:inDrugClass ?c .
  OPTIONAL { ?c tkg:classKey ?key0 }
  OPTIONAL { ?c rdfs:label ?label0 }
} GROUP BY ?d ?c
"""
)

Q_CLASS_BROADER = (
    PREFIXES
    + """
SELECT DISTINCT ?c ?b (SAMPLE(?label0) AS ?label) WHERE {
  ?d tkg:inDrugClass/skos:broader* ?c . ?c skos:broader ?b .
  OPTIONAL { ?b rdfs:label ?label0 }
} GROUP BY ?c ?b
"""
)

Q_BIOMARKERS = (
    PREFIXES
    + """
SELECT ?t ?b (SAMPLE(?label0) AS ?label) (SAMPLE(?kind0) AS ?kind) (SAMPLE(?variant0) AS ?variant)
       (SAMPLE(?gene0) AS ?gene) (SAMPLE(?sym0) AS ?symbol) WHERE {
  ?t tkg:hasBiomarker ?b .
  OPTIONAL { ?b rdfs:label ?label0 }
  OPTIONAL { ?b tkg:biomarkerKind ?kind0 }
  OPTIONAL { ?b tkg:variant ?variant0 }
  OPTIONAL { ?b tkg:gene ?gene0 }
  OPTIONAL { ?b tkg:geneSymbol ?sym0 }
} GROUP BY ?t ?b
"""
)

Q_ARMS = (
    PREFIXES
    + """
SELECT ?t ?a (SAMPLE(?label0) AS ?label) (SAMPLE(?type0) AS ?arm_type) WHERE {
  ?t tkg:hasArm ?a .
  OPTIONAL { ?a rdfs:label ?label0 }
  OPTIONAL { ?a tkg:armType ?type0 }
} GROUP BY ?t ?a
"""
)

Q_ARM_DRUGS = (
    PREFIXES
    + """
SELECT DISTINCT ?a ?d WHERE { ?t tkg:hasArm ?a . ?a tkg:usesIntervention/tkg:hasDrug ?d . }
"""
)

Q_ARM_BIOMARKERS = (
    PREFIXES
    + """
SELECT DISTINCT ?a ?b WHERE { ?t tkg:hasArm ?a . ?a tkg:definedByBiomarker ?b . }
"""
)

Q_SITES = (
    PREFIXES
    + """
SELECT ?t ?s (SAMPLE(?fac0) AS ?facility) (SAMPLE(?city0) AS ?city) (SAMPLE(?country0) AS ?country)
WHERE {
  ?t tkg:hasSite ?s .
  OPTIONAL { ?s tkg:facility ?fac0 }
  OPTIONAL { ?s tkg:city ?city0 }
  OPTIONAL { ?s tkg:country ?country0 }
} GROUP BY ?t ?s
"""
)

Q_CONSTRAINTS = (
    PREFIXES
    + """
SELECT ?t ?c ?k ?section ?ctype ?variable ?drug ?dclass ?state ?symbol ?comparator ?value ?unit
       ?window ?text WHERE {
  ?t tkg:hasCriterion ?c . ?c tkg:hasConstraint ?k . ?k tkg:constraintType ?ctype .
  OPTIONAL { ?c tkg:section ?section }
  OPTIONAL { ?c tkg:text ?text }
  OPTIONAL { ?k tkg:variable ?variable }
  OPTIONAL { ?k tkg:priorDrug ?drug }
  OPTIONAL { ?k tkg:priorDrugClass ?dclass }
  OPTIONAL { ?k tkg:state ?state }
  OPTIONAL { ?k tkg:geneSymbol ?symbol }
  OPTIONAL { ?k tkg:comparator ?comparator }
  OPTIONAL { ?k tkg:value ?value }
  OPTIONAL { ?k tkg:unit ?unit }
  OPTIONAL { ?k tkg:window ?window }
}
"""
)

# -- reading the store ----------------------------------------------------------------


def _rows(store: Any, sparql: str) -> Iterator[dict[str, str | None]]:
    """SELECT rows as plain dicts of strings (IRIs and literals alike)."""
    result = store.query(sparql)
    names = [v.value for v in result.variables]
    for solution in result:
        row: dict[str, str | None] = {}
        for name in names:
            term = solution[name]
            row[name] = None if term is None else term.value
        yield row


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _clip(text: str | None, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def _attrs(store: Any, prefix: str, predicates: dict[str, str]) -> dict[str, dict[str, str]]:
    """Attributes of the nodes whose IRI starts with ``prefix``, one DISTINCT scan each.

    Shared nodes (organisations, conditions, drugs) are restated in every trial graph
    that mentions them, so over the union graph a join of their label with their other
    attributes multiplies rows by the number of trials squared (15M rows for 1k trials);
    one predicate at a time keeps each scan linear.
    """
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for name, predicate in predicates.items():
        sparql = (
            f"SELECT DISTINCT ?s ?v WHERE {{ ?s <{predicate}> ?v "
            f'FILTER(STRSTARTS(STR(?s), "{prefix}")) }}'
        )
        for r in _rows(store, sparql):
            out[r["s"]].setdefault(name, r["v"])
    return out


def _pairs(store: Any, predicate: str) -> list[tuple[str, str]]:
    """Distinct (subject, object) IRI pairs of one predicate."""
    sparql = f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{predicate}> ?o FILTER(isIRI(?o)) }}"
    return [(r["s"], r["o"]) for r in _rows(store, sparql)]


@dataclass
class _Builder:
    """Accumulates typed nodes and edges; attributes from later queries fill gaps."""

    graph: nx.DiGraph = field(default_factory=nx.DiGraph)

    def node(self, key: str, ntype: str, **attrs: Any) -> str:
        clean = {k: v for k, v in attrs.items() if v not in (None, "")}
        if key in self.graph:
            data = self.graph.nodes[key]
            for k, v in clean.items():
                data.setdefault(k, v)
        else:
            self.graph.add_node(key, type=ntype, iri=key if "://" in key else "", **clean)
            self.graph.nodes[key].setdefault("label", _tail(key))
        return key

    def edge(self, u: str, v: str, etype: str, **attrs: Any) -> None:
        clean = {k: val for k, val in attrs.items() if val not in (None, "")}
        if self.graph.has_edge(u, v):
            self.graph.edges[u, v].update(clean)
        else:
            self.graph.add_edge(u, v, type=etype, **clean)


def _trials(b: _Builder, store: Any) -> None:
    for r in _rows(store, Q_TRIALS):
        nct = r["nct"]
        b.node(
            r["t"],
            "trial",
            label=nct or r["id"],
            trial_id=r["id"],
            nct_id=nct,
            title=r["label"],
            status=r["status"],
            phases=r["phases"],
            url=iris.registry_page(nct) if nct else None,
        )


def _drugs(b: _Builder, store: Any, wanted: set[str]) -> None:
    info = _attrs(
        store,
        iris.TKR + "drug/",
        {
            "pref": SKOS + "prefLabel",
            "label": RDFS_LABEL,
            "chembl": iris.TKG + "chemblId",
            "drugbank": iris.TKG + "drugbankId",
        },
    )
    for d in sorted(wanted):
        r = info.get(d, {})
        chembl = r.get("chembl")
        b.node(
            d,
            "drug",
            label=r.get("pref") or r.get("label") or _tail(d),
            chembl_id=chembl,
            drugbank_id=r.get("drugbank"),
            url=CHEMBL_PAGE.format(chembl) if chembl else None,
        )


def _proteins(store: Any) -> dict[str, dict[str, str | None]]:
    info = _attrs(
        store,
        iris.UNIPROT,
        {"symbol": iris.TKG + "geneSymbol", "uniprot": iris.TKG + "uniprotId", "label": RDFS_LABEL},
    )
    out: dict[str, dict[str, str | None]] = {}
    for p, r in info.items():
        acc = r.get("uniprot") or _tail(p)
        out[p] = {
            "label": r.get("symbol") or r.get("label") or acc,
            "symbol": r.get("symbol"),
            "uniprot": acc,
            "name": r.get("label"),
            "url": UNIPROT_PAGE.format(acc),
        }
    return out


def _target_node(b: _Builder, proteins: dict[str, dict[str, str | None]], p: str) -> str:
    info = proteins.get(p) or {"label": _tail(p)}
    return b.node(p, "target", **info)


def _family_node(b: _Builder, r: dict[str, str | None]) -> str:
    return b.node(
        r["f"],
        "target_family",
        label=r["key"] or r["label"] or _tail(r["f"]),
        family_key=r["key"],
        name=r["label"],
    )


def project(
    store: Any,
    view: str = "trials-drugs-targets",
    *,
    focus: str | None = None,
    depth: int = 2,
) -> nx.DiGraph:
    """The store as a typed networkx graph for one view, optionally the ego graph of ``focus``.

    ``view`` is one of ``VIEWS``; with ``focus`` (an NCT id, trial id, drug name, HGNC
    symbol, UniProt or ChEMBL id, family key or IRI) the result is every node within
    ``depth`` hops of it, with the trials' arms and sites added for the neighbourhood.
    """
    if view not in VIEWS:
        raise UsageError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})", field="--view")
    if depth < 0:
        raise UsageError("depth must be 0 or more", field="--depth")
    b = _Builder()
    _trials(b, store)
    proteins = _proteins(store)
    if view == "trials-drugs-targets":
        _core(b, store, proteins)
        _biomarkers(b, store, proteins)
        _conditions(b, store)
        if focus is not None:
            _sponsors(b, store)
    elif view == "sponsors":
        _sponsor_view(b, store)
    else:
        _criteria_view(b, store)
    graph = b.graph
    graph.graph["view"] = view
    graph.graph["trials"] = sum(1 for _, t in graph.nodes(data="type") if t == "trial")
    if focus is not None:
        full = graph
        graph = focus_graph(full, focus, depth)
        if view == "trials-drugs-targets":
            _complete_chains(full, graph)
            graph = _add_trial_parts(graph, store, proteins, depth)
        graph.graph["focus"] = focus
        graph.graph["depth"] = depth
    return graph


# Relations followed to their end in a focus graph: a drug shown with some of its
# targets is shown with all of them, and a target with its family.
_CHAIN_EDGES = ("targets", "in_family")


def _complete_chains(full: nx.DiGraph, ego: nx.DiGraph) -> None:
    """Add the targets of every drug and the families of every target in ``ego``."""
    frontier = list(ego)
    while frontier:
        v = frontier.pop()
        for _, w, data in full.out_edges(v, data=True):
            if data.get("type") in _CHAIN_EDGES:
                if w not in ego:
                    ego.add_node(w, **full.nodes[w])
                    frontier.append(w)
                ego.add_edge(v, w, **data)


def _core(b: _Builder, store: Any, proteins: dict[str, dict[str, str | None]]) -> None:
    """Trials -> drugs -> targets -> families, and drugs -> classes."""
    for r in _rows(store, Q_TRIAL_DRUGS):
        b.node(r["d"], "drug")
        b.edge(r["t"], r["d"], "has_drug")
    _drugs(b, store, wanted=set(n for n, t in b.graph.nodes(data="type") if t == "drug"))
    drugs = {n for n, t in b.graph.nodes(data="type") if t == "drug"}
    for r in _rows(store, Q_DRUG_TARGETS):
        if r["d"] in drugs:
            _target_node(b, proteins, r["p"])
            b.edge(r["d"], r["p"], "targets", action=r["action"])
    targets = {n for n, t in b.graph.nodes(data="type") if t == "target"}
    for r in _rows(store, Q_FAMILIES):
        if r["p"] in targets:
            b.edge(r["p"], _family_node(b, r), "in_family")
    for r in _rows(store, Q_DRUG_CLASSES):
        if r["d"] in drugs:
            c = b.node(
                r["c"],
                "drug_class",
                label=r["label"] or r["key"] or _tail(r["c"]),
                class_key=r["key"],
            )
            b.edge(r["d"], c, "in_class")
    classes = {n for n, t in b.graph.nodes(data="type") if t == "drug_class"}
    for r in _rows(store, Q_CLASS_BROADER):
        if r["c"] in classes:
            b.node(r["b"], "drug_class", label=r["label"] or _tail(r["b"]))
            b.edge(r["c"], r["b"], "broader")


def _biomarkers(b: _Builder, store: Any, proteins: dict[str, dict[str, str | None]]) -> None:
    by_symbol = {info["symbol"]: p for p, info in proteins.items() if info.get("symbol")}
    for r in _rows(store, Q_BIOMARKERS):
        label = r["label"] or " ".join(x for x in (r["symbol"], r["variant"]) if x) or _tail(r["b"])
        bm = b.node(
            r["b"],
            "biomarker",
            label=_clip(label, 40),
            text=r["label"],
            kind=r["kind"],
            variant=r["variant"],
            symbol=r["symbol"],
        )
        b.edge(r["t"], bm, "has_biomarker")
        gene = r["gene"] or by_symbol.get(r["symbol"] or "")
        if gene:
            _target_node(b, proteins, gene)
            b.edge(bm, gene, "gene")


def _conditions(b: _Builder, store: Any) -> None:
    info = _attrs(
        store, iris.TKR + "condition/", {"label": RDFS_LABEL, "mesh": SKOS + "exactMatch"}
    )
    for t, c in _pairs(store, iris.TKG + "hasCondition"):
        r = info.get(c, {})
        b.node(c, "condition", label=_clip(r.get("label") or _tail(c), 40), mesh=r.get("mesh"))
        b.edge(t, c, "has_condition")


SPONSOR_ROLES = {"leadSponsor": "lead", "collaborator": "collaborator"}


def _sponsors(b: _Builder, store: Any) -> None:
    info = _attrs(
        store, iris.TKR + "org/", {"label": RDFS_LABEL, "agency_class": iris.TKG + "agencyClass"}
    )
    for prop, role in SPONSOR_ROLES.items():
        for t, o in _pairs(store, iris.TKG + prop):
            r = info.get(o, {})
            b.node(
                o,
                "sponsor",
                label=_clip(r.get("label") or _tail(o), 40),
                name=r.get("label"),
                agency_class=r.get("agency_class"),
            )
            if b.graph.has_edge(o, t) and b.graph.edges[o, t].get("role") == "lead":
                continue
            b.edge(o, t, "sponsors", role=role)


def _sponsor_view(b: _Builder, store: Any) -> None:
    """Sponsor -> trial -> drug -> target family (targets folded into the drug-family edge)."""
    _sponsors(b, store)
    for r in _rows(store, Q_TRIAL_DRUGS):
        b.node(r["d"], "drug")
        b.edge(r["t"], r["d"], "has_drug")
    drugs = {n for n, t in b.graph.nodes(data="type") if t == "drug"}
    _drugs(b, store, wanted=drugs)
    proteins = _proteins(store)
    families: dict[str, dict[str, str | None]] = {}
    for r in _rows(store, Q_FAMILIES):
        families[r["p"]] = r
    via: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in _rows(store, Q_DRUG_TARGETS):
        fam = families.get(r["p"])
        if r["d"] in drugs and fam is not None:
            via[(r["d"], _family_node(b, fam))].append(
                str(proteins.get(r["p"], {}).get("label") or _tail(r["p"]))
            )
    for (d, f), symbols in sorted(via.items()):
        b.edge(d, f, "hits_family", via_targets="; ".join(sorted(set(symbols))))


# Constraint types whose subject is worth a node of its own in the criteria view.
_CRITERION_KEYS = ("variable", "drug", "dclass", "state", "symbol")


def _criteria_view(b: _Builder, store: Any) -> None:
    """Trial -> criterion feature (lab variable, prior drug or class, disease state, gene).

    One node per feature rather than per criterion, so trials that ask the same thing
    meet at the same node; the edge keeps the section and the first text seen.
    """
    drugs: set[str] = set()
    for r in _rows(store, Q_CONSTRAINTS):
        ctype = r["ctype"] or "unparsed"
        if ctype in ("unparsed", "consent"):
            continue
        subject = next((r[k] for k in _CRITERION_KEYS if r[k]), None)
        if r["drug"]:
            node = b.node(r["drug"], "drug")
            drugs.add(node)
        elif r["dclass"]:
            node = b.node(r["dclass"], "drug_class", label=_tail(r["dclass"]))
        else:
            key = f"urn:trialkg:criterion:{ctype}:{subject or ctype}"
            label = (subject or ctype).replace("_", " ")
            node = b.node(key, "criterion", label=label, constraint_type=ctype)
        section = r["section"] or ""
        etype = "excludes" if section == "exclusion" else "requires"
        detail = " ".join(x for x in (r["comparator"], r["value"], r["unit"], r["window"]) if x)
        b.edge(
            r["t"],
            node,
            etype,
            section=section,
            constraint_type=ctype,
            detail=detail,
            text=_clip(r["text"], 200),
        )
    _drugs(b, store, wanted=drugs)
    for r in _rows(store, Q_DRUG_CLASSES):
        c = r["c"]
        if c in b.graph:
            b.graph.nodes[c]["label"] = r["label"] or r["key"] or _tail(c)


def _add_trial_parts(
    graph: nx.DiGraph, store: Any, proteins: dict[str, dict[str, str | None]], depth: int
) -> nx.DiGraph:
    """Arms (with their drugs and biomarkers) and sites of the trials in a focus graph."""
    trials = {n for n, t in graph.nodes(data="type") if t == "trial"}
    if not trials:
        return graph
    b = _Builder(graph=graph.copy())
    for r in _rows(store, Q_ARMS):
        if r["t"] in trials:
            a = b.node(
                r["a"],
                "arm",
                label=_clip(r["label"] or _tail(r["a"]), 40),
                arm_type=r["arm_type"],
                name=r["label"],
            )
            b.edge(r["t"], a, "has_arm")
    for r in _rows(store, Q_ARM_DRUGS):
        if r["a"] in b.graph and r["d"] in b.graph:
            b.edge(r["a"], r["d"], "uses_drug")
    for r in _rows(store, Q_ARM_BIOMARKERS):
        if r["a"] in b.graph and r["b"] in b.graph:
            b.edge(r["a"], r["b"], "defined_by")
    for r in _rows(store, Q_SITES):
        if r["t"] in trials:
            place = ", ".join(x for x in (r["city"], r["country"]) if x)
            label = _clip(r["facility"] or place or _tail(r["s"]), 40)
            s = b.node(
                r["s"],
                "site",
                label=label,
                facility=r["facility"],
                city=r["city"],
                country=r["country"],
            )
            b.edge(r["t"], s, "has_site")
    return b.graph


# -- focus ----------------------------------------------------------------------------

_ID_ATTRS = (
    "nct_id",
    "trial_id",
    "label",
    "symbol",
    "uniprot",
    "chembl_id",
    "drugbank_id",
    "family_key",
    "class_key",
)


def find_node(graph: nx.DiGraph, ident: str) -> str:
    """The node an identifier names: IRI, NCT/trial id, drug, gene symbol, UniProt, ChEMBL, family."""
    if ident in graph:
        return ident
    wanted = ident.strip().lower()
    candidates = {
        iris.trial(ident.strip()),
        iris.drug(ident),
        iris.protein(ident.strip()),
        iris.family(ident.strip()),
    }
    for c in candidates:
        if c in graph:
            return c
    hits = [
        n
        for n, data in graph.nodes(data=True)
        if any(str(data.get(a, "")).lower() == wanted for a in _ID_ATTRS)
    ]
    if not hits:
        raise UsageError(
            f"no trial, drug, target or family matches {ident!r} in this view", field="--focus"
        )
    # Prefer the most specific kinds when a label is shared (a gene and its biomarker).
    order = {
        t: i
        for i, t in enumerate(("trial", "drug", "target", "target_family", "drug_class", "sponsor"))
    }
    hits.sort(key=lambda n: (order.get(graph.nodes[n]["type"], 99), n))
    return hits[0]


def focus_graph(graph: nx.DiGraph, ident: str, depth: int) -> nx.DiGraph:
    """Every node within ``depth`` hops of the node ``ident`` names (edges in either direction)."""
    centre = find_node(graph, ident)
    ego = nx.ego_graph(graph, centre, radius=depth, undirected=True).copy()
    ego.graph.update(graph.graph)
    ego.nodes[centre]["focus"] = True
    ego.graph["centre"] = centre
    return ego


# -- reduction for pictures -------------------------------------------------------------


# A picture stays readable when no column holds more than this many nodes: beyond it the
# least linked nodes of the column fold into one "+ N more" node (a 75-trial store has
# ~170 conditions; 40 labels fit one column of a picture a screen can show).
PER_COLUMN = 40
# Kept before anything else when a picture must shrink: the structure a store is about.
KEEP_ORDER = ("target_family", "trial", "target", "drug", "drug_class", "biomarker", "condition",
              "sponsor", "criterion", "arm", "site")


def reduce_for_drawing(graph: nx.DiGraph, max_nodes: int, per_column: int = PER_COLUMN) -> tuple[nx.DiGraph, str]:
    """A graph of at most ``max_nodes`` nodes, ``per_column`` per type, and a note saying so.

    The same focus rules as the pages of ``trialkg serve`` (serve/neighbourhood.py):
    aggregate rather than drop. Trials (when there are too many to draw) become one node
    per phase carrying trial counts, linked to the drugs, conditions and biomarkers of
    their trials with the number of trials on each edge, so conditions stay linked; a
    column over ``per_column`` folds its least linked nodes into one "+ N more" node that
    keeps their links; only then, if still over ``max_nodes``, nodes are left out, target
    families and trial groups last.
    """
    n = graph.number_of_nodes()
    g = graph
    notes: list[str] = []
    trials = [v for v, t in g.nodes(data="type") if t == "trial"]
    centre = g.graph.get("centre")
    if (n > max_nodes or len(trials) > per_column) and len(trials) > 1 and centre not in trials:
        g = _group_trials_by_phase(graph, trials)
        groups = sum(1 for _, d in g.nodes(data=True) if d.get("aggregate") == "phase")
        notes.append(f"{len(trials)} trials collapsed into {groups} phase group{'s' if groups != 1 else ''}, "
                     "with trial counts per node")
    g, folded = _fold_columns(g, per_column, keep={centre} if centre else set())
    if folded:
        notes.append("folded into '+ N more' nodes: " + ", ".join(f"{k} {t.replace('_', ' ')}" for t, k in folded))
    if g.number_of_nodes() > max_nodes:
        dropped = _drop_least(g, max_nodes, centre)
        notes.append(f"{dropped} least-connected nodes left out")
    if not notes:
        return g, ""
    note = f"Reduced from {n} nodes: " + "; ".join(notes) + f"; showing {g.number_of_nodes()}."
    g.graph["note"] = note
    return g, note


def _phase_key(phases: str | None) -> str:
    parts = sorted(p.strip() for p in (phases or "").split(";") if p.strip())
    return "/".join(parts) if parts else "no phase"


def _phase_label(key: str) -> str:
    if key == "no phase":
        return "trials with no phase"
    words = [p.replace("EARLY_PHASE", "early phase ").replace("PHASE", "phase ").replace("NA", "phase n/a")
             for p in key.split("/")]
    return ("/".join(words)).capitalize() + " trials"


def _group_trials_by_phase(graph: nx.DiGraph, trials: list[str]) -> nx.DiGraph:
    """Trials replaced by one node per phase; every node they pointed to gets a trial count."""
    g = graph.copy()
    counts: Counter[str] = Counter()
    sponsors_of: dict[str, set[str]] = defaultdict(set)
    for t in trials:
        key = _phase_key(g.nodes[t].get("phases"))
        group = f"phase:{key}"
        if group not in g:
            g.add_node(group, type="trial", label=_phase_label(key), aggregate="phase", trials=0, iri="")
        g.nodes[group]["trials"] += 1
        for _, v, data in graph.out_edges(t, data=True):
            if graph.nodes[v].get("type") in ("arm", "site"):
                continue
            counts[v] += 1
            if g.has_edge(group, v):
                g.edges[group, v]["trials"] += 1
            else:
                g.add_edge(group, v, type=data.get("type", ""), trials=1)
        for u, _ in graph.in_edges(t):
            sponsors_of[u].add(t)
    parts = [v for v, t in g.nodes(data="type") if t in ("arm", "site")]
    g.remove_nodes_from(trials + parts)
    # Sponsors lose their trials; link each to the drugs of its trials instead.
    for sponsor, its_trials in sponsors_of.items():
        if sponsor not in g:
            continue
        for t in its_trials:
            for _, d in graph.out_edges(t):
                if d in g and g.nodes[d]["type"] == "drug":
                    if g.has_edge(sponsor, d):
                        g.edges[sponsor, d]["trials"] += 1
                    else:
                        g.add_edge(sponsor, d, type="sponsors_trials_of", trials=1)
        g.nodes[sponsor]["trials"] = len(its_trials)
    for v, c in counts.items():
        if v in g:
            g.nodes[v]["trials"] = c
    g.remove_nodes_from([v for v in list(g) if g.degree(v) == 0 and not g.nodes[v].get("trials")])
    return g


def _rank(g: nx.DiGraph, keep: set[str]) -> Any:
    return lambda v: (v not in keep, -int(g.nodes[v].get("trials", 0)), -g.degree(v),
                      str(g.nodes[v].get("label", v)).lower(), str(v))


def _fold_columns(g: nx.DiGraph, per_column: int, keep: set[str]) -> tuple[nx.DiGraph, list[tuple[str, int]]]:
    """Fold each type's nodes past ``per_column`` into one '+ N more' node with their links."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for v, t in g.nodes(data="type"):
        by_type[t].append(v)
    over = {t: vs for t, vs in by_type.items() if len(vs) > per_column}
    if not over:
        return g, []
    g = g.copy()
    folded: list[tuple[str, int]] = []
    for ntype, members in sorted(over.items()):
        members.sort(key=_rank(g, keep))
        gone = members[per_column - 1:]
        agg = f"more:{ntype}"
        label = f"+ {len(gone)} more {ntype.replace('_', ' ')}{'s' if not ntype.endswith('s') else ''}"
        g.add_node(agg, type=ntype, label=label, aggregate="more", iri="",
                   trials=sum(int(g.nodes[v].get("trials", 0)) for v in gone) or None)
        if g.nodes[agg]["trials"] is None:
            del g.nodes[agg]["trials"]
        gone_set = set(gone)
        for v in gone:
            for _, w, data in g.out_edges(v, data=True):
                if w not in gone_set and not g.has_edge(agg, w):
                    g.add_edge(agg, w, type=data.get("type", ""))
            for u, _, data in g.in_edges(v, data=True):
                if u not in gone_set and not g.has_edge(u, agg):
                    g.add_edge(u, agg, type=data.get("type", ""))
        g.remove_nodes_from(gone)
        folded.append((ntype, len(gone)))
    return g, folded


def _drop_least(g: nx.DiGraph, max_nodes: int, centre: str | None) -> int:
    """Leave out the least linked nodes, the structure types (``KEEP_ORDER``) last."""
    keep = {centre} if centre in g else set()
    order = {t: i for i, t in enumerate(KEEP_ORDER)}
    base = _rank(g, keep)
    ranked = sorted(g.nodes, key=lambda v: (v not in keep, order.get(g.nodes[v]["type"], 99) > 1, *base(v)[1:]))
    dropped = ranked[max_nodes:]
    g.remove_nodes_from(dropped)
    return len(dropped)


# -- layout -----------------------------------------------------------------------------


def layered_layout(graph: nx.DiGraph, sweeps: int = 4) -> dict[str, tuple[float, float]]:
    """One column per node type (in ``NODE_TYPES`` order), rows ordered to cut crossings.

    Rows start sorted by label and are then re-ordered by the mean row of each node's
    neighbours (the barycentre heuristic), sweeping left to right and back.
    """
    columns: dict[int, list[str]] = defaultdict(list)
    present = sorted({LAYER.get(t, len(LAYER)) for _, t in graph.nodes(data="type")})
    col_of = {layer: i for i, layer in enumerate(present)}
    for v, t in graph.nodes(data="type"):
        columns[col_of[LAYER.get(t, len(LAYER))]].append(v)
    for col in columns.values():
        col.sort(key=lambda v: (str(graph.nodes[v].get("label", v)).lower(), v))
    undirected = graph.to_undirected(as_view=True)

    def positions() -> dict[str, float]:
        pos: dict[str, float] = {}
        for col in columns.values():
            size = len(col)
            for i, v in enumerate(col):
                pos[v] = (i + 0.5) / size if size else 0.5
        return pos

    order = sorted(columns)
    for sweep in range(sweeps):
        seq = order if sweep % 2 == 0 else list(reversed(order))
        for c in seq:
            pos = positions()
            col = columns[c]

            def bary(v: str, pos: dict[str, float] = pos) -> float:
                nbrs = [pos[u] for u in undirected[v] if u in pos]
                return sum(nbrs) / len(nbrs) if nbrs else pos[v]

            col.sort(key=lambda v: (bary(v), v))
    final = positions()
    width = max(1, len(order) - 1)
    return {
        v: (col_of[LAYER.get(graph.nodes[v]["type"], len(LAYER))] / width, 1.0 - final[v])
        for v in graph
    }


# -- drawing: matplotlib ----------------------------------------------------------------


def _title(graph: nx.DiGraph) -> str:
    view = graph.graph.get("view", "trials-drugs-targets")
    focus = graph.graph.get("focus")
    if focus:
        return f"trialkg: neighbourhood of {focus} (depth {graph.graph.get('depth')}, view {view})"
    return f"trialkg: {view} ({graph.graph.get('trials', 0)} trials)"


def draw_image(
    graph: nx.DiGraph,
    output: str | Path | IO[bytes],
    fmt: str = "png",
    *,
    note: str = "",
    title: str | None = None,
) -> None:
    """A static picture: one colour per node type, a legend, types kept in columns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    pos = layered_layout(graph)
    per_col = Counter(round(x, 6) for x, _ in pos.values())
    n_cols = max(1, len(per_col))
    tallest = max(per_col.values(), default=1)
    fig_w = min(40.0, max(10.0, 2.3 * n_cols))
    fig_h = min(80.0, max(7.5, 0.42 * tallest + 2.5))
    fig, ax = plt.subplots(figsize=(fig_w, fig_h), dpi=100)
    types = [graph.nodes[v]["type"] for v in graph]
    trials_max = max([int(graph.nodes[v].get("trials", 0)) for v in graph] + [1])
    sizes = [
        220
        + 600 * (int(graph.nodes[v].get("trials", 0)) / trials_max)
        + (250 if graph.nodes[v].get("focus") else 0)
        for v in graph
    ]
    edge_colours = [
        "#c4c4c4" if graph.edges[e].get("type") != "excludes" else "#e7a3a3" for e in graph.edges
    ]
    nx.draw_networkx_edges(
        graph,
        pos,
        ax=ax,
        edge_color=edge_colours,
        width=0.8,
        arrows=True,
        arrowsize=7,
        node_size=sizes,
        alpha=0.9,
    )
    nx.draw_networkx_nodes(
        graph,
        pos,
        ax=ax,
        node_color=[COLOURS.get(t, "#999999") for t in types],
        node_size=sizes,
        edgecolors=["#000000" if graph.nodes[v].get("focus") else "#ffffff" for v in graph],
        linewidths=[2.5 if graph.nodes[v].get("focus") else 0.8 for v in graph],
    )
    font = 9 if tallest <= 40 else (7 if tallest <= 80 else 5)
    # Clip labels to the gap between columns so a label never runs into the next column.
    gap_points = fig_w * 0.8 / max(1, n_cols - 1) * 72
    max_chars = max(8, min(34, int(gap_points / (font * 0.62)) - 3))
    for v, (x, y) in pos.items():
        data = graph.nodes[v]
        label = str(data.get("label", v))
        if data.get("trials"):
            label += f" ({data['trials']})"
        # Labels point away from the trials' column (left of it: to the left), on a
        # white halo so edges do not hide them.
        left = LAYER.get(data["type"], 0) < LAYER["trial"]
        ax.annotate(
            _clip(label, max_chars),
            (x, y),
            xytext=(-9 if left else 9, 0),
            textcoords="offset points",
            fontsize=font,
            ha="right" if left else "left",
            va="center",
            color="#222222",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
        )
    present = [t for t in NODE_TYPES if t in set(types)]
    handles = [
        Line2D(
            [0],
            [0],
            marker="o",
            linestyle="",
            markersize=10,
            markerfacecolor=COLOURS[t],
            markeredgecolor="#ffffff",
            label=t.replace("_", " "),
        )
        for t in present
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=min(len(handles), 6) or 1,
        frameon=False,
        fontsize=10,
    )
    ax.set_title(title or _title(graph), fontsize=13)
    counts = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
    fig.text(
        0.01,
        0.005,
        counts + (f". {note}" if note else ""),
        fontsize=9,
        color="#444444",
        ha="left",
        va="bottom",
    )
    ax.set_xlim(-0.14, 1.14)
    ax.set_ylim(-0.06, 1.04)
    ax.axis("off")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(output, format=fmt, bbox_inches="tight")
    plt.close(fig)


# -- drawing: interactive HTML ----------------------------------------------------------


def graph_to_json(graph: nx.DiGraph) -> dict[str, Any]:
    """Nodes and edges as plain JSON for the HTML page (positions from ``layered_layout``)."""
    pos = layered_layout(graph)
    index = {v: i for i, v in enumerate(graph)}
    nodes = []
    for v, data in graph.nodes(data=True):
        x, y = pos[v]
        attrs = {
            k: val for k, val in _scalar_attrs(data).items() if k not in ("type", "label", "url")
        }
        nodes.append(
            {
                "id": v,
                "type": data.get("type"),
                "label": str(data.get("label", v)),
                "url": data.get("url") or "",
                "x": round(x, 5),
                "y": round(y, 5),
                "attrs": attrs,
                "focus": bool(data.get("focus")),
            }
        )
    edges = [
        {"s": index[u], "t": index[v], "type": d.get("type", "")}
        for u, v, d in graph.edges(data=True)
    ]
    return {"nodes": nodes, "edges": edges, "colours": COLOURS, "types": list(NODE_TYPES)}


def render_html(graph: nx.DiGraph, *, note: str = "", title: str | None = None) -> str:
    """A self-contained page (inline data, CSS and JS; nothing fetched) that draws the graph."""
    template = files("trialkg").joinpath("templates", "graph.html").read_text(encoding="utf-8")
    data = json.dumps(graph_to_json(graph), ensure_ascii=False, separators=(",", ":"))
    data = data.replace("</", "<\\/").replace("<!--", "<\\!--")
    page_title = title or _title(graph)
    return (
        template.replace("__TITLE__", html.escape(page_title))
        .replace("__NOTE__", html.escape(note))
        .replace("/*__GRAPH_DATA__*/null", data)
    )


# -- export: GraphML / GEXF ---------------------------------------------------------------


def _scalar_attrs(data: dict[str, Any]) -> dict[str, Any]:
    """Attributes Cytoscape and Gephi accept: str/int/float/bool, no None, lists joined."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if v is None or k == "viz":
            continue
        if isinstance(v, bool) or isinstance(v, (int, float)) and k in ("trials",):
            out[k] = v
        elif isinstance(v, (list, tuple, set)):
            out[k] = "; ".join(str(x) for x in v)
        elif isinstance(v, (int, float)):
            out[k] = v if math.isfinite(float(v)) else str(v)
        else:
            out[k] = str(v)
    return out


def exportable(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy with scalar attributes only, the edge ``type`` renamed ``relation``.

    GEXF reserves an edge's ``type`` for directed/undirected, so exports name the
    relation ``relation`` in both GraphML and GEXF; node attributes keep their names.
    """
    g = nx.DiGraph()
    g.graph.update({k: str(v) for k, v in graph.graph.items() if v is not None})
    for v, d in graph.nodes(data=True):
        g.add_node(v, **_scalar_attrs(d))
    for u, v, d in graph.edges(data=True):
        attrs = _scalar_attrs(d)
        attrs["relation"] = attrs.pop("type", "")
        g.add_edge(u, v, **attrs)
    return g


def _hex_rgb(colour: str) -> dict[str, int]:
    c = colour.lstrip("#")
    return {"r": int(c[0:2], 16), "g": int(c[2:4], 16), "b": int(c[4:6], 16), "a": 1.0}


def write_graphml(graph: nx.DiGraph, path: str | Path | IO[bytes]) -> None:
    nx.write_graphml(exportable(graph), path)


def write_gexf(graph: nx.DiGraph, path: str | Path | IO[bytes]) -> None:
    """GEXF 1.2 with Gephi's viz extension: colour by type and the layered positions."""
    g = exportable(graph)
    pos = layered_layout(graph)
    for v in g:
        x, y = pos[v]
        g.nodes[v]["viz"] = {
            "color": _hex_rgb(COLOURS.get(g.nodes[v]["type"], "#999999")),
            "position": {"x": round(x * 1000, 2), "y": round(y * 1000, 2), "z": 0.0},
            "size": 10.0,
        }
    nx.write_gexf(g, path, version="1.2draft")


FORMATS: tuple[str, ...] = ("png", "svg", "html", "graphml", "gexf")
BINARY_FORMATS = frozenset({"png"})


def render(
    graph: nx.DiGraph,
    fmt: str,
    output: str | Path | IO[bytes],
    *,
    max_nodes: int = 400,
    title: str | None = None,
) -> tuple[nx.DiGraph, str]:
    """Write ``graph`` as ``fmt``; pictures are reduced to ``max_nodes``. Returns what was drawn."""
    if fmt not in FORMATS:
        raise UsageError(
            f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", field="--format"
        )
    if fmt == "graphml":
        write_graphml(graph, output)
        return graph, ""
    if fmt == "gexf":
        write_gexf(graph, output)
        return graph, ""
    drawn, note = reduce_for_drawing(graph, max_nodes)
    if fmt == "html":
        page = render_html(drawn, note=note, title=title).encode("utf-8")
        if isinstance(output, (str, Path)):
            Path(output).write_bytes(page)
        else:
            output.write(page)
    else:
        draw_image(drawn, output, fmt, note=note, title=title)
    return drawn, note


def node_types(graph: nx.DiGraph) -> dict[str, int]:
    """How many nodes of each type (for summaries)."""
    return dict(Counter(t for _, t in graph.nodes(data="type")))


def iter_edges_of_type(graph: nx.DiGraph, etype: str) -> Iterable[tuple[str, str]]:
    return ((u, v) for u, v, t in graph.edges(data="type") if t == etype)
