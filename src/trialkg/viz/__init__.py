"""Project the RDF graph onto networkx, and draw or export the projection.

The projection (``projection.py``) reads the store with the SPARQL SELECTs of
``queries.py`` (one per relation of docs/model.md), never by loading the store into
rdflib, so it scales with the size of the answer rather than the size of the store;
``focus.py`` cuts the neighbourhood of one node out of it. Nodes are keyed by their
IRI and carry a ``type`` (one of ``NODE_TYPES``, ``style.py``), a short ``label`` and
identifiers (NCT id, UniProt, ChEMBL, a ``url`` to follow); edges carry a ``type``.

Pictures are reduced before drawing (``reduce.py``) by the focus rules the pages of
``trialkg serve`` follow: trials collapse into one node per phase with trial counts, a
column of more than ``PER_COLUMN`` nodes folds its least linked ones into a "+ N more"
node, and only then are nodes left out (target families last); the picture says what
was done. ``layout.py`` places the types in columns, ``drawing.py`` draws PNG and SVG,
``html.py`` renders the offline page from ``templates/graph.html``; exports
(``exports.py``: GraphML, GEXF) keep everything, with scalar attributes only so that
Cytoscape and Gephi open them. ``formats.render`` writes any format.
"""

from trialkg.viz.drawing import draw_image
from trialkg.viz.exports import exportable, write_gexf, write_graphml
from trialkg.viz.focus import find_node, focus_graph
from trialkg.viz.formats import BINARY_FORMATS, FORMATS, render
from trialkg.viz.html import graph_to_json, render_html
from trialkg.viz.layout import layered_layout
from trialkg.viz.projection import node_types, project
from trialkg.viz.reduce import KEEP_ORDER, PER_COLUMN, reduce_for_drawing
from trialkg.viz.style import COLOURS, LAYER, NODE_TYPES, VIEWS

__all__ = [
    "BINARY_FORMATS",
    "COLOURS",
    "FORMATS",
    "KEEP_ORDER",
    "LAYER",
    "NODE_TYPES",
    "PER_COLUMN",
    "VIEWS",
    "draw_image",
    "exportable",
    "find_node",
    "focus_graph",
    "graph_to_json",
    "layered_layout",
    "node_types",
    "project",
    "reduce_for_drawing",
    "render",
    "render_html",
    "write_gexf",
    "write_graphml",
]
