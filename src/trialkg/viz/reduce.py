"""Pictures reduced to what a screen can show, by the focus rules of ``trialkg serve``."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

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

