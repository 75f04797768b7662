"""Disease names as OncoTree nodes, and how a patient's diagnosis relates to a trial's.

The table is ``ontology/reference/diseases.tsv`` (compiled by
``trialkg.tools.compile_diseases`` from OncoTree 2025-10-03, CC BY 4.0, plus curated
histology groups and synonyms). Each node has parents: its OncoTree parent (site first:
UTERUS > USARC > USMT > ULMS), histology groups (SARCOMA, CARCINOMA, ADENOCARCINOMA,
SQUAMOUS ...) and cross-links (ULMS is also under LMS Leiomyosarcoma, so under
SOFT_TISSUE).

A name is read as a *conjunction* of nodes: "Squamous Cell Non-small Cell Lung Cancer"
is {SQUAMOUS, NSCLC}; "adenocarcinoma of the lung" is {ADENOCARCINOMA, LUNG}; "breast
cancer" is {BREAST, CARCINOMA} (a tissue whose tumour types are mostly carcinomas reads
"cancer" as carcinoma). Relations:

- ``within``: every node of the target is an ancestor-or-self of one of the patient's
  ("uterine leiomyosarcoma" is within "soft tissue sarcoma");
- ``outside``: some target node has no descendant in common with the patient's disease
  (no OncoTree type is both an adenocarcinoma and a squamous carcinoma; AML and CML are
  siblings; no breast carcinoma is a sarcoma);
- ``unknown`` otherwise ("leiomyosarcoma" against "uterine leiomyosarcoma").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from trialkg.resources import ontology_file

ROOT = "TISSUE"
MAX_PHRASE = 9
Relation = str  # "within" | "outside" | "unknown"

# Spelling variants folded before matching (British spellings, possessives).
_FOLD = ((re.compile(r"tumour"), "tumor"), (re.compile(r"leukaemia"), "leukemia"),
         (re.compile(r"oesophag"), "esophag"), (re.compile(r"haemato"), "hemato"),
         (re.compile(r"['’]s\b"), ""))
_KEEP_S = ("ss", "is", "us", "ous")


def tokens(text: str) -> list[str]:
    """Lower-case word tokens, plurals folded ('Sarcomas' -> 'sarcoma')."""
    low = text.lower()
    for pattern, repl in _FOLD:
        low = pattern.sub(repl, low)
    out = []
    for w in re.findall(r"[a-z0-9]+", low):
        if len(w) > 3 and w.endswith("s") and not w.endswith(_KEEP_S):
            w = w[:-1]
        out.append(w)
    return out


@dataclass(frozen=True)
class Disease:
    code: str
    name: str
    parents: tuple[str, ...]
    tissue: str
    ncit: tuple[str, ...]
    cancer_means: str
    source: str

    def describe(self) -> str:
        ncit = f", NCIt {self.ncit[0]}" if self.ncit else ""
        src = "OncoTree" if self.source == "oncotree" else "histology group"
        return f"{self.name} ({src} {self.code}{ncit})"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    codes: tuple[str, ...]
    kind: str  # name | synonym | site | generic | cancer (a tissue's "X Cancer")


@dataclass(frozen=True)
class Resolved:
    """What a name means: the nodes it names together (a conjunction)."""

    text: str
    codes: frozenset[str]
    generic: bool  # only "cancer", "tumor", "neoplasm": any tumour

    def __bool__(self) -> bool:
        return bool(self.codes)


class DiseaseTable:
    """The compiled OncoTree subset, its phrase index and the ancestor/descendant closures."""

    def __init__(self, rows: Iterable[dict[str, str]]) -> None:
        self.nodes: dict[str, Disease] = {}
        self._index: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for row in rows:
            d = Disease(row["code"], row["name"], tuple(filter(None, row["parents"].split("|"))), row["tissue"],
                        tuple(filter(None, row["ncit"].split("|"))), row["cancer_means"], row["source"])
            self.nodes[d.code] = d
            self._add(d.name, d.code, "site" if d.tissue == d.code else "name")
            if "cancer" in tokens(d.name):
                self._add(d.name.replace("Cancer", "Carcinoma"), d.code, "name")
            if d.tissue == d.code and row["main_type"]:
                self._add(row["main_type"], d.code, "cancer")
            for s in filter(None, row["synonyms"].split("|")):
                self._add(s, d.code, "generic" if d.code == ROOT else "synonym")
            for s in filter(None, row["site_words"].split("|")):
                self._add(s, d.code, "site")
        self._ancestors: dict[str, frozenset[str]] = {}
        children: dict[str, set[str]] = {}
        for d in self.nodes.values():
            for p in d.parents:
                children.setdefault(p, set()).add(d.code)
        self._children = children
        self._descendants: dict[str, frozenset[str]] = {}

    def _add(self, phrase: str, code: str, kind: str) -> None:
        key = tuple(tokens(phrase))
        if key:
            entries = self._index.setdefault(key, [])
            if (code, kind) not in entries:
                entries.append((code, kind))

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> DiseaseTable:
        text = ontology_file("reference/diseases.tsv").read_text(encoding="utf-8")
        return cls(csv.DictReader(io.StringIO(text), delimiter="\t"))

    # -- closures --------------------------------------------------------------
    def ancestors(self, code: str) -> frozenset[str]:
        """The node, its parents, theirs ... (OncoTree parent, groups, cross-links)."""
        hit = self._ancestors.get(code)
        if hit is None:
            seen, todo = {code}, [code]
            while todo:
                node = self.nodes.get(todo.pop())
                for p in node.parents if node else ():
                    if p not in seen:
                        seen.add(p)
                        todo.append(p)
            hit = self._ancestors[code] = frozenset(seen)
        return hit

    def descendants(self, code: str) -> frozenset[str]:
        hit = self._descendants.get(code)
        if hit is None:
            seen, todo = {code}, [code]
            while todo:
                for c in self._children.get(todo.pop(), ()):
                    if c not in seen:
                        seen.add(c)
                        todo.append(c)
            hit = self._descendants[code] = frozenset(seen)
        return hit

    # -- reading names -----------------------------------------------------------
    def mentions(self, text: str) -> list[Mention]:
        """Longest phrases of the index found in ``text``, left to right, not overlapping."""
        toks = tokens(text)
        found: list[Mention] = []
        i = 0
        while i < len(toks):
            for n in range(min(MAX_PHRASE, len(toks) - i), 0, -1):
                entries = self._index.get(tuple(toks[i:i + n]))
                if entries:
                    kind = entries[0][1]
                    found.append(Mention(i, i + n, tuple(c for c, _k in entries), kind))
                    i += n
                    break
            else:
                i += 1
        return _drop_metastasis_sites(found, toks)

    def resolve(self, text: str) -> Resolved:
        """The nodes a disease name stands for; empty when it names no tumour (sites alone do not)."""
        found = self.mentions(text)
        if not found or all(m.kind == "site" for m in found):
            return Resolved(text, frozenset(), False)
        codes: set[str] = set()
        generic_cancer = False
        for m in found:
            if m.kind == "generic":
                generic_cancer = generic_cancer or "cancer" in tokens(text)
                continue
            codes.add(m.codes[0])
            if m.kind == "cancer" and self.nodes[m.codes[0]].cancer_means:
                codes.add(self.nodes[m.codes[0]].cancer_means)
        if generic_cancer and codes and all(self.nodes[c].tissue == c for c in codes):
            codes |= {self.nodes[c].cancer_means for c in codes if self.nodes[c].cancer_means}
        if not codes:
            return Resolved(text, frozenset({ROOT}), True)
        # the most specific nodes: drop one that is an ancestor of another named node
        specific = {c for c in codes if not any(c != o and c in self.ancestors(o) for o in codes)}
        return Resolved(text, frozenset(specific), False)

    # -- relations -----------------------------------------------------------------
    def relation(self, patient: Resolved, target: Resolved) -> Relation:
        """Is the patient's disease within the target, outside it, or not known to be either?"""
        if not patient or not target:
            return "unknown"
        if target.generic:
            return "within"
        if patient.generic:
            return "unknown"
        above: set[str] = set()
        for p in patient.codes:
            above |= self.ancestors(p)
        if target.codes <= above:
            return "within"
        common = frozenset.intersection(*(self.descendants(p) for p in patient.codes))
        if any(not (common & self.descendants(t)) for t in target.codes):
            return "outside"
        return "unknown"

    def alternatives(self, text: str) -> list[Resolved]:
        """A list of types ("bone and soft tissue sarcoma", "synovial sarcoma, leiomyosarcoma, etc.").

        Parts are split on commas, slashes, "or", "and" ("head and neck" stays whole), and
        what follows "excluding"/"except"/"other than" is left out (those are the list's
        exceptions). A part that names only a site borrows the head noun of the last part:
        "bone and soft tissue sarcoma" is bone sarcoma or soft tissue sarcoma.
        """
        text = _EXCEPT.split(text, maxsplit=1)[0]
        parts = [p for p in _LIST_SEP.split(text) if p and p.strip()]
        if not parts:
            return []
        head = tokens(parts[-1])[-1:] if tokens(parts[-1]) else []
        out = []
        for part in parts:
            r = self.resolve(part)
            if not r and head and self.mentions(part):
                r = self.resolve(part + " " + head[0])
            if r:
                out.append(r)
        return out

    def relation_any(self, patient: Resolved, alternatives: list[Resolved]) -> Relation:
        """``within`` one of the alternatives, ``outside`` all of them, or ``unknown``."""
        rels = [self.relation(patient, a) for a in alternatives]
        if "within" in rels:
            return "within"
        if rels and all(r == "outside" for r in rels):
            return "outside"
        return "unknown"

    def describe(self, resolved: Resolved) -> str:
        if resolved.generic:
            return "any tumour"
        return " and ".join(self.nodes[c].describe() for c in sorted(resolved.codes))


