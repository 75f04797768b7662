"""The output formats of ``trialkg viz`` and the one call that writes any of them."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import networkx as nx

from trialkg.errors import UsageError
from trialkg.viz.drawing import draw_image
from trialkg.viz.exports import write_gexf, write_graphml
from trialkg.viz.html import render_html
from trialkg.viz.reduce import reduce_for_drawing

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

