"""The search index: every name a user may type, built once when the server starts.

Entries are trials (id, NCT id, titles), drugs (preferred name, synonyms, brands, code
names, salt forms, ChEMBL and DrugBank ids), targets (HGNC symbol, name, aliases such as
"VEGFR2" or "FLK-1", UniProt accession), target families (key, name, aliases),
conditions and sponsors. Names are compared folded (case, accents, punctuation) and
compacted ("VEGFR-2", "VEGFR 2" and "vegfr2" are one name). A drug, target, family,
condition or sponsor that matches brings its trials along, with the reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from trialkg import iris
from trialkg.namespace import TKG
from trialkg.store import TrialStore
from trialkg.views import DCT_TITLE, RDFS_LABEL, SKOS_PREF

SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
KINDS = ("trial", "drug", "target", "family", "condition", "sponsor")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case ASCII words separated by one space: 'VEGFR-2' -> 'vegfr 2'."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", ascii_.lower()).strip()


@dataclass
class Entry:
    kind: str
    key: str  # what the page URL takes: trial id, drug name, symbol, family key, IRI
    label: str
    names: list[str]
    trials: set[str] = field(default_factory=set)
    folded: list[tuple[str, str, str]] = field(default_factory=list)  # (name, folded, compact)

    def prepare(self) -> None:
        seen = set()
        for n in self.names:
            f = fold(n)
            if f and f not in seen:
                seen.add(f)
                self.folded.append((n, f, f.replace(" ", "")))


def score(entry: Entry, q: str, compact: str) -> tuple[int, str] | None:
    """How well the folded query matches one of the entry's names (best name first)."""
    best: tuple[int, str] | None = None
    for name, f, c in entry.folded:
        if f == q:
            s = 100
        elif c == compact:
            s = 95
        elif f.startswith(q) or c.startswith(compact):
            s = 80
        elif f" {q} " in f" {f} ":
            s = 60
        elif len(compact) >= 3 and compact in c:
            s = 40
        else:
            continue
        if best is None or s > best[0]:
            best = (s, name)
    return best


