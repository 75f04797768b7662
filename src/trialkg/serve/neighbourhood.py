"""Neighbourhood graphs for the pages: a bounded number of nodes, labels that name things.

The focus rules (shared with ``trialkg viz --focus``'s idea of a readable picture):

- a trial shows its arms, their drugs, the drugs' targets and target families, its
  conditions, sponsors and biomarkers; sites are grouped by country ("China: 12 sites");
- a drug shows its classes, targets and families, and its trials; a target shows its
  families, the drugs acting on it and their trials; a family shows its member targets,
  their drugs and the trials;
- when the trials would pass ``TRIAL_LIMIT`` they are aggregated by phase ("Phase 2:
  37 trials"; for a target or family one node per phase, linked from each drug with
  trials in it) instead of dropped, and every aggregate links to a search for them;
- at most ``MAX_NODES`` nodes: beyond that the least linked leaves are folded into one
  "+ N more" node per type, and the graph says so in ``note``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from trialkg import iris, jsonld
from trialkg.errors import UsageError
from trialkg.serve import catalogue
from trialkg.serve.search import SearchIndex
from trialkg.store import TrialStore
from trialkg.viz import COLOURS

MAX_NODES = 60
TRIAL_LIMIT = 15
COLOURS_ALL = {**COLOURS, "aggregate": "#999999", "site": COLOURS.get("site", "#b5b5b5")}
TYPE_NAMES = {"trial": "trial", "arm": "arm", "drug": "drug", "drug_class": "drug class", "target": "target",
              "target_family": "target family", "condition": "condition", "sponsor": "sponsor",
              "biomarker": "biomarker", "site": "sites (by country)", "aggregate": "trials (grouped)"}


class Graph:
    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str], str] = {}

    def node(self, nid: str, label: str, ntype: str, href: str | None = None, **extra: Any) -> str:
        if nid not in self.nodes:
            self.nodes[nid] = {"id": nid, "label": label, "type": ntype, "href": href, **extra}
        return nid

    def edge(self, a: str, b: str, etype: str) -> None:
        if a != b:
            self.edges.setdefault((a, b), etype)

    def fold(self, focus: str, limit: int = MAX_NODES) -> str:
        """Fold the least linked leaves into one '+ N more' node per type above ``limit``."""
        if len(self.nodes) <= limit:
            return ""
        degree = Counter(a for a, _ in self.edges) + Counter(b for _, b in self.edges)
        leaves = sorted((n for n in self.nodes if n != focus and degree[n] <= 1),
                        key=lambda n: (degree[n], self.nodes[n]["label"]))
        folded: dict[str, list[str]] = defaultdict(list)
        excess = len(self.nodes) - limit
        for n in leaves[: excess + len({self.nodes[x]["type"] for x in leaves})]:
            folded[self.nodes[n]["type"]].append(n)
        for ntype, members in folded.items():
            parents = {a if b in members else b for a, b in self.edges if a in members or b in members} - set(members)
            agg = self.node(f"more:{ntype}", f"+ {len(members)} more {TYPE_NAMES.get(ntype, ntype)}", "aggregate",
                            count=len(members))
            for m in members:
                del self.nodes[m]
            self.edges = {k: v for k, v in self.edges.items() if k[0] not in members and k[1] not in members}
            for p in parents:
                self.edge(p, agg, "more")
        return f"{sum(len(m) for m in folded.values())} nodes folded into '+ N more' nodes to keep {limit} or fewer"

    def to_json(self, focus: str, note: str = "") -> dict[str, Any]:
        types = sorted({n["type"] for n in self.nodes.values()}, key=lambda t: list(COLOURS_ALL).index(t)
                       if t in COLOURS_ALL else 99)
        return {"focus": focus, "note": note, "nodes": list(self.nodes.values()),
                "edges": [{"source": a, "target": b, "type": t} for (a, b), t in self.edges.items()],
                "legend": [{"type": t, "name": TYPE_NAMES.get(t, t), "colour": COLOURS_ALL.get(t, "#999")} for t in types]}


def _trial_nodes(g: Graph, index: SearchIndex, parent: str, trial_ids: set[str], tag: str) -> str:
    """Each trial, or (above ``TRIAL_LIMIT``) one node per phase; returns a note."""
    if len(trial_ids) <= TRIAL_LIMIT:
        for t in index.summaries(trial_ids):
            g.edge(parent, g.node("trial:" + t["id"], t["id"], "trial", f"/trial/{quote(t['id'])}",
                                  title=t["title"]), "tested in")
        return ""
    _phase_nodes(g, index, parent, trial_ids, tag)
    return f"{len(trial_ids)} trials grouped by phase"


def _phase_nodes(g: Graph, index: SearchIndex, parent: str, trial_ids: set[str], tag: str) -> None:
    """One node per phase: "Phase 2: 37 trials", linking to the search for ``tag``."""
    phases: Counter[str] = Counter()
    for t in index.summaries(trial_ids):
        phases.update(t["phases"] or ["no phase"])
    for phase, n in sorted(phases.items()):
        nid = g.node(f"phase:{tag}:{phase}", f"{_phase(phase)}: {n} trials", "aggregate",
                     f"/search?q={quote(tag)}", count=n)
        g.edge(parent, nid, "tested in")


def _phase(p: str) -> str:
    return {"EARLY_PHASE1": "Early phase 1", "NA": "Phase n/a"}.get(p, p.replace("PHASE", "Phase "))


def _drug_targets(g: Graph, drug_node: str, targets: list[dict[str, Any]]) -> None:
    for x in targets:
        name = x["symbol"] or x["uniprot"]
        t = g.node("target:" + name, name, "target", f"/target/{quote(name)}")
        g.edge(drug_node, t, x.get("action") or "targets")
        if x.get("family"):
            f = g.node("family:" + x["family"], x["family"], "target_family", f"/family/{quote(x['family'])}")
            g.edge(t, f, "in family")


def trial_graph(store: TrialStore, index: SearchIndex, trial_id: str,
                trial_view: Callable[[str], dict[str, Any]] | None = None) -> dict[str, Any]:
    from trialkg.views import resolve_trial_id
    from trialkg.views import trial_view as read_view

    tid = resolve_trial_id(store, trial_id)
    v = trial_view(tid) if trial_view else read_view(store, tid)
    g = Graph()
    focus = g.node("trial:" + v["id"], v["id"], "trial", f"/trial/{quote(v['id'])}", title=v["title"])
    details = {d["name"]: d for d in v["drugs"]}
    for a in v["arms"]:
        arm = g.node(f"arm:{a['label']}", a["label"] or "arm", "arm")
        g.edge(focus, arm, "arm")
        for i in a["interventions"]:
            for d in i["drugs"]:
                g.edge(arm, g.node("drug:" + d, d, "drug", f"/drug/{quote(d)}"), "uses")
    for d in v["drugs"]:
        node = g.node("drug:" + d["name"], d["name"], "drug", f"/drug/{quote(d['name'])}")
        if not v["arms"]:
            g.edge(focus, node, "tests")
        _drug_targets(g, node, details[d["name"]]["targets"])
    for c in v["conditions"]:
        g.edge(focus, g.node("condition:" + c, c, "condition", f"/search?q={quote(c)}"), "condition")
    for s in v["sponsors"]:
        if s["name"]:
            g.edge(g.node("sponsor:" + s["name"], s["name"], "sponsor", f"/search?q={quote(s['name'])}"), focus, s["role"])
    for b in v["biomarkers"]:
        node = g.node("biomarker:" + (b["label"] or b["gene"] or "?"), b["label"] or b["gene"] or "biomarker", "biomarker")
        g.edge(g.node(f"arm:{b['arm']}", b["arm"], "arm") if b.get("arm") else focus, node, "biomarker")
        if b.get("gene") and "target:" + b["gene"] in g.nodes:
            g.edge(node, "target:" + b["gene"], "gene")
    for country, n in Counter(s["country"] or "unknown country" for s in v["sites"]).most_common():
        g.edge(focus, g.node("site:" + country, f"{country}: {n} site{'s' if n != 1 else ''}", "site"), "sites")
    return g.to_json(focus, g.fold(focus))


def drug_graph(store: TrialStore, index: SearchIndex, name: str) -> dict[str, Any]:
    drug_iri = catalogue.drug_iri_for(store, name)
    page = catalogue.drug_page(store, index, drug_iri) if drug_iri else None
    if page is None:
        raise UsageError(f"no drug {name!r}")
    g = Graph()
    focus = g.node("drug:" + page["name"], page["name"], "drug", f"/drug/{quote(page['name'])}")
    for c in page["classes"]:
        g.edge(focus, g.node("class:" + c, c, "drug_class"), "class")
    _drug_targets(g, focus, page["targets"])
    note = _trial_nodes(g, index, focus, {t["id"] for t in page["trials"]}, page["name"])
    return g.to_json(focus, "; ".join(x for x in (note, g.fold(focus)) if x))


def _drugs_with_trials(g: Graph, index: SearchIndex, parent: str, drugs: dict[str, str], label: str) -> str:
    """Drug nodes under ``parent`` with their trials: each trial when all of them fit in
    ``TRIAL_LIMIT`` (a trial of two drugs shows as shared), else one node per phase for
    all of ``label``'s trials, linked from each drug that has trials in that phase."""
    trials = {d: index.trials_of(d) for d in drugs}
    total = set().union(*trials.values()) if trials else set()
    grouped = len(total) > TRIAL_LIMIT
    phase_of = {t["id"]: (t["phases"] or ["no phase"]) for t in index.summaries(total)} if grouped else {}
    if grouped:
        counts = Counter(p for ps in phase_of.values() for p in ps)
        for phase, n in sorted(counts.items()):
            g.node(f"phase:{label}:{phase}", f"{_phase(phase)}: {n} trials", "aggregate", f"/search?q={quote(label)}",
                   count=n)
    for d_iri, name in sorted(drugs.items(), key=lambda kv: (-len(trials.get(kv[0], ())), kv[1])):
        ids = trials.get(d_iri, set())
        node = g.node("drug:" + name, name, "drug", f"/drug/{quote(name)}", trials=len(ids))
        g.edge(parent, node, "acted on by")
        if grouped:
            for phase in sorted({p for t in ids for p in phase_of.get(t, [])}):
                g.edge(node, f"phase:{label}:{phase}", "tested in")
        elif ids:
            _trial_nodes(g, index, node, ids, name)
    return f"{len(total)} trials of {label}" + ("; grouped by phase" if grouped else "")


