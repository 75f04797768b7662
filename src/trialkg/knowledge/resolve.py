"""Targets, drugs and drug classes as people name them, to the names the graph stores.

Stored-query parameters (``trialkg query trials-by-target -p target VEGFR2``) and other
user input name a target by HGNC symbol (KDR), alias (VEGFR2, VEGFR-2, FLK1), UniProt
accession (P35968) or family key (VEGFR, vegfr); a drug by INN, brand, code or salt
name (Tasigna, MK-3475, imatinib mesylate); a class by key, label or phrase ("VEGFR
TKIs"). Each resolves, in any case and with any punctuation, to the graph's own
spelling: a gene symbol or family key, a generic drug name, a class key. A name that
resolves to nothing is a ``UsageError`` (exit 2) that proposes the closest names
(rapidfuzz), never a silent empty answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from trialkg.errors import UsageError
from trialkg.knowledge.lexicon import Lexicon, name_key
from trialkg.knowledge.mentions import find_class_mentions

SUGGESTIONS = 5
_ACCESSION = re.compile(r"^(?:[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})$")


@dataclass(frozen=True)
class Target:
    """What a target name means: a protein (``value`` = gene symbol) or a family (key)."""

    kind: str  # protein | family | non-protein
    value: str
    label: str


def _fold(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "", text.upper())


class Resolver:
    """Name indexes over one lexicon (curated tables and compiled dictionary)."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.targets: dict[str, Target] = {}
        self.shown: dict[str, str] = {}  # folded -> a name to propose
        self.families: dict[str, str] = {}  # folded family key or alias -> key
        for key, fam in lex.families.items():
            t = Target("family", key, fam.label)
            for name in (key, *fam.aliases):
                self._add(name, t)
                self.families[_fold(name)] = key
        compiled = lex.compiled
        if compiled is not None:
            for acc, (_a, symbol, name, ttype) in sorted(compiled.targets.items()):
                if symbol:
                    t = Target("protein" if ttype == "protein" else "non-protein", symbol, name or symbol)
                    self._add(symbol, t, weak=True)
                    self._add(acc, t, weak=True)
        for sym, prot in lex.proteins.items():  # curated last: their aliases win
            t = Target("protein", sym, prot.name or sym)
            for name in (sym, prot.uniprot, *prot.aliases):
                self._add(name, t)

    def _add(self, name: str, target: Target, weak: bool = False) -> None:
        key = _fold(name)
        if not key or (weak and key in self.targets):
            return
        self.targets[key] = target
        self.shown.setdefault(key, name)

    # -- targets ----------------------------------------------------------------------

    def target(self, text: str) -> Target:
        key = _fold(text)
        found = self.targets.get(key)
        if found is None and key.endswith("S") and len(key) > 3:
            found = self.targets.get(key[:-1])  # "VEGFRs", "FGFRS"
        if found is None:
            what = "UniProt accession" if _ACCESSION.match(key) else "target"
            raise UsageError(f"unknown {what} {text!r}{_proposal(key, self.shown)}", field="target")
        return found

    def family(self, text: str) -> str:
        key = _fold(text)
        for k in (key, key[:-1] if key.endswith("S") else None):
            if k and k in self.families:
                return self.families[k]
        t = self.target(text)
        if t.kind != "family":
            fam = self.lex.proteins.get(t.value)
            hint = f"; {t.value} is in family {fam.family!r}" if fam is not None and fam.family else ""
            raise UsageError(f"{text!r} is a protein ({t.value}), not a target family{hint}", field="family")
        return t.value

    # -- drugs ------------------------------------------------------------------------

    def drug(self, text: str) -> str:
        info = self.lex.drug(text.strip())
        if info is None:
            from trialkg.knowledge.normalise import normalise_intervention_name

            res = normalise_intervention_name(text, "DRUG", lexicon=self.lex)
            if any(m.get("method") == "fuzzy" or m.get("part_method") == "fuzzy" for m in res.matches):
                # a spelling a query should not guess at: say what it is close to
                raise UsageError(f"unknown drug {text!r}; did you mean: {', '.join(res.drugs)}?", field="drug")
            if len(res.drugs) == 1:
                return res.drugs[0]
            if len(res.drugs) > 1:
                raise UsageError(f"{text!r} names several drugs ({', '.join(res.drugs)}): give one", field="drug")
            raise UsageError(f"unknown drug {text!r}{_proposal(name_key(text), _drug_names(self.lex))}",
                             field="drug")
        return info.name

    # -- classes ----------------------------------------------------------------------

    def drug_class(self, text: str) -> str:
        wanted = name_key(text)
        for key, c in self.lex.classes.items():
            if wanted in {name_key(key), name_key(c.label), *(name_key(p) for p in c.phrases)}:
                return key
        found = {m.drug_class for m in find_class_mentions(text, self.lex) if m.drug_class}
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            raise UsageError(f"{text!r} names several drug classes ({', '.join(sorted(found))}): give one",
                             field="class")
        raise UsageError(f"unknown drug class {text!r}{_proposal(wanted, _class_names(self.lex))}", field="class")


