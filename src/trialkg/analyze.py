"""Graph analytics on the networkx projection: what the RDF queries cannot say easily.

* target centrality: how many trials reach each protein through their drugs, plus
  its degree and betweenness in the trials-drugs-targets graph;
* drug similarity: Jaccard index of the drugs' target sets;
* trial similarity: Jaccard index of the trials' drugs, targets and eligibility
  features (criterion variables, prior drugs, states), and their mean;
* communities: Louvain modularity communities of the undirected projection.

Each function returns rows (plain dicts) whose keys are the columns in ``COLUMNS``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any

import networkx as nx

from trialkg.errors import UsageError

WHAT: tuple[str, ...] = ("targets", "drugs", "trials", "communities")

COLUMNS: dict[str, list[str]] = {
    "targets": ["rank", "target", "uniprot", "family", "trials", "drugs", "degree", "betweenness"],
    "drugs": ["drug1", "drug2", "shared_targets", "jaccard", "targets1", "targets2"],
    "trials": ["trial1", "trial2", "score", "drugs", "targets", "criteria", "shared"],
    "communities": ["community", "size", "trials", "drugs", "targets", "members"],
}

# Betweenness is exact up to this many nodes, sampled (k pivots, fixed seed) above.
EXACT_BETWEENNESS_MAX = 1000


def _of_type(graph: nx.DiGraph, ntype: str) -> list[str]:
    return [v for v, t in graph.nodes(data="type") if t == ntype]


def _label(graph: nx.DiGraph, v: str) -> str:
    return str(graph.nodes[v].get("label", v))


def _trial_drugs(graph: nx.DiGraph) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for u, v, t in graph.edges(data="type"):
        if t == "has_drug":
            out[u].add(v)
    return out


def _drug_targets(graph: nx.DiGraph) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for u, v, t in graph.edges(data="type"):
        if t == "targets":
            out[u].add(v)
    return out


def _betweenness(graph: nx.Graph) -> dict[str, float]:
    n = graph.number_of_nodes()
    if n <= EXACT_BETWEENNESS_MAX:
        return nx.betweenness_centrality(graph, normalized=True)
    return nx.betweenness_centrality(graph, k=min(n, 200), normalized=True, seed=0)


def target_centrality(graph: nx.DiGraph) -> list[dict[str, Any]]:
    """Targets ranked by the number of trials whose drugs hit them, then betweenness."""
    trial_drugs = _trial_drugs(graph)
    drug_targets = _drug_targets(graph)
    trials_of: dict[str, set[str]] = defaultdict(set)
    drugs_of: dict[str, set[str]] = defaultdict(set)
    for trial, drugs in trial_drugs.items():
        for d in drugs:
            for p in drug_targets.get(d, ()):
                trials_of[p].add(trial)
    for d, targets in drug_targets.items():
        for p in targets:
            drugs_of[p].add(d)
    undirected = graph.to_undirected(as_view=True)
    between = _betweenness(undirected)
    rows = []
    for p in _of_type(graph, "target"):
        families = sorted(
            _label(graph, f)
            for f in graph.successors(p)
            if graph.nodes[f].get("type") == "target_family"
        )
        rows.append(
            {
                "target": _label(graph, p),
                "uniprot": graph.nodes[p].get("uniprot"),
                "family": "; ".join(families) or None,
                "trials": len(trials_of.get(p, ())),
                "drugs": len(drugs_of.get(p, ())),
                "degree": undirected.degree(p),
                "betweenness": round(between.get(p, 0.0), 6),
            }
        )
    rows.sort(key=lambda r: (-r["trials"], -r["drugs"], -r["betweenness"], r["target"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


def jaccard(a: set[str], b: set[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def drug_similarity(graph: nx.DiGraph) -> list[dict[str, Any]]:
    """Pairs of drugs sharing at least one target, by Jaccard index of their target sets."""
    drug_targets = _drug_targets(graph)
    by_target: dict[str, set[str]] = defaultdict(set)
    for d, targets in drug_targets.items():
        for p in targets:
            by_target[p].add(d)
    pairs: set[tuple[str, str]] = set()
    for drugs in by_target.values():
        pairs.update(combinations(sorted(drugs), 2))
    rows = []
    for d1, d2 in pairs:
        t1, t2 = drug_targets[d1], drug_targets[d2]
        shared = sorted(_label(graph, p) for p in t1 & t2)
        rows.append(
            {
                "drug1": _label(graph, d1),
                "drug2": _label(graph, d2),
                "shared_targets": "; ".join(shared),
                "jaccard": round(jaccard(t1, t2), 4),
                "targets1": len(t1),
                "targets2": len(t2),
            }
        )
    rows.sort(
        key=lambda r: (-r["jaccard"], -len(r["shared_targets"].split("; ")), r["drug1"], r["drug2"])
    )
    return rows


def trial_features(
    graph: nx.DiGraph, criteria_graph: nx.DiGraph | None = None
) -> dict[str, dict[str, set[str]]]:
    """Per trial: its drugs, the targets those drugs hit, and its criterion features."""
    trial_drugs = _trial_drugs(graph)
    drug_targets = _drug_targets(graph)
    features: dict[str, dict[str, set[str]]] = {}
    for t in _of_type(graph, "trial"):
        drugs = trial_drugs.get(t, set())
        targets = set().union(*(drug_targets.get(d, set()) for d in drugs)) if drugs else set()
        features[t] = {"drugs": set(drugs), "targets": targets, "criteria": set()}
    if criteria_graph is not None:
        for u, v, data in criteria_graph.edges(data=True):
            if u in features and data.get("type") in ("requires", "excludes"):
                features[u]["criteria"].add(f"{data.get('type')}:{v}")
    return features


def trial_similarity(
    graph: nx.DiGraph,
    criteria_graph: nx.DiGraph | None = None,
    *,
    per_trial: int = 5,
    chunk: int = 512,
) -> list[dict[str, Any]]:
    """Pairs of trials by the mean Jaccard index of drugs, targets and criteria.

    Each trial keeps its ``per_trial`` best partners (score > 0). The criteria part
    counts only when both trials have parsed criteria. Intersections come from sparse
    trial x feature matrices multiplied a block of rows at a time: a widely shared
    target (KDR) makes almost every pair of a 10k-trial store overlap, which a
    pair-by-pair loop in Python cannot score in reasonable time.
    """
    feats = trial_features(graph, criteria_graph)
    trials = sorted(feats)
    if len(trials) < 2:
        return []
    keep = _best_partners(_feature_matrices(trials, feats), per_trial, chunk)
    rows = []
    for i, j in keep:
        row = _score_pair(graph, feats[trials[i]], feats[trials[j]])
        row["trial1"] = _label(graph, trials[i])
        row["trial2"] = _label(graph, trials[j])
        rows.append(row)
    rows.sort(key=lambda r: (-r["score"], r["trial1"], r["trial2"]))
    return rows


_KINDS = ("drugs", "targets", "criteria")


def _feature_matrices(trials: list[str], feats: dict[str, dict[str, set[str]]]) -> dict[str, Any]:
    """One sparse trial x feature 0/1 matrix per kind of feature (rows in ``trials`` order)."""
    import numpy as np
    from scipy import sparse

    matrices = {}
    for kind in _KINDS:
        columns: dict[str, int] = {}
        rows_i, cols_i = [], []
        for i, t in enumerate(trials):
            for v in feats[t][kind]:
                rows_i.append(i)
                cols_i.append(columns.setdefault(v, len(columns)))
        data = np.ones(len(rows_i), dtype=np.float32)
        matrices[kind] = sparse.csr_matrix(
            (data, (rows_i, cols_i)), shape=(len(trials), max(1, len(columns)))
        )
    return matrices


def _best_partners(matrices: dict[str, Any], per_trial: int, chunk: int) -> set[tuple[int, int]]:
    """The pairs (i < j) in which one trial is among the other's ``per_trial`` best
    partners by mean Jaccard index (score > 0), a block of ``chunk`` rows at a time."""
    import numpy as np

    n = matrices["drugs"].shape[0]
    sizes = {k: np.asarray(m.sum(axis=1)).ravel() for k, m in matrices.items()}
    keep: set[tuple[int, int]] = set()
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        total = np.zeros((hi - lo, n), dtype=np.float32)
        parts = np.full((hi - lo, n), 2.0, dtype=np.float32)
        for kind in _KINDS:
            inter = (matrices[kind][lo:hi] @ matrices[kind].T).toarray()
            union = sizes[kind][lo:hi, None] + sizes[kind][None, :] - inter
            jac = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
            if kind == "criteria":
                both = (sizes[kind][lo:hi, None] > 0) & (sizes[kind][None, :] > 0)
                jac = np.where(both, jac, 0.0)
                parts += both
            total += jac
        score = total / parts
        score[np.arange(hi - lo), np.arange(lo, hi)] = -1.0  # not a partner of itself
        k = min(per_trial, n - 1)
        best = np.argpartition(-score, k - 1, axis=1)[:, :k]
        for r, cols in enumerate(best):
            for c in cols:
                if score[r, c] > 0:
                    i, j = lo + r, int(c)
                    keep.add((i, j) if i < j else (j, i))
    return keep


def _score_pair(
    graph: nx.DiGraph, f1: dict[str, set[str]], f2: dict[str, set[str]]
) -> dict[str, Any]:
    parts = {kind: jaccard(f1[kind], f2[kind]) for kind in ("drugs", "targets")}
    if f1["criteria"] and f2["criteria"]:
        parts["criteria"] = jaccard(f1["criteria"], f2["criteria"])
    score = sum(parts.values()) / len(parts)
    shared_nodes = (f1["drugs"] & f2["drugs"]) | (f1["targets"] & f2["targets"])
    shared = sorted(_label(graph, v) for v in shared_nodes)
    return {
        "score": round(score, 4),
        "drugs": round(parts["drugs"], 4),
        "targets": round(parts["targets"], 4),
        "criteria": round(parts["criteria"], 4) if "criteria" in parts else None,
        "shared": "; ".join(shared),
    }


def communities(graph: nx.DiGraph, *, seed: int = 0) -> list[dict[str, Any]]:
    """Louvain communities (fixed seed, so runs repeat) of the undirected projection."""
    undirected = nx.Graph(graph.to_undirected(as_view=True))
    undirected.remove_nodes_from([v for v in list(undirected) if undirected.degree(v) == 0])
    if undirected.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(undirected, seed=seed)
    rows = []
    for members in found:
        by_type: dict[str, list[str]] = defaultdict(list)
        for v in members:
            by_type[graph.nodes[v].get("type", "")].append(_label(graph, v))
        labels = sorted(_label(graph, v) for v in members)
        rows.append(
            {
                "size": len(members),
                "trials": len(by_type.get("trial", [])),
                "drugs": "; ".join(sorted(by_type.get("drug", []))),
                "targets": "; ".join(sorted(by_type.get("target", []))),
                "members": "; ".join(labels),
            }
        )
    rows.sort(key=lambda r: (-r["size"], r["members"]))
    for i, r in enumerate(rows, 1):
        r["community"] = i
    return rows


def analyze(store: Any, what: str = "targets", *, per_trial: int = 5) -> list[dict[str, Any]]:
    """Project the store and run one analysis; rows have the keys ``COLUMNS[what]``."""
    from trialkg.viz import project

    if what not in WHAT:
        raise UsageError(
            f"unknown analysis {what!r} (choose from {', '.join(WHAT)})", field="--what"
        )
    graph = project(store, "trials-drugs-targets")
    if what == "targets":
        return target_centrality(graph)
    if what == "drugs":
        return drug_similarity(graph)
    if what == "trials":
        return trial_similarity(graph, project(store, "criteria"), per_trial=per_trial)
    return communities(graph)


def limit(rows: Iterable[dict[str, Any]], n: int | None) -> list[dict[str, Any]]:
    rows = list(rows)
    return rows if not n or n <= 0 else rows[:n]
