"""The interactive page: a self-contained HTML file (inline data, CSS and JS; nothing
fetched) rendered from the Jinja2 template ``viz/templates/graph.html``."""

from __future__ import annotations

import html
import json
from functools import cache
from typing import Any

import jinja2
import networkx as nx
from markupsafe import Markup

from trialkg.viz.exports import scalar_attrs
from trialkg.viz.layout import layered_layout
from trialkg.viz.style import COLOURS, NODE_TYPES
from trialkg.viz.style import title as default_title


def _escape(value: Any) -> str:
    """Every value the template prints is HTML-escaped, unless marked safe (``Markup``)."""
    return value if isinstance(value, Markup) else html.escape(str(value))


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("trialkg.viz", "templates"),
        finalize=_escape,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("graph.html")


def graph_to_json(graph: nx.DiGraph) -> dict[str, Any]:
    """Nodes and edges as plain JSON for the HTML page (positions from ``layered_layout``)."""
    pos = layered_layout(graph)
    index = {v: i for i, v in enumerate(graph)}
    nodes = []
    for v, data in graph.nodes(data=True):
        x, y = pos[v]
        attrs = {k: val for k, val in scalar_attrs(data).items() if k not in ("type", "label", "url")}
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


def _script_json(value: Any) -> Markup:
    """``value`` as JSON safe inside a <script> element (no '</' or '<!--' to end it)."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(data.replace("</", "<\\/").replace("<!--", "<\\!--"))


def render_html(graph: nx.DiGraph, *, note: str = "", title: str | None = None) -> str:
    """The page that draws ``graph``: search, hover, click through to the registries."""
    return _template().render(
        title=title or default_title(graph), note=note, graph_data=_script_json(graph_to_json(graph))
    )
