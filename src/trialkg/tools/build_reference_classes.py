"""Drug-class membership of every compiled drug, derived by rules from its mechanism.

``ontology/reference/class_rules.tsv`` (curated, shipped) holds one rule a row:

- ``target``: the drug has a mechanism edge (ChEMBL or DrugCentral mechanism of action,
  basis ``mechanism`` in ``targets.tsv.gz``) to one of the HGNC symbols of ``match``
  with one of the ``actions``; ``CDK4&CDK6`` asks for an edge to each; ``kinds`` limits
  the rule to antibodies (``-mab`` names and the antibody kind) or small molecules, and
  ``name`` to drugs whose name also has a stem (a vinca alkaloid is a ``vin-`` drug with
  a tubulin mechanism; vincamine has none). An aromatase (CYP19A1) inhibitor is an
  aromatase inhibitor; a DHFR inhibitor an antifolate.
- ``listed``: the drug is one of the names of ``match``, as a cited table lists them
  (the FDA table of clinical CYP3A inhibitors and inducers: a property of the molecule
  that no mechanism row records).
- ``nuclide``: the drug's name carries a radionuclide (``nuclides.tsv``) whose use is
  one of ``match`` ("therapy": radium Ra 223 dichloride, lutetium Lu-177 vipivotide
  tetraxetan, iobenguane I-131, strontium chloride Sr-89): the use of the emitter, not
  a mechanism, makes a therapeutic radiopharmaceutical (ATC V10).
- ``stem``: the drug's one-word name ends with a WHO INN stem (``match`` is a regex):
  ``-rubicin`` anthracyclines, ``-platin`` platinum compounds, ``-taxel`` taxanes,
  ``-rozole`` aromatase inhibitors, ``-ciclib`` CDK inhibitors. A stem says what a
  mechanism row cannot (doxorubicin and etoposide are both TOP2A inhibitors; only one is an
  anthracycline; a platinum compound's target is DNA).

The output ``classes.tsv.gz`` has one row per (drug, class, basis) with the evidence the
row rests on; ``Lexicon`` gives every drug these classes beside the curated ones.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trialkg.knowledge.lexicon import Nuclide
from trialkg.knowledge.nuclides import Grammar, label_key
from trialkg.tools import upstream as up

RULES = "class_rules.tsv"
BASES = ("target", "stem", "listed", "nuclide")
HEADER = ["drug", "class", "basis", "evidence"]
_ANTIBODY_NAME = re.compile(r"mab(?:-[a-z]{4})?$|mab\s")
_ONE_WORD = re.compile(r"^[a-z][a-z-]*$")


@dataclass(frozen=True)
class Rule:
    cls: str
    basis: str  # target | stem | listed | nuclide
    groups: tuple[frozenset[str], ...]  # target: each group needs one edge; listed: the names; nuclide: the uses
    stem: re.Pattern[str] | None  # stem: the name's stem; target: a stem the name must also have
    actions: frozenset[str]
    kinds: frozenset[str]
    source: str


def _split(text: str) -> frozenset[str]:
    return frozenset(filter(None, (p.strip() for p in text.split("|"))))


def read_rules(curated: Path, classes: set[str]) -> list[Rule]:
    """The rules, each checked: a known class, a basis, a pattern that compiles."""
    rules = []
    for n, row in enumerate(up.read_tsv(curated / RULES), start=2):
        cls, basis, match = row["class"].strip(), row["basis"].strip(), row["match"].strip()
        if cls not in classes or basis not in BASES or not match or not row["source"].strip():
            raise ValueError(f"{RULES} line {n}: needs a class of classes.tsv, basis {'|'.join(BASES)}, match "
                             f"and source (got {cls!r}, {basis!r})")
        if basis == "target":
            groups = tuple(frozenset(s.upper() for s in _split(g)) for g in match.split("&"))
        elif basis in ("listed", "nuclide"):
            groups = (frozenset(s.lower() for s in _split(match)),)
        else:
            groups = ()
        rules.append(Rule(
            cls, basis, groups,
            re.compile(match if basis == "stem" else row["name"]) if basis == "stem" or row["name"] else None,
            _split(row["actions"]), _split(row["kinds"]), row["source"].strip()))
    return rules


def read_nuclides(curated: Path) -> Grammar:
    """The dictionary-form grammar of ``nuclides.tsv`` (names in any case)."""
    return Grammar(tuple(Nuclide(r["symbol"], r["element"].lower(), r["mass"], r["use"])
                         for r in up.read_tsv(curated / "nuclides.tsv")), strict=False)


def _kind(name: str, kind: str) -> str:
    if kind in ("antibody", "adc") or _ANTIBODY_NAME.search(name):
        return "antibody"
    return kind or "small-molecule"


def derive(drugs: Iterable[list[str]], edges: Iterable[list[str]], proteins: Iterable[list[str]],
           rules: list[Rule], kinds: dict[str, str] | None = None,
           nuclides: Grammar | None = None) -> list[list[str]]:
    """Rows (drug, class, basis, evidence) for the compiled tables; ``kinds`` adds the
    curated drugs' kinds (antibody, adc, protein, small-molecule); ``nuclides`` reads the
    radionuclide a name carries (rules of basis ``nuclide``)."""
    symbol = {p[0]: p[1].upper() for p in proteins if p[1]}
    mech: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for drug, target, action, source, _ref, basis in edges:
        if basis == "mechanism" and target in symbol:
            mech[drug][(symbol[target], action)].add(source)
    out: set[tuple[str, str, str, str]] = set()
    for row in drugs:
        name, kind = row[0], _kind(row[0], (kinds or {}).get(row[0]) or row[1])
        for rule in rules:
            if rule.kinds and kind not in rule.kinds:
                continue
            evidence = _evidence(rule, name, mech.get(name, {}), nuclides)
            if evidence:
                out.add((name, rule.cls, rule.basis, evidence))
    return sorted(list(r) for r in out)


# The salt or ester of a modified INN is no part of its stem: "fludarabine phosphate" is a
# -arabine purine analogue, "imatinib mesylate" a -tinib, "doxorubicin hydrochloride" a
# -rubicin, "sunitinib malate", "irinotecan hydrochloride" (WHO INNM names).
_SALT = re.compile(
    r"(?:\s+(?:mono|di|tri|tetra)?(?:phosphate|mesylate|mesilate|hydrochloride|hydrobromide|sodium|potassium|calcium|"
    r"magnesium|malate|tosylate|maleate|citrate|sulfate|sulphate|acetate|tartrate|bitartrate|besylate|besilate|"
    r"fumarate|succinate|bromide|chloride|lactate|gluconate|hydrate|hemihydrate|monohydrate|free\s+base|"
    # prodrug esters and amides, which leave the stem of the active drug: tenofovir
    # disoproxil, tenofovir alafenamide, dabigatran etexilate, olmesartan medoxomil
    r"disoproxil|alafenamide|etexilate|medoxomil|mofetil|axetil|pivoxil|marboxil|proxetil|cilexetil))+$")


def _base_name(name: str) -> str:
    return _SALT.sub("", name)


def _evidence(rule: Rule, name: str, edges: dict[tuple[str, str], set[str]],
              nuclides: Grammar | None = None) -> str | None:
    """What the rule rests on for this drug, or None when it does not hold."""
    if rule.basis == "nuclide":
        got = label_key(name, nuclides) if nuclides is not None else None
        if got is None or got[1].nuclide.use not in rule.groups[0]:
            return None
        n = got[1].nuclide
        return f"carries {n.symbol}-{n.mass} ({n.use}, nuclides.tsv)"
    name = _base_name(name)
    if rule.basis == "listed":
        return "listed" if name in rule.groups[0] else None
    if rule.basis == "stem":
        if rule.stem is not None and _ONE_WORD.match(name) and rule.stem.search(name):
            return f"INN stem {rule.stem.pattern}"
        return None
    if rule.stem is not None and not rule.stem.search(name):
        return None
    found = []
    for group in rule.groups:
        hits = sorted((s, a, ",".join(sorted(src))) for (s, a), src in edges.items()
                      if s in group and (not rule.actions or a in rule.actions))
        if not hits:
            return None
        found.append(hits[0])
    return "; ".join(f"{s} {a} ({src})" for s, a, src in found)
