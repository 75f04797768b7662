"""The focus of a picture: the node an identifier names and its neighbourhood."""

from __future__ import annotations

import networkx as nx

from trialkg import iris
from trialkg.errors import UsageError

_ID_ATTRS = (
    "nct_id",
    "trial_id",
    "label",
    "symbol",
    "uniprot",
    "chembl_id",
    "drugbank_id",
    "family_key",
    "class_key",
)


def find_node(graph: nx.DiGraph, ident: str) -> str:
    """The node an identifier names: IRI, NCT/trial id, drug, gene symbol, UniProt, ChEMBL, family."""
    if ident in graph:
        return ident
    wanted = ident.strip().lower()
    candidates = {
        iris.trial(ident.strip()),
        iris.drug(ident),
        iris.protein(ident.strip()),
        iris.family(ident.strip()),
    }
    for c in candidates:
        if c in graph:
            return c
    hits = [
        n
        for n, data in graph.nodes(data=True)
        if any(str(data.get(a, "")).lower() == wanted for a in _ID_ATTRS)
    ]
    if not hits:
        raise UsageError(
            f"no trial, drug, target or family matches {ident!r} in this view", field="--focus"
        )
    # Prefer the most specific kinds when a label is shared (a gene and its biomarker).
    order = {
        t: i
        for i, t in enumerate(("trial", "drug", "target", "target_family", "drug_class", "sponsor"))
    }
    hits.sort(key=lambda n: (order.get(graph.nodes[n]["type"], 99), n))
    return hits[0]


def focus_graph(graph: nx.DiGraph, ident: str, depth: int) -> nx.DiGraph:
    """Every node within ``depth`` hops of the node ``ident`` names (edges in either direction)."""
    centre = find_node(graph, ident)
    ego = nx.ego_graph(graph, centre, radius=depth, undirected=True).copy()
    ego.graph.update(graph.graph)
    ego.nodes[centre]["focus"] = True
    ego.graph["centre"] = centre
    return ego



# Relations followed to their end in a focus graph: a drug shown with some of its
# targets is shown with all of them, and a target with its family.
_CHAIN_EDGES = ("targets", "in_family")


def complete_chains(full: nx.DiGraph, ego: nx.DiGraph) -> None:
    """Add the targets of every drug and the families of every target in ``ego``."""
    frontier = list(ego)
    while frontier:
        v = frontier.pop()
        for _, w, data in full.out_edges(v, data=True):
            if data.get("type") in _CHAIN_EDGES:
                if w not in ego:
                    ego.add_node(w, **full.nodes[w])
                    frontier.append(w)
                ego.add_edge(v, w, **data)