_EXCEPT = re.compile(r"\b(?:excluding|except|other than|with the exception of|but not)\b", re.IGNORECASE)
_LIST_SEP = re.compile(r"\s*(?:[,;/]|\bor\b|\band\b(?!\s+neck)|\betc\b\.?|\band/or\b)\s*", re.IGNORECASE)

# "metastatic brain tumors", "brain metastases": a site a tumour spread to, not its origin.
_METASTASIS = frozenset({"metastase", "metastasis", "metastatic", "metastasi"})


def _drop_metastasis_sites(found: list[Mention], toks: list[str]) -> list[Mention]:
    out = []
    for n, m in enumerate(found):
        if m.kind == "site":
            after = toks[m.end] if m.end < len(toks) else ""
            before = toks[m.start - 1] if m.start > 0 else ""
            nxt = found[n + 1] if n + 1 < len(found) else None
            disease_follows = nxt is not None and nxt.start == m.end and nxt.kind != "generic"
            if after in _METASTASIS or (before in _METASTASIS and not disease_follows and after != "cancer"):
                continue
        out.append(m)
    return out


def resolve(text: str) -> Resolved:
    return DiseaseTable.default().resolve(text)


def relation(patient: Resolved, target: Resolved) -> Relation:
    return DiseaseTable.default().relation(patient, target)
