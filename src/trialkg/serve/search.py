"""The search index: every name a user may type, built once when the server starts.

Entries are trials (id, NCT id, titles), drugs (preferred name, synonyms, brands, code
names, salt forms, ChEMBL and DrugBank ids), targets (HGNC symbol, name, aliases such as
"VEGFR2" or "FLK-1", UniProt accession), target families (key, name, aliases),
conditions and sponsors. Names are compared folded (case, accents, punctuation) and
compacted ("VEGFR-2", "VEGFR 2" and "vegfr2" are one name). A drug, target, family,
condition or sponsor that matches brings its trials along, with the reason.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from trialkg import iris
from trialkg.namespace import TKG
from trialkg.store import TrialStore
from trialkg.store.read import select
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
    iri: str = ""
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
    """Entries by kind; ``search(text)`` gives matches and the trials they bring.

    It is also the server's directory of trials: ``summaries`` holds one row per trial
    (title, status, phases, lead sponsor, start) and ``trials_of(iri)`` the trials behind
    a drug, target, family, condition or sponsor, so the pages of a target with thousands
    of trials count phases and sponsors in memory instead of querying per request.
    """

    def __init__(self, entries: list[Entry], summaries: dict[str, dict[str, Any]] | None = None) -> None:
        self.entries = entries
        for e in entries:
            e.prepare()
        self.trial_titles = {e.key: e.label for e in entries if e.kind == "trial"}
        self.summaries_by_id = summaries or {}
        self.by_iri = {e.iri: e for e in entries if e.iri}
        # All folded (and compacted) names in two strings, so a query is found by str.find
        # (one C scan) and only the entries it occurs in are scored.
        starts: list[int] = []
        owners: list[int] = []
        folded: list[str] = []
        compacts: list[str] = []
        offset = 0
        for n, e in enumerate(entries):
            for _name, f, c in e.folded:
                starts.append(offset)
                owners.append(n)
                folded.append(f)
                compacts.append(c + " " * (len(f) - len(c)))
                offset += len(f) + 1
        self._starts, self._owners = starts, owners
        self._folded_text = "\n".join(folded)
        self._compact_text = "\n".join(compacts)

    def _candidates(self, q: str, compact: str) -> list[Entry]:
        found: set[int] = set()
        for needle, text in ((q, self._folded_text), (compact, self._compact_text)):
            i = text.find(needle)
            while i >= 0:
                found.add(self._owners[bisect.bisect_right(self._starts, i) - 1])
                i = text.find(needle, i + 1)
        return [self.entries[n] for n in sorted(found)]

    def trials_of(self, iri: str) -> set[str]:
        e = self.by_iri.get(iri)
        return set(e.trials) if e else set()

    def summaries(self, trial_ids: Any) -> list[dict[str, Any]]:
        """Summary rows of these trials, by id."""
        return [self.summaries_by_id[t] for t in sorted(set(trial_ids)) if t in self.summaries_by_id]

    def search(self, text: str, *, limit: int = 50) -> dict[str, Any]:
        q = fold(text)
        compact = q.replace(" ", "")
        if not q:
            return {"query": text, "matches": {k: [] for k in KINDS}, "trials": [], "total_trials": 0}
        hits: list[tuple[Entry, int, str]] = []
        for e in self._candidates(q, compact):
            hit = score(e, q, compact)
            if hit is not None:
                hits.append((e, *hit))
        matches: dict[str, list[dict[str, Any]]] = defaultdict(list)
        best: dict[str, int] = {}
        for e, s, name in hits:
            if e.kind == "trial":
                best[e.key] = max(best.get(e.key, 0), s + 5)
                continue
            matches[e.kind].append({"key": e.key, "label": e.label, "matched": name, "score": s, "trials": len(e.trials)})
            for tid in e.trials:
                if best.get(tid, -1) < s:
                    best[tid] = s
        for kind in matches:
            matches[kind].sort(key=lambda m: (-m["score"], -m["trials"], m["label"].lower()))
            del matches[kind][limit:]
        top = heapq.nsmallest(limit, best.items(), key=lambda kv: (-kv[1], kv[0]))
        trials = [{"id": tid, "title": self.trial_titles.get(tid), "score": s, "why": self._why(tid, hits)}
                  for tid, s in top]
        return {"query": text, "matches": {k: matches.get(k, []) for k in KINDS},
                "trials": trials, "total_trials": len(best)}

    @staticmethod
    def _why(tid: str, hits: list[tuple[Entry, int, str]]) -> list[str]:
        """Why a trial was found: its id or title, or the drug, target ... that brought it."""
        out: list[str] = []
        for e, _s, name in hits:
            if e.kind == "trial":
                reason = "id or title" if e.key == tid else None
            elif tid in e.trials:
                reason = f"{e.kind} {e.label}" + (f" ({name})" if fold(name) != fold(e.label) else "")
            else:
                reason = None
            if reason and reason not in out:
                out.append(reason)
        return out


def build_index(store: TrialStore) -> SearchIndex:
    """Read every searchable name from the store (a handful of SELECTs)."""
    entries: list[Entry] = []
    trials, summaries = _trial_entries(store)
    entries += trials
    drugs = _drug_entries(store)
    targets, families = _target_entries(store, drugs)
    entries += drugs.values()
    entries += targets.values()
    entries += families.values()
    entries += _linked_entries(store, "condition", TKG.hasCondition)
    entries += _linked_entries(store, "sponsor", f"<{TKG.leadSponsor}>|<{TKG.collaborator}>")
    return SearchIndex(entries, summaries)


def _trial_entries(store: TrialStore) -> tuple[list[Entry], dict[str, dict[str, Any]]]:
    """Search entries (ids and titles) and summary rows of every trial, in one SELECT."""
    out: dict[str, Entry] = {}
    rows: dict[str, dict[str, Any]] = {}
    sparql = f"""SELECT ?id ?nct ?title ?official ?status ?phase ?sponsor ?start WHERE {{
      ?t a <{TKG.Trial}> ; <{TKG.trialId}> ?id .
      OPTIONAL {{ ?t <{TKG.nctId}> ?nct }} OPTIONAL {{ ?t <{DCT_TITLE}> ?title }}
      OPTIONAL {{ ?t <{TKG.officialTitle}> ?official }} OPTIONAL {{ ?t <{TKG.overallStatus}> ?status }}
      OPTIONAL {{ ?t <{TKG.phase}> ?phase }} OPTIONAL {{ ?t <{TKG.startDate}> ?start }}
      OPTIONAL {{ ?t <{TKG.leadSponsor}> ?org . ?org <{RDFS_LABEL}> ?sponsor }} }}"""
    for r in select(store, sparql, text=True):
        tid = r["id"]
        e = out.setdefault(tid, Entry("trial", tid, r["title"] or tid, [tid],
                                      iri=iris.trial(tid)))
        for key in ("nct", "title", "official"):
            if r[key] is not None and r[key] not in e.names:
                e.names.append(r[key])
        row = rows.setdefault(tid, {"id": tid, "title": None, "status": None, "phases": [], "sponsor": None,
                                    "start": None})
        for key in ("title", "status", "sponsor", "start"):
            if r[key] is not None and row[key] is None:
                row[key] = r[key]
        if r["phase"] is not None and r["phase"] not in row["phases"]:
            row["phases"] = sorted([*row["phases"], r["phase"]])
    return list(out.values()), rows


def _drug_entries(store: TrialStore) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    name_props = f"<{SKOS_PREF}>|<{RDFS_LABEL}>|<{SKOS_ALT}>|<{TKG.codeName}>|<{TKG.saltForm}>|<{TKG.chemblId}>|<{TKG.drugbankId}>"
    sparql = f"""SELECT ?d ?pref ?n WHERE {{ GRAPH <{iris.REFERENCE_GRAPH}> {{
      ?d a <{TKG.Drug}> ; <{SKOS_PREF}>|<{RDFS_LABEL}> ?pref ; {name_props} ?n }} }}"""
    for r in select(store, sparql, text=True):
        e = out.setdefault(r["d"], Entry("drug", r["pref"], r["pref"], [r["pref"]], iri=r["d"]))
        if r["n"] not in e.names:
            e.names.append(r["n"])
    for r in select(store, f"SELECT DISTINCT ?d ?id WHERE {{ ?t <{TKG.hasDrug}> ?d ; <{TKG.trialId}> ?id }}", text=True):
        if r["d"] in out:
            out[r["d"]].trials.add(r["id"])
    return out


def _target_entries(store: TrialStore, drugs: dict[str, Entry]) -> tuple[dict[str, Entry], dict[str, Entry]]:
    ref = f"<{iris.REFERENCE_GRAPH}>"
    targets: dict[str, Entry] = {}
    sparql = f"""SELECT ?p ?symbol ?n WHERE {{ GRAPH {ref} {{ ?p a <{TKG.Protein}> ; <{TKG.geneSymbol}> ?symbol ;
      <{TKG.geneSymbol}>|<{RDFS_LABEL}>|<{SKOS_ALT}>|<{TKG.uniprotId}>|<{TKG.hgncId}> ?n }} }}"""
    for r in select(store, sparql, text=True):
        e = targets.setdefault(r["p"], Entry("target", r["symbol"], r["symbol"], [r["symbol"]], iri=r["p"]))
        if r["n"] not in e.names:
            e.names.append(r["n"])
    for r in select(store, f"SELECT ?d ?p WHERE {{ GRAPH {ref} {{ ?d <{TKG.targets}> ?p }} }}", text=True):
        if r["p"] in targets and r["d"] in drugs:
            targets[r["p"]].trials |= drugs[r["d"]].trials
    families: dict[str, Entry] = {}
    sparql = f"""SELECT ?f ?key ?n WHERE {{ GRAPH {ref} {{ ?f a <{TKG.TargetFamily}> ; <{TKG.familyKey}> ?key ;
      <{TKG.familyKey}>|<{RDFS_LABEL}>|<{SKOS_ALT}> ?n }} }}"""
    for r in select(store, sparql, text=True):
        e = families.setdefault(r["f"], Entry("family", r["key"], r["key"], [r["key"]], iri=r["f"]))
        if r["n"] not in e.names:
            e.names.append(r["n"])
    sparql = f"SELECT DISTINCT ?p ?f WHERE {{ GRAPH {ref} {{ ?p <{TKG.inFamily}>/<{SKOS_BROADER}>* ?f }} }}"
    for r in select(store, sparql, text=True):
        if r["f"] in families and r["p"] in targets:
            families[r["f"]].trials |= targets[r["p"]].trials
    return targets, families


def _linked_entries(store: TrialStore, kind: str, path: Any) -> list[Entry]:
    """Conditions or sponsors: the shared nodes a trial links to, with their labels."""
    prop = path if isinstance(path, str) and path.startswith("<") else f"<{path}>"
    out: dict[str, Entry] = {}
    sparql = f"SELECT ?x ?label ?id WHERE {{ ?t {prop} ?x ; <{TKG.trialId}> ?id . ?x <{RDFS_LABEL}> ?label }}"
    for r in select(store, sparql, text=True):
        e = out.setdefault(r["x"], Entry(kind, r["label"], r["label"], [r["label"]], iri=r["x"]))
        e.trials.add(r["id"])
    return list(out.values())
