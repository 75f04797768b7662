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
_CACHE_SIZE = 50_000  # names kept resolved (a store repeats them); cleared when full
MAX_PHRASE = 9
Relation = str  # "within" | "outside" | "unknown"

# Spelling variants folded before matching (British spellings, possessives).
_FOLD = ((re.compile(r"tumour"), "tumor"), (re.compile(r"leukaemia"), "leukemia"),
         (re.compile(r"oesophag"), "esophag"), (re.compile(r"haem"), "hem"), (re.compile(r"phaeo"), "pheo"),
         (re.compile(r"anaem"), "anem"), (re.compile(r"oestro"), "estro"),
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
    exact: bool = True  # every word that could narrow the type was read ("undifferentiated sarcoma" is not)

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
        self._add_heads()
        self._ancestors: dict[str, frozenset[str]] = {}
        children: dict[str, set[str]] = {}
        for d in self.nodes.values():
            for p in d.parents:
                children.setdefault(p, set()).add(d.code)
        self._children = children
        self._descendants: dict[str, frozenset[str]] = {}
        self._resolved: dict[str, Resolved] = {}  # registries repeat their condition and histology names
        self._alternatives: dict[str, list[Resolved]] = {}

    def _add_heads(self) -> None:
        """A name's head as a name of its own when no node has it: "Glioblastoma, IDH-Wildtype",
        "Diffuse Large B-Cell Lymphoma, NOS", "Chronic Lymphocytic Leukemia/Small Lymphocytic
        Lymphoma", "Uterine Carcinosarcoma/Uterine Malignant Mixed Mullerian Tumor". The head
        of an "X, NOS" name is X in general: its parent ("Breast Neoplasm, NOS" -> Breast)."""
        for d in self.nodes.values():
            head = re.split(r"[,/]", d.name, maxsplit=1)[0].strip()
            if head == d.name or not _HEAD_WORD.search(head) or tuple(tokens(head)) in self._index:
                continue
            code = d.code
            if d.name.endswith(", NOS"):  # "Breast Neoplasm, NOS": the head names the parent type
                tree = [p for p in d.parents if p in self.nodes and self.nodes[p].source == "oncotree"]
                code = tree[0] if tree else code
            self._add(head, code, "name")

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
        hit = self._resolved.get(text)
        if hit is None:
            if len(self._resolved) > _CACHE_SIZE:
                self._resolved.clear()
            hit = self._resolved[text] = self._resolve(text)
        return hit

    def _resolve(self, text: str) -> Resolved:
        first = self._read(text)
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if len(parts) > 1 and not (first and first.exact):
            # MeSH writes names inverted: "Leukemia, Myeloid, Acute", "Carcinoma, Hepatocellular"
            turned = self._read(" ".join(reversed(parts)))
            if turned and turned.exact:
                return Resolved(text, turned.codes, turned.generic, True)
        return first

    def _read(self, text: str) -> Resolved:
        found = self.mentions(text)
        if not found or all(m.kind == "site" for m in found):
            return Resolved(text, frozenset(), False)
        toks = tokens(text)
        covered = {i for m in found for i in range(m.start, m.end)}
        read = {toks[i] for i in covered}  # "Chronic Phase Chronic Myelogenous Leukemia": 'chronic' was read
        exact = all(i in covered or t in read or _is_noise(t) for i, t in enumerate(toks))
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
            return Resolved(text, frozenset({ROOT}), True, exact)
        # the most specific nodes: drop one that is an ancestor of another named node
        specific = {c for c in codes if not any(c != o and c in self.ancestors(o) for o in codes)}
        return Resolved(text, frozenset(specific), False, exact)

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
            return "within" if target.exact else "unknown"
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
        hit = self._alternatives.get(text)
        if hit is None:
            if len(self._alternatives) > _CACHE_SIZE:
                self._alternatives.clear()
            hit = self._alternatives[text] = self._alternatives_of(text)
        return hit

    def _alternatives_of(self, text: str) -> list[Resolved]:
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


_HEAD_WORD = re.compile(r"(?:oma|cancer|tumou?r|leuka?emia|neoplasm|carcinoma)$", re.IGNORECASE)
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
            lead = [t for t in toks[max(0, m.start - 2):m.start] if t != "the"]
            spread_to = bool(lead) and lead[-1] in ("to", "in", "into") and any(t in _METASTASIS for t in toks[:m.start])
            if after in _METASTASIS or spread_to or (before in _METASTASIS and not disease_follows and after != "cancer"):
                continue  # "breast cancer metastatic to bone", "brain metastases"
        out.append(m)
    return out


def resolve(text: str) -> Resolved:
    return DiseaseTable.default().resolve(text)


def relation(patient: Resolved, target: Resolved) -> Relation:
    return DiseaseTable.default().relation(patient, target)


# =============================================================================
# A patient's diagnoses against a trial's conditions and a criterion's histologies
# =============================================================================

BROAD = frozenset({ROOT, "SOLID"})  # conditions that name no type
# How a trial's conditions stand to the patient's, best first (the ranking's order): the
# patient's type named, a related type, any tumour, not known, another condition (the
# patient's conditions name none of the trial's: "Atopic Dermatitis", "Cystic Fibrosis
# Related Diabetes" for a sarcoma patient), outside (excluded).
FIT_SPECIFIC, FIT_RELATED, FIT_GENERIC, FIT_UNKNOWN, FIT_OTHER, FIT_OUTSIDE = 0, 1, 2, 3, 4, 5
FIT_NAMES = {FIT_SPECIFIC: "fits", FIT_RELATED: "related", FIT_GENERIC: "any tumour",
             FIT_UNKNOWN: "unknown", FIT_OTHER: "another condition", FIT_OUTSIDE: "outside"}


@dataclass(frozen=True)
class Fit:
    """How a patient's diagnoses stand to a trial's conditions (``tkg:hasCondition``)."""

    value: bool | None  # True: within one; False: outside all; None: not known
    tier: int  # FIT_* (ranking: what is known to fit first)
    why: str

    @property
    def name(self) -> str:
        return FIT_NAMES[self.tier]


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in tokens(text) if len(w) > 1)


