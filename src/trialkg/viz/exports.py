"""GraphML and GEXF: everything of the projection, with the scalar attributes
Cytoscape and Gephi open."""

from __future__ import annotations

import math
from pathlib import Path
from typing import IO, Any

import networkx as nx

from trialkg.viz.layout import layered_layout
from trialkg.viz.style import COLOURS


def scalar_attrs(data: dict[str, Any]) -> dict[str, Any]:
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
        g.add_node(v, **scalar_attrs(d))
    for u, v, d in graph.edges(data=True):
        attrs = scalar_attrs(d)
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

