"""The layered layout shared by the pictures, the HTML page and GEXF positions."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from trialkg.viz.style import LAYER


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