def _patient_diseases(table: DiseaseTable, conditions: Iterable[str]) -> list[Resolved]:
    return [r for r in (table.resolve(c) for c in conditions) if r]


# A marker status inside a condition name: "HER2-positive Breast Cancer" (NCT03133988),
# "Triple Negative Breast Cancer" (NCT03424005), "KRAS and NRAS Wild-type Colorectal
# Cancer" (NCT02199223), "IDH1 Mutated Solid Tumors" (NCT02576665).
_CONDITION_MARKER = re.compile(
    r"\b(?P<genes>[A-Z][A-Z0-9]{1,6}(?:-?[0-9]+)?(?:\s*(?:and|/|,)\s*[A-Z][A-Z0-9]{1,6})*)[\s-]*"
    r"(?P<status>positive|negative|\+|wild[\s-]*type|mutated|mutant)(?![\w])", re.IGNORECASE)
_TRIPLE_NEGATIVE = re.compile(r"\btriple[\s-]+negative\b|\bTNBC\b", re.IGNORECASE)


def condition_markers(name: str) -> list[tuple[tuple[str, ...], bool]]:
    """(genes, positive?) a condition name states; several genes of one phrase all hold."""
    from trialkg.knowledge.biomarkers import gene_symbols

    out: list[tuple[tuple[str, ...], bool]] = []
    if _TRIPLE_NEGATIVE.search(name):
        out += [(gene_symbols(g), False) for g in ("ER", "PR", "HER2")]
    for m in _CONDITION_MARKER.finditer(name):
        status = m.group("status").lower()
        positive = status in ("positive", "+", "mutated", "mutant")
        for g in re.split(r"\s*(?:and|/|,)\s*", m.group("genes")):
            if g.isupper() or any(c.isdigit() for c in g):
                out.append((gene_symbols(g), positive))
    return out


def _marker_conflict(name: str, markers: dict[str, bool] | None) -> str | None:
    """The patient's marker status that contradicts one the condition names, if any."""
    if not markers:
        return None
    for genes, positive in condition_markers(name):
        known = [markers[g] for g in genes if g in markers]
        if len(genes) == 1 and known and known[0] != positive:
            return f"'{name}' needs {genes[0]} {'positive' if positive else 'negative'}; the patient's is " \
                   f"{'positive' if known[0] else 'negative'}"
    return None


