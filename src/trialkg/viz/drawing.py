"""Static pictures (PNG, SVG) with matplotlib: one colour per node type, a legend, the
types kept in columns by ``layered_layout``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import IO, Any

import networkx as nx

from trialkg.viz.layout import layered_layout
from trialkg.viz.style import COLOURS, LAYER, NODE_TYPES, clip
from trialkg.viz.style import title as default_title

Positions = dict[str, tuple[float, float]]


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

    pos = layered_layout(graph)
    per_col = Counter(round(x, 6) for x, _ in pos.values())
    n_cols = max(1, len(per_col))
    tallest = max(per_col.values(), default=1)
    fig_w = min(40.0, max(10.0, 2.3 * n_cols))
    fig_h = min(80.0, max(7.5, 0.42 * tallest + 2.5))
    fig, ax = plt.subplots(figsize=(fig_w, fig_h), dpi=100)
    _draw_nodes_and_edges(ax, graph, pos)
    font = 9 if tallest <= 40 else (7 if tallest <= 80 else 5)
    # Clip labels to the gap between columns so a label never runs into the next column.
    gap_points = fig_w * 0.8 / max(1, n_cols - 1) * 72
    max_chars = max(8, min(34, int(gap_points / (font * 0.62)) - 3))
    _draw_labels(ax, graph, pos, font, max_chars)
    _draw_legend(ax, {graph.nodes[v]["type"] for v in graph})
    ax.set_title(title or default_title(graph), fontsize=13)
    counts = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
    fig.text(0.01, 0.005, counts + (f". {note}" if note else ""),
             fontsize=9, color="#444444", ha="left", va="bottom")
    ax.set_xlim(-0.14, 1.14)
    ax.set_ylim(-0.06, 1.04)
    ax.axis("off")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(output, format=fmt, bbox_inches="tight")
    plt.close(fig)


def _draw_nodes_and_edges(ax: Any, graph: nx.DiGraph, pos: Positions) -> None:
    """Nodes sized by their trial count (the focus larger, ringed in black), exclusions in red."""
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
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color=edge_colours, width=0.8, arrows=True,
                           arrowsize=7, node_size=sizes, alpha=0.9)
    nx.draw_networkx_nodes(
        graph,
        pos,
        ax=ax,
        node_color=[COLOURS.get(graph.nodes[v]["type"], "#999999") for v in graph],
        node_size=sizes,
        edgecolors=["#000000" if graph.nodes[v].get("focus") else "#ffffff" for v in graph],
        linewidths=[2.5 if graph.nodes[v].get("focus") else 0.8 for v in graph],
    )


def _draw_labels(ax: Any, graph: nx.DiGraph, pos: Positions, font: int, max_chars: int) -> None:
    """Labels (with trial counts) pointing away from the trials' column (left of it: to
    the left), on a white halo so edges do not hide them."""
    for v, (x, y) in pos.items():
        data = graph.nodes[v]
        label = str(data.get("label", v))
        if data.get("trials"):
            label += f" ({data['trials']})"
        left = LAYER.get(data["type"], 0) < LAYER["trial"]
        ax.annotate(
            clip(label, max_chars),
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


def _draw_legend(ax: Any, types: set[str]) -> None:
    """One entry per node type drawn, in ``NODE_TYPES`` order, below the picture."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([0], [0], marker="o", linestyle="", markersize=10, markerfacecolor=COLOURS[t],
               markeredgecolor="#ffffff", label=t.replace("_", " "))
        for t in NODE_TYPES
        if t in types
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01),
              ncol=min(len(handles), 6) or 1, frameon=False, fontsize=10)