def _proposal(key: str, names: dict[str, str]) -> str:
    """'; did you mean: KDR, FLT1 ...?' (or how to list the names)."""
    if key:
        choices = [k for k in names if len(k) > 1]
        best = process.extract(key, choices, scorer=fuzz.ratio, limit=SUGGESTIONS, score_cutoff=55)
        shown = list(dict.fromkeys(names[b[0]] for b in best))
        if shown:
            return f"; did you mean: {', '.join(shown)}?"
    return "; no close match"


@lru_cache(maxsize=2)
def _drug_names(lex: Lexicon) -> dict[str, str]:
    """Folded -> shown name of every drug (curated and compiled), for proposals only."""
    out = {name_key(n): n for n in lex.drugs}
    compiled = lex.compiled
    if compiled is not None:
        for row in compiled.drugs.all_rows():
            out.setdefault(name_key(row[0]), row[0])
    return out


def _class_names(lex: Lexicon) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, c in lex.classes.items():
        out.setdefault(name_key(key), key)
        out.setdefault(name_key(c.label), c.label)
    return out


@lru_cache(maxsize=2)
def resolver(lex: Lexicon | None = None) -> Resolver:
    return Resolver(lex or Lexicon.default())


# Stored-query parameter names and what they name.
PARAMETER_KINDS = {"target": "target", "family": "family", "drug": "drug", "prior_drug": "drug",
                   "class": "class", "drug_class": "class"}


def resolve_parameter(name: str, value: str, store: Any = None) -> str:
    """The graph's spelling of a stored-query parameter value naming a target, family,
    drug or class; any other parameter is returned as given. A name the reference
    tables do not know raises, unless ``store`` (a ``TrialStore``) has it in its own
    reference graph (a store built with other reference data: C9orf72, an "RTK" family)."""
    kind = PARAMETER_KINDS.get(name)
    if kind is None or not value.strip():
        return value
    try:
        return _resolve(kind, value)
    except UsageError:
        if store is not None and _store_names(store, value):
            return value
        raise


_STORE_NAME = """SELECT ?v ?x WHERE { GRAPH <%s> {
  ?x <https://w3id.org/trialkg/ontology#geneSymbol>|<https://w3id.org/trialkg/ontology#familyKey>|<https://w3id.org/trialkg/ontology#classKey>|<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#altLabel> ?n .
  FILTER(LCASE(STR(?n)) = LCASE(STR(?v))) } } LIMIT 1"""


def _store_names(store: Any, value: str) -> bool:
    from pyoxigraph import Literal

    from trialkg import iris

    return any(True for _ in store.query(_STORE_NAME % iris.REFERENCE_GRAPH, {"v": Literal(value.strip())}))


def _resolve(kind: str, value: str) -> str:
    r = resolver()
    if kind == "target":
        return r.target(value).value
    if kind == "family":
        return r.family(value)
    if kind == "drug":
        return r.drug(value)
    return r.drug_class(value)