def condition_fit(patient_conditions: list[str] | None, trial_conditions: list[str],
                  table: DiseaseTable | None = None, markers: dict[str, bool] | None = None) -> Fit:
    """Is one of the patient's diagnoses within one of the trial's conditions?

    A trial naming specific types ("Osteosarcoma") as well as generic ones ("Metastasis")
    is about the specific ones. Outside is said only when the patient's tumour is known,
    every condition of the trial names a tumour type, and none can hold the patient's:
    a breast carcinoma is outside "Sarcoma"; a trial for "Graft-versus-host Disease"
    stays unknown (the table knows no such disease; the patient may have it too).
    Names the table does not know match word-wise ("atopic dermatitis").
    """
    table = table or DiseaseTable.default()
    if patient_conditions is None:
        return Fit(None, FIT_UNKNOWN, "the patient file gives no conditions")
    conflicts = {tc: c for tc in trial_conditions if (c := _marker_conflict(tc, markers))}
    rest = [tc for tc in trial_conditions if tc not in conflicts]
    if conflicts and all(table.resolve(tc).generic for tc in rest):  # "Neoplasm Metastasis" says no type
        return Fit(False, FIT_OUTSIDE, "; ".join(conflicts.values()) + " (tkg:hasCondition)")
    trial_conditions = [tc for tc in trial_conditions if tc not in conflicts]
    named = ", ".join(trial_conditions)
    for pc in patient_conditions:
        for tc in trial_conditions:
            if _words(tc) and _words(tc) <= _words(pc):
                return Fit(True, FIT_SPECIFIC, f"patient condition '{pc}' names trial condition '{tc}' (tkg:hasCondition)")
    patient = _patient_diseases(table, patient_conditions)
    if not patient:
        if patient_conditions and trial_conditions:
            return Fit(None, FIT_OTHER, f"no patient condition ({'; '.join(patient_conditions)}) names a tumour "
                                        f"type of the disease table or a trial condition ({named}; tkg:hasCondition)")
        return Fit(None, FIT_UNKNOWN, f"no patient condition names a tumour type of the disease table; trial: {named}")
    # a condition is one name ("Neoplasms, Breast", "Carcinoma, Non-Small-Cell Lung": MeSH order)
    resolved = {tc: [r] if (r := table.resolve(tc)) else [] for tc in trial_conditions}
    specific = {tc: [a for a in alts if not a.generic] for tc, alts in resolved.items()}
    specific = {tc: alts for tc, alts in specific.items() if alts}
    if not specific:
        if any(a.generic for alts in resolved.values() for a in alts):
            return Fit(True, FIT_GENERIC, f"the trial's conditions name no type ({named}): any tumour")
        # a trial for conditions that are no tumour, none of which the patient's conditions name
        return Fit(None, FIT_OTHER, f"the trial is for {named}, which no patient condition names "
                                    f"({'; '.join(patient_conditions)}; tkg:hasCondition)")
    rels, fit = _within_fit(table, patient, specific, markers)
    if fit is not None:
        return fit
    unresolved = [tc for tc, alts in resolved.items() if not alts]
    if all(r == "outside" for r in rels.values()) and not unresolved:
        who = "; ".join(f"{p.text} = {table.describe(p)}" for p in patient)
        return Fit(False, FIT_OUTSIDE, f"{who}: outside every condition of the trial ({named}; tkg:hasCondition)")
    if any(r == "unknown" for r in rels.values()):
        return Fit(None, FIT_RELATED, f"{', '.join(p.text for p in patient)} may fall within {named} (a broader or "
                   "overlapping type; tkg:hasCondition)")
    return Fit(None, FIT_UNKNOWN, f"the disease table does not name every trial condition ({', '.join(unresolved)})")


# A histology named as something else than the patient's own tumour: another cancer
# ("other malignancy", "second primary", "history of breast cancer"), or the trial's
# disease as the object of a treatment ("chemotherapy for soft-tissue sarcoma").
_ELSEWHERE = re.compile(
    r"\b(?:other|second|secondary|another|prior|previous|history|concurrent|concomitant|additional|synchronous|"
    r"non[- ](?!small|hodgkin)\w+)\b", re.IGNORECASE)
_TREATMENT_FOR = re.compile(r"\bfor\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_OPEN_LIST = re.compile(r"\b(?:etc|e\.?g|such as|including|includes|for example|and others|variants?|subtypes?)\b",
                        re.IGNORECASE)


# Words that make a criterion a statement of the diagnosis ("Histologically confirmed
# soft tissue sarcoma", "Patients with documented squamous cell NSCLC", "Diagnosis of AML").
_DIAGNOSIS = re.compile(
    r"histolog|cytolog|patholog|diagnos|confirm|documented|proven|verified|biops|must have|\bhave (?:an?|the)\b|"
    r"suffer|\bwith (?:advanced|metastatic|recurrent|relapsed|refractory|unresectable|locally|inoperable)|"
    # accrual closed to a population names its diagnosis ("Accrual closed as of 5/27/2009 to
    # patients with renal cell carcinoma", NCT00357318; "closed to accrual", NCT00023673)
    r"\b(?:closed|open)\b[^.;]{0,30}\bto\s+(?:patients|subjects|participants)\s+with\b", re.IGNORECASE)