def target_graph(store: TrialStore, index: SearchIndex, symbol: str) -> dict[str, Any]:
    protein = catalogue.protein_for(store, symbol)
    page = catalogue.target_page(store, index, protein) if protein else None
    if page is None:
        raise UsageError(f"no target {symbol!r}")
    g = Graph()
    focus = g.node("target:" + page["symbol"], page["symbol"], "target", f"/target/{quote(page['symbol'])}")
    for f in page["families"]:
        g.edge(focus, g.node("family:" + f["key"], f["key"], "target_family", f"/family/{quote(f['key'])}"), "in family")
    drugs = {d["iri"]: d["name"] for d in page["drugs"] if d["trials"]}
    note = _drugs_with_trials(g, index, focus, drugs, page["symbol"])
    untested = [d for d in page["drugs"] if not d["trials"]]
    if untested:
        g.edge(focus, g.node("more:untested", f"{len(untested)} drug{'s' if len(untested) != 1 else ''} in no trial here", "aggregate",
                             f"/target/{quote(page['symbol'])}", count=len(untested)), "acted on by")
    return g.to_json(focus, "; ".join(x for x in (note, g.fold(focus)) if x))


def family_graph(store: TrialStore, index: SearchIndex, key: str) -> dict[str, Any]:
    page = catalogue.family_page(store, index, key)
    if page is None:
        raise UsageError(f"no target family {key!r}")
    g = Graph()
    focus = g.node("family:" + page["key"], page["key"], "target_family", f"/family/{quote(page['key'])}")
    for b in page["broader"]:
        g.edge(focus, g.node("family:" + b, b, "target_family", f"/family/{quote(b)}"), "broader")
    for m in page["members"]:
        g.edge(g.node("target:" + m["symbol"], m["symbol"], "target", f"/target/{quote(m['symbol'])}"), focus, "in family")
    names = {iris.drug(name): name for name, _n in page["drugs"]}
    note = _drugs_with_trials(g, index, focus, names, page["key"])
    return g.to_json(focus, "; ".join(x for x in (note, g.fold(focus)) if x))


BUILDERS = {"trial": trial_graph, "drug": drug_graph, "target": target_graph, "family": family_graph}


def build(store: TrialStore, index: SearchIndex, kind: str, key: str,
          trial_view: Callable[[str], dict[str, Any]] | None = None) -> dict[str, Any]:
    """The neighbourhood graph of one trial, drug, target or family (``trial_view``: a
    cached reader of trial views, else ``views.trial_view``)."""
    if kind not in BUILDERS:
        raise UsageError(f"no graph of kind {kind!r}; one of {', '.join(BUILDERS)}")
    if kind == "trial":
        return trial_graph(store, index, key, trial_view)
    return BUILDERS[kind](store, index, key)


def trial_jsonld(store: TrialStore, trial_id: str) -> bytes:
    """The trial's named graph as compacted JSON-LD (the shipped ``@context``)."""
    quads = store.quads(iris.trial_graph(trial_id))  # subject, predicate, object as triples have
    return json.dumps(jsonld.document({None: quads}), ensure_ascii=False).encode("utf-8")