class SearchIndex:
    """Entries by kind; ``search(text)`` gives matches and the trials they bring."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        for e in entries:
            e.prepare()
        self.trial_titles = {e.key: e.label for e in entries if e.kind == "trial"}

    def search(self, text: str, *, limit: int = 50) -> dict[str, Any]:
        q = fold(text)
        compact = q.replace(" ", "")
        if not q:
            return {"query": text, "matches": {k: [] for k in KINDS}, "trials": [], "total_trials": 0}
        matches: dict[str, list[dict[str, Any]]] = defaultdict(list)
        trials: dict[str, dict[str, Any]] = {}
        for e in self.entries:
            hit = score(e, q, compact)
            if hit is None:
                continue
            s, name = hit
            matches[e.kind].append({"key": e.key, "label": e.label, "matched": name, "score": s,
                                    "trials": len(e.trials) if e.kind != "trial" else 1})
            reason = "id or title" if e.kind == "trial" else f"{e.kind} {e.label}" + (
                f" ({name})" if fold(name) != fold(e.label) else "")
            for tid in ([e.key] if e.kind == "trial" else e.trials):
                t = trials.setdefault(tid, {"id": tid, "title": self.trial_titles.get(tid), "score": 0, "why": []})
                t["score"] = max(t["score"], s + (5 if e.kind == "trial" else 0))
                if reason not in t["why"]:
                    t["why"].append(reason)
        for kind in matches:
            matches[kind].sort(key=lambda m: (-m["score"], -m["trials"], m["label"].lower()))
            del matches[kind][limit:]
        ranked = sorted(trials.values(), key=lambda t: (-t["score"], t["id"]))
        return {"query": text, "matches": {k: matches.get(k, []) for k in KINDS},
                "trials": ranked[:limit], "total_trials": len(ranked)}


def build_index(store: TrialStore) -> SearchIndex:
    """Read every searchable name from the store (a handful of SELECTs)."""
    entries: list[Entry] = []
    entries += _trial_entries(store)
    drugs = _drug_entries(store)
    targets, families = _target_entries(store, drugs)
    entries += drugs.values()
    entries += targets.values()
    entries += families.values()
    entries += _linked_entries(store, "condition", TKG.hasCondition)
    entries += _linked_entries(store, "sponsor", f"<{TKG.leadSponsor}>|<{TKG.collaborator}>")
    return SearchIndex(entries)


def _trial_entries(store: TrialStore) -> list[Entry]:
    out: dict[str, Entry] = {}
    sparql = f"""SELECT ?id ?nct ?title ?official WHERE {{ ?t a <{TKG.Trial}> ; <{TKG.trialId}> ?id .
      OPTIONAL {{ ?t <{TKG.nctId}> ?nct }} OPTIONAL {{ ?t <{DCT_TITLE}> ?title }}
      OPTIONAL {{ ?t <{TKG.officialTitle}> ?official }} }}"""
    for r in store.query(sparql):
        tid = r["id"].value
        e = out.setdefault(tid, Entry("trial", tid, r["title"].value if r["title"] else tid, [tid]))
        for key in ("nct", "title", "official"):
            if r[key] is not None and r[key].value not in e.names:
                e.names.append(r[key].value)
    return list(out.values())


def _drug_entries(store: TrialStore) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    name_props = f"<{SKOS_PREF}>|<{RDFS_LABEL}>|<{SKOS_ALT}>|<{TKG.codeName}>|<{TKG.saltForm}>|<{TKG.chemblId}>|<{TKG.drugbankId}>"
    sparql = f"""SELECT ?d ?pref ?n WHERE {{ GRAPH <{iris.REFERENCE_GRAPH}> {{
      ?d a <{TKG.Drug}> ; <{SKOS_PREF}>|<{RDFS_LABEL}> ?pref ; {name_props} ?n }} }}"""
    for r in store.query(sparql):
        e = out.setdefault(r["d"].value, Entry("drug", r["pref"].value, r["pref"].value, [r["pref"].value]))
        if r["n"].value not in e.names:
            e.names.append(r["n"].value)
    for r in store.query(f"SELECT DISTINCT ?d ?id WHERE {{ ?t <{TKG.hasDrug}> ?d ; <{TKG.trialId}> ?id }}"):
        if r["d"].value in out:
            out[r["d"].value].trials.add(r["id"].value)
    return out


def _target_entries(store: TrialStore, drugs: dict[str, Entry]) -> tuple[dict[str, Entry], dict[str, Entry]]:
    ref = f"<{iris.REFERENCE_GRAPH}>"
    targets: dict[str, Entry] = {}
    sparql = f"""SELECT ?p ?symbol ?n WHERE {{ GRAPH {ref} {{ ?p a <{TKG.Protein}> ; <{TKG.geneSymbol}> ?symbol ;
      <{TKG.geneSymbol}>|<{RDFS_LABEL}>|<{SKOS_ALT}>|<{TKG.uniprotId}>|<{TKG.hgncId}> ?n }} }}"""
    for r in store.query(sparql):
        e = targets.setdefault(r["p"].value, Entry("target", r["symbol"].value, r["symbol"].value, [r["symbol"].value]))
        if r["n"].value not in e.names:
            e.names.append(r["n"].value)
    for r in store.query(f"SELECT ?d ?p WHERE {{ GRAPH {ref} {{ ?d <{TKG.targets}> ?p }} }}"):
        if r["p"].value in targets and r["d"].value in drugs:
            targets[r["p"].value].trials |= drugs[r["d"].value].trials
    families: dict[str, Entry] = {}
    sparql = f"""SELECT ?f ?key ?n WHERE {{ GRAPH {ref} {{ ?f a <{TKG.TargetFamily}> ; <{TKG.familyKey}> ?key ;
      <{TKG.familyKey}>|<{RDFS_LABEL}>|<{SKOS_ALT}> ?n }} }}"""
    for r in store.query(sparql):
        e = families.setdefault(r["f"].value, Entry("family", r["key"].value, r["key"].value, [r["key"].value]))
        if r["n"].value not in e.names:
            e.names.append(r["n"].value)
    sparql = f"SELECT DISTINCT ?p ?f WHERE {{ GRAPH {ref} {{ ?p <{TKG.inFamily}>/<{SKOS_BROADER}>* ?f }} }}"
    for r in store.query(sparql):
        if r["f"].value in families and r["p"].value in targets:
            families[r["f"].value].trials |= targets[r["p"].value].trials
    return targets, families


def _linked_entries(store: TrialStore, kind: str, path: Any) -> list[Entry]:
    """Conditions or sponsors: the shared nodes a trial links to, with their labels."""
    prop = path if isinstance(path, str) and path.startswith("<") else f"<{path}>"
    out: dict[str, Entry] = {}
    sparql = f"SELECT ?x ?label ?id WHERE {{ ?t {prop} ?x ; <{TKG.trialId}> ?id . ?x <{RDFS_LABEL}> ?label }}"
    for r in store.query(sparql):
        e = out.setdefault(r["x"].value, Entry(kind, r["label"].value, r["label"].value, [r["label"].value]))
        e.trials.add(r["id"].value)
    return list(out.values())