# A list item ("alveolar soft part sarcoma,") or a scoped criterion ("Cohort B: ...",
# "During the ... procedure: ONLY HER2-RH- breast cancer") names one type among others.
_FRAGMENT = re.compile(r"(?:[,;:]|\b(?:or|and))\s*$", re.IGNORECASE)
_SCOPED = re.compile(r"\b(?:cohorts?|parts?|arms?|strat\w*|groups?|phases?|procedure|expansion|escalation|"
                     r"stage [12]|only)\b", re.IGNORECASE)


def _within_fit(table: DiseaseTable, patient: list, specific: dict, markers: dict[str, bool] | None) -> tuple[dict, Fit | None]:
    """The patient's type within a trial condition, the most specific named type first: the fit,
    with every (patient type, condition) relation for the verdicts that follow."""
    rels = {(i, tc): table.relation_any(p, alts) for i, p in enumerate(patient) for tc, alts in specific.items()}
    within = [(i, tc) for (i, tc), rel in rels.items() if rel == "within"]
    # a named type first, with no marker status the patient file leaves open ("Triple Negative
    # Breast Cancer" without receptor results); "Advanced Solid Tumors" fits any solid tumour
    def open_markers(tc: str) -> bool:
        return any(not any(g in (markers or {}) for g in genes) for genes, _pos in condition_markers(tc))

    within.sort(key=lambda key: (open_markers(key[1]), all(a.codes <= BROAD for a in specific[key[1]])))
    for i, tc in within[:1]:
        tier = FIT_GENERIC if all(a.codes <= BROAD for a in specific[tc]) else FIT_SPECIFIC
        why = (f"{patient[i].text} = {table.describe(patient[i])} is within trial condition "
               f"'{tc}' = {' or '.join(table.describe(a) for a in specific[tc])} (tkg:hasCondition)")
        if open_markers(tc):
            return rels, Fit(None, FIT_RELATED, f"{why}; the marker status it names is not in the patient file")
        return rels, Fit(True, tier, why)
    return rels, None


def _about_diagnosis(name: str, text: str) -> bool:
    """The criterion states the diagnosis, or is little more than the type's name ("Primary bone sarcoma")."""
    if not text or _DIAGNOSIS.search(text):
        return True
    named, words = _words(name) - _NOISE, _words(text) - _NOISE
    return bool(words) and len(named & words) * 2 >= len(words)


def closed_list(text: str) -> bool:
    """Whether a criterion's named types are all it admits (not a list item, not a scoped part)."""
    return not (_FRAGMENT.search(text.strip()) or _SCOPED.search(text))


def _context(name: str, text: str) -> str | None:
    """Why a named histology is not a statement about the patient's tumour, if it is not."""
    if _ELSEWHERE.search(name):
        return "names another tumour than the patient's"
    if not _about_diagnosis(name, text):
        return "is named in passing (the criterion does not state the diagnosis)"
    i = text.lower().find(name.lower())
    before = text[max(0, i - 40):i] if i >= 0 else ""
    if i >= 0 and _TREATMENT_FOR.search(before):
        return "names the disease a treatment was for"
    if i >= 0 and re.search(r"\b(?:other|second|history of|prior|previous)\s+(?:[\w-]+\s+){0,2}$", before, re.IGNORECASE):
        return "names another tumour than the patient's"
    return None


def _shared_groups(table: DiseaseTable, alts: list[Resolved]) -> set[str]:
    """The types every item of an open list belongs to ('synovial sarcoma, leiomyosarcoma, etc.' -> SARCOMA)."""
    shared: set[str] | None = None
    for a in alts:  # strict ancestors: a one-item fragment ("clear cell sarcoma,") stands for its family
        above = set().union(*(table.ancestors(c) - {c} for c in a.codes))
        shared = above if shared is None else shared & above
    return (shared or set()) - {ROOT, "SOLID"}


