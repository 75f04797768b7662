"""What the pictures show of each node type: its column, its colour, its labels."""

from __future__ import annotations

import networkx as nx

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


def tail(iri: str) -> str:
    """The last segment of an IRI, a node's label of last resort."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def clip(text: str | None, n: int = 60) -> str:
    """``text`` on one line, cut to ``n`` characters with an ellipsis."""
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def title(graph: nx.DiGraph) -> str:
    """The default title of a picture or page: the view, or the focus and its depth."""
    view = graph.graph.get("view", "trials-drugs-targets")
    focus = graph.graph.get("focus")
    if focus:
        return f"trialkg: neighbourhood of {focus} (depth {graph.graph.get('depth')}, view {view})"
    return f"trialkg: {view} ({graph.graph.get('trials', 0)} trials)"
