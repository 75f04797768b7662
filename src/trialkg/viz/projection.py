"""The store projected onto a typed networkx graph, one builder per view.

Nodes are keyed by their IRI and carry a ``type`` (one of ``NODE_TYPES``), a short
``label`` and identifiers (NCT id, UniProt, ChEMBL, a ``url`` to follow); edges carry a
``type`` (the relation). The rows come from ``viz.queries``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from trialkg import iris
from trialkg.errors import UsageError
from trialkg.viz import queries as q
from trialkg.viz.focus import complete_chains, focus_graph
from trialkg.viz.style import CHEMBL_PAGE, UNIPROT_PAGE, VIEWS, clip, tail


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
            self.graph.nodes[key].setdefault("label", tail(key))
        return key

    def edge(self, u: str, v: str, etype: str, **attrs: Any) -> None:
        clean = {k: val for k, val in attrs.items() if val not in (None, "")}
        if self.graph.has_edge(u, v):
            self.graph.edges[u, v].update(clean)
        else:
            self.graph.add_edge(u, v, type=etype, **clean)


def _trials(b: _Builder, store: Any) -> None:
    for r in q.rows(store, q.Q_TRIALS):
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
    info = q.attrs(store, *q.DRUG_ATTRS)
    for d in sorted(wanted):
        r = info.get(d, {})
        chembl = r.get("chembl")
        b.node(
            d,
            "drug",
            label=r.get("pref") or r.get("label") or tail(d),
            chembl_id=chembl,
            drugbank_id=r.get("drugbank"),
            url=CHEMBL_PAGE.format(chembl) if chembl else None,
        )


def _proteins(store: Any) -> dict[str, dict[str, str | None]]:
    info = q.attrs(store, *q.PROTEIN_ATTRS)
    out: dict[str, dict[str, str | None]] = {}
    for p, r in info.items():
        acc = r.get("uniprot") or tail(p)
        out[p] = {
            "label": r.get("symbol") or r.get("label") or acc,
            "symbol": r.get("symbol"),
            "uniprot": acc,
            "name": r.get("label"),
            "url": UNIPROT_PAGE.format(acc),
        }
    return out


def _target_node(b: _Builder, proteins: dict[str, dict[str, str | None]], p: str) -> str:
    info = proteins.get(p) or {"label": tail(p)}
    return b.node(p, "target", **info)


def _family_node(b: _Builder, r: dict[str, str | None]) -> str:
    return b.node(
        r["f"],
        "target_family",
        label=r["key"] or r["label"] or tail(r["f"]),
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
        _sponsor_view(b, store, proteins)
    else:
        _criteria_view(b, store)
    graph = b.graph
    graph.graph["view"] = view
    graph.graph["trials"] = sum(1 for _, t in graph.nodes(data="type") if t == "trial")
    if focus is not None:
        full = graph
        graph = focus_graph(full, focus, depth)
        if view == "trials-drugs-targets":
            complete_chains(full, graph)
            graph = _add_trial_parts(graph, store, proteins, depth)
        graph.graph["focus"] = focus
        graph.graph["depth"] = depth
    return graph


def _trial_drugs(b: _Builder, store: Any) -> set[str]:
    """Trial -> drug edges, the drugs with their names and identifiers; returns the drugs."""
    for r in q.rows(store, q.Q_TRIAL_DRUGS):
        b.node(r["d"], "drug")
        b.edge(r["t"], r["d"], "has_drug")
    drugs = {n for n, t in b.graph.nodes(data="type") if t == "drug"}
    _drugs(b, store, wanted=drugs)
    return drugs


def _core(b: _Builder, store: Any, proteins: dict[str, dict[str, str | None]]) -> None:
    """Trials -> drugs -> targets -> families, and drugs -> classes."""
    drugs = _trial_drugs(b, store)
    for r in q.rows(store, q.Q_DRUG_TARGETS):
        if r["d"] in drugs:
            _target_node(b, proteins, r["p"])
            b.edge(r["d"], r["p"], "targets", action=r["action"])
    targets = {n for n, t in b.graph.nodes(data="type") if t == "target"}
    for r in q.rows(store, q.Q_FAMILIES):
        if r["p"] in targets:
            b.edge(r["p"], _family_node(b, r), "in_family")
    for r in q.rows(store, q.Q_DRUG_CLASSES):
        if r["d"] in drugs:
            c = b.node(
                r["c"],
                "drug_class",
                label=r["label"] or r["key"] or tail(r["c"]),
                class_key=r["key"],
            )
            b.edge(r["d"], c, "in_class")
    classes = {n for n, t in b.graph.nodes(data="type") if t == "drug_class"}
    for r in q.rows(store, q.Q_CLASS_BROADER):
        if r["c"] in classes:
            b.node(r["b"], "drug_class", label=r["label"] or tail(r["b"]))
            b.edge(r["c"], r["b"], "broader")


def _biomarkers(b: _Builder, store: Any, proteins: dict[str, dict[str, str | None]]) -> None:
    by_symbol = {info["symbol"]: p for p, info in proteins.items() if info.get("symbol")}
    for r in q.rows(store, q.Q_BIOMARKERS):
        label = r["label"] or " ".join(x for x in (r["symbol"], r["variant"]) if x) or tail(r["b"])
        bm = b.node(
            r["b"],
            "biomarker",
            label=clip(label, 40),
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
    info = q.attrs(store, *q.CONDITION_ATTRS)
    for t, c in q.pairs(store, q.HAS_CONDITION):
        r = info.get(c, {})
        b.node(c, "condition", label=clip(r.get("label") or tail(c), 40), mesh=r.get("mesh"))
        b.edge(t, c, "has_condition")


def _sponsors(b: _Builder, store: Any) -> None:
    info = q.attrs(store, *q.ORG_ATTRS)
    for prop, role in q.SPONSOR_ROLES.items():
        for t, o in q.pairs(store, prop):
            r = info.get(o, {})
            b.node(
                o,
                "sponsor",
                label=clip(r.get("label") or tail(o), 40),
                name=r.get("label"),
                agency_class=r.get("agency_class"),
            )
            if b.graph.has_edge(o, t) and b.graph.edges[o, t].get("role") == "lead":
                continue
            b.edge(o, t, "sponsors", role=role)


def _sponsor_view(b: _Builder, store: Any, proteins: dict[str, dict[str, str | None]]) -> None:
    """Sponsor -> trial -> drug -> target family (targets folded into the drug-family edge)."""
    _sponsors(b, store)
    drugs = _trial_drugs(b, store)
    families: dict[str, dict[str, str | None]] = {}
    for r in q.rows(store, q.Q_FAMILIES):
        families[r["p"]] = r
    via: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in q.rows(store, q.Q_DRUG_TARGETS):
        fam = families.get(r["p"])
        if r["d"] in drugs and fam is not None:
            via[(r["d"], _family_node(b, fam))].append(
                str(proteins.get(r["p"], {}).get("label") or tail(r["p"]))
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
    for r in q.rows(store, q.Q_CONSTRAINTS):
        ctype = r["ctype"] or "unparsed"
        if ctype in ("unparsed", "consent"):
            continue
        subject = next((r[k] for k in _CRITERION_KEYS if r[k]), None)
        if r["drug"]:
            node = b.node(r["drug"], "drug")
            drugs.add(node)
        elif r["dclass"]:
            node = b.node(r["dclass"], "drug_class", label=tail(r["dclass"]))
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
            text=clip(r["text"], 200),
        )
    _drugs(b, store, wanted=drugs)
    for r in q.rows(store, q.Q_DRUG_CLASSES):
        c = r["c"]
        if c in b.graph:
            b.graph.nodes[c]["label"] = r["label"] or r["key"] or tail(c)


def _add_trial_parts(
    graph: nx.DiGraph, store: Any, proteins: dict[str, dict[str, str | None]], depth: int
) -> nx.DiGraph:
    """Arms (with their drugs and biomarkers) and sites of the trials in a focus graph."""
    trials = {n for n, t in graph.nodes(data="type") if t == "trial"}
    if not trials:
        return graph
    b = _Builder(graph=graph.copy())
    for r in q.rows(store, q.Q_ARMS):
        if r["t"] in trials:
            a = b.node(
                r["a"],
                "arm",
                label=clip(r["label"] or tail(r["a"]), 40),
                arm_type=r["arm_type"],
                name=r["label"],
            )
            b.edge(r["t"], a, "has_arm")
    for r in q.rows(store, q.Q_ARM_DRUGS):
        if r["a"] in b.graph and r["d"] in b.graph:
            b.edge(r["a"], r["d"], "uses_drug")
    for r in q.rows(store, q.Q_ARM_BIOMARKERS):
        if r["a"] in b.graph and r["b"] in b.graph:
            b.edge(r["a"], r["b"], "defined_by")
    for r in q.rows(store, q.Q_SITES):
        if r["t"] in trials:
            place = ", ".join(x for x in (r["city"], r["country"]) if x)
            label = clip(r["facility"] or place or tail(r["s"]), 40)
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




def node_types(graph: nx.DiGraph) -> dict[str, int]:
    """How many nodes of each type (for summaries)."""
    return dict(Counter(t for _, t in graph.nodes(data="type")))