def has_histology(patient_conditions: list[str], names: list[str], text: str,
                  trial_conditions: Iterable[str] = (), *, closed_ok: bool = True, in_exclusion: bool = False,
                  exceptions: bool = False, table: DiseaseTable | None = None) -> tuple[bool | None, str]:
    """Does the patient's tumour belong to one of ``names`` (a criterion's histology list)?

    ``False`` needs the patient's tumour known and outside every named type; for an open
    list ("..., etc.", "such as") outside the types all named items share. A name that
    covers the trial's own conditions inside an exclusion, or that names another
    tumour, decides nothing.
    """
    table = table or DiseaseTable.default()
    patient = _patient_diseases(table, patient_conditions)
    trial = [r for tc in trial_conditions if (r := table.resolve(tc)) and not r.generic]
    values: list[bool | None] = []
    whys: list[str] = []
    for name in names:
        ctx = _context(name, text)
        alts = [a for a in table.alternatives(name) if not a.generic]
        word_hit = any(_words(n) and _words(n) <= _words(pc) for pc in patient_conditions
                       for n in re.split(r",|;|/|\bor\b|\band\b|\betc\b", name) if _words(n) - _NOISE)
        if not ctx and in_exclusion and trial and alts and all(table.relation_any(t, alts) == "within" for t in trial):
            ctx = "covers the trial's own conditions (the disease the trial is for, not an exclusion)"
        if ctx:
            values.append(None)
            whys.append(f"'{name}' {ctx}")
            continue
        if word_hit:
            values.append(True)
            whys.append(f"{', '.join(patient_conditions)} is a '{name}'")
            continue
        if not alts or not patient:
            values.append(None)
            whys.append(f"'{name}': no tumour type of the disease table" if not alts else "patient tumour type unknown")
            continue
        rel = "unknown"
        rels = [table.relation_any(p, alts) for p in patient]
        if "within" in rels:
            rel = "within"
        elif all(r == "outside" for r in rels):
            rel = "outside"
            if not closed_ok or _OPEN_LIST.search(name):
                shared = _shared_groups(table, alts)
                family = Resolved(name, frozenset(shared), False) if shared else None
                if not family or not all(table.relation(p, family) == "outside" for p in patient):
                    rel = "unknown"
        desc = " or ".join(table.describe(a) for a in alts)
        who = ", ".join(f"{p.text} = {table.describe(p)}" for p in patient)
        values.append({"within": True, "outside": False}.get(rel))
        whys.append(f"{who} {'is within' if rel == 'within' else 'is outside' if rel == 'outside' else 'may be within'} "
                    f"'{name}' = {desc}")
    if any(v is True for v in values):
        return True, "; ".join(whys)
    if values and all(v is False for v in values):
        # the parser may have kept only part of a list ("diagnosis of breast cancer or non
        # small cell lung cancer", NCT01060514): outside only if outside every type the text names
        named = [] if exceptions else [a for a in table.alternatives(text) if not a.generic]
        if named and any(table.relation_any(p, named) != "outside" for p in patient):
            return None, "; ".join(whys) + "; the criterion's text names another type the patient's may be"
        return False, "; ".join(whys)
    return None, "; ".join(whys) or "no histology named"


def _is_noise(token: str) -> bool:
    """Words that say stage, grade, certainty or setting, not type."""
    return token in _NOISE or bool(_STAGE.match(token))


_STAGE = re.compile(r"^(?:[ivx]+[a-d]?[0-9]?|[0-9]+[a-z]*|v[0-9]+|t[0-9x]|n[0-9x]|m[0-9x])$")
_NOISE = frozenset(
    "histology histologies "  # "squamous cell histology" is the type (NCT00581789, NCT00357318)
    "a an the of with including include such as e g eg advanced metastatic unresectable locally recurrent "
    "refractory relapsed confirmed histologically pathologically cytologically documented diagnosis "
    "diagnosed patient subject type subtype stage iv iii high grade low ajcc uicc tnm newly previously treated "
    "untreated progressive persistent resectable inoperable primary malignant proven biopsy tissue adult adults "
    "childhood pediatric paediatric in and or to for on by who have has had are is be been that which any all "
    "cytologically-documented histological cytological documentation evidence measurable disease early invasive "
    "bilateral multifocal multicentric operable phase accelerated blast crisis "
    # marker status narrows who is eligible, not the tumour type (the biomarker criteria decide it)
    "positive negative wild mutant mutated mutation methylated deficient triple her2 er pr hr egfr alk ros1 braf "
    "kras nras idh1 idh2 mgmt msi dmmr mmr pd l1 ph philadelphia chromosome bcr abl".split()
)
