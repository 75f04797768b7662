"""Intervention names to generic drug names: never dropped, never guessed.

Records name one drug every which way ("Apatinib Mesylate", "rivoceranib", "YN968D1",
"Sofantinib", "Tasigna ®", "Pegylated interferon alfa 2a") and several drugs in one
line ("Drug: Apatinib Mesylate, Pirarubicin, Ifosfamide", "Regimen A: R-CHOP",
"Temozolomide followed by lomustine"). The whole name is first looked up as one drug
or regimen (exact look-ups only); otherwise it is split on ``+ / ; , and plus with
followed by versus`` and each part is resolved by, in order: exact look-up of the
folded name (curated tables first, then the compiled dictionary of DrugCentral,
ChEMBL, DrugBank vocabulary and UNII names); the same after spelling variants
(alpha/alfa, "pegylated X" = "pegX") and after removing salt, ester and dosage-form
words; a named regimen (``regimens.tsv``; "R-" before a regimen adds rituximab);
curated drug names found inside the part; compiled names found as whole words inside
the part; fuzzy matching against the curated lexicon and the generic names of the
compiled drugs with a target (rapidfuzz, Levenshtein distance 1-2 on names of 6+
letters with the same first letter: "vincrisitne").

Every intervention type is read: a drug named inside a Radiation or Procedure
intervention ("concurrent sorafenib and IMRT") counts. Placebos and controls (vehicle,
saline), procedures, radiation and "standard of care" are classified, not reported. A
drug-like part of a drug-type intervention that matches nothing is reported as
unresolved, not dropped.

A radiolabelled drug is read whatever the notation of its nuclide ("Radium-223", "Lu-177
PSMA-617", "131I-MIBG": ``knowledge.nuclides``) before the other look-ups.

A match is a dict ``{"input", "drug", "method", "matched", "score"}`` where method is
``exact|synonym|salt|code|nuclide|fuzzy|split`` (``nuclide``: a radiolabelled drug found
by its nuclide and carrier; ``split``: one part of a combination; the way the part itself
matched is kept in ``"part_method"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Levenshtein

from trialkg.knowledge.lexicon import Lexicon, name_key
from trialkg.knowledge.mentions import find_class_mentions, find_drug_mentions
from trialkg.knowledge.nuclides import grammar, label_index, unbracket
from trialkg.records import Intervention, TrialRecord

# API v2 InterventionType values that are not drugs: never looked up, never warned.
NON_DRUG_TYPES = {"PROCEDURE", "RADIATION", "BEHAVIORAL", "DEVICE", "DIAGNOSTIC_TEST"}
# Types whose names are expected to be drugs: an unmatched name is warned.
DRUG_TYPES = {"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT", "GENETIC"}

# Words that say which salt or dosage form, not which drug (stripped before look-up).
SALT_WORDS = (
    "mesylate", "mesilate", "dimesylate", "hydrochloride", "dihydrochloride", "hcl", "malate",
    "s-malate", "l-malate", "tosylate", "ditosylate", "tosilate", "sodium", "disodium", "potassium",
    "calcium", "citrate", "sulfate", "sulphate", "maleate", "dimaleate", "tartrate", "bitartrate",
    "acetate", "phosphate", "besylate", "besilate", "fumarate", "succinate", "bromide", "chloride",
    "monohydrate", "hydrate", "anhydrous", "free base",
)
FORM_WORDS = (
    "tablets", "tablet", "capsules", "capsule", "injection", "for injection", "injectable",
    "oral solution", "solution", "infusion", "oral", "intravenous", "iv", "po", "liposomal",
    "liposome", "monoclonal antibody", "mab", "antibody", "for oral suspension", "suspension",
    "concentrate", "powder", "film-coated", "extended-release", "sustained-release",
)
# Words around a drug name that change nothing about which drug it is.
NOISE_WORDS = (
    "drug", "drugs", "monotherapy", "maintenance", "therapy", "treatment", "regimen", "protocol",
    "sequential", "continuous", "infusional", "combination", "in combination", "alone",
    "single agent", "single-agent", "group", "arm", "dose", "low-dose", "high-dose",
    "standard", "daily", "weekly", "14c-labeled", "14c labeled", "radiolabeled", "labeled",
    "qd", "bid", "tid", "p.o.", "experimental product",
)
# Interventions that are deliberately no drug: placebos and the controls given as one
# ("Vehicle cream", "Normal saline", "0.9% sodium chloride" in placebo arms).
PLACEBO_WORDS = ("placebo", "matching placebo", "placebo comparator", "sham", "vehicle",
                 "saline", "normal saline", "physiological saline", "dummy")
# Words that mark a non-drug intervention when the record gives no type.
NON_DRUG_HINTS = re.compile(
    r"\b(exercise|radiation|radiotherapy|irradiation|imrt|sbrt|sabr|igrt|srs|tbi|brachytherapy|surgery|surgical|resection|nephrectomy|"
    r"procedure|biopsy|specimen|collection|analysis|questionnaire|tests?|assessment|imaging|"
    r"counsel+ing|education|diet|observation|blood draw|phlebotomy|transplant(ation)?|ablation|"
    r"care|support|behavio(u)?ral|device|scan|ultrasound|interview|survey|sampling|study)\b",
    re.IGNORECASE,
)

_PREFIX = re.compile(
    r"^\s*(drug|biological|genetic|combination product|dietary supplement|other)\s*:\s*", re.IGNORECASE
)
_DOSE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:mg|g|mcg|µg|ug|ml|iu|units?|mg/m2|mg/m\^2|mg/kg|auc|gy)"
    r"(?:\s*/\s*(?:m2|m\^2|kg|d|day|ml|10\s*ml|week|wk|h))*\b\.?",
    re.IGNORECASE,
)
_SPLIT = re.compile(
    r"\s*(?:,|;|\+|/|&|\bplus\b|\band\b|\bor\b|\bwith\b|\bcombined with\b|\bfollowed by\b|"
    r"\bversus\b|\bvs\.?|\s-\s|\s–\s)\s*",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"[\(\[]([^\(\)\[\]]*)[\)\]]")

FUZZY_MIN_LEN = 6


@dataclass
class NameResolution:
    """What one intervention name resolved to."""

    input: str
    drugs: list[str] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # drug classes named without a drug
    kind: str = "drug"  # drug | unresolved | non-drug | placebo

    @property
    def resolved(self) -> bool:
        return bool(self.drugs)


def _words_re(words: Iterable[str]) -> re.Pattern[str]:
    alts = sorted((re.escape(w).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?") for w in words),
                  key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(alts) + r")(?![A-Za-z0-9])", re.IGNORECASE)


_SALT_RE = _words_re(SALT_WORDS + FORM_WORDS)
_NOISE_RE = _words_re(NOISE_WORDS)
_PLACEBO_RE = re.compile(r"^\s*(?:" + "|".join(PLACEBO_WORDS) + r")\b", re.IGNORECASE)
_PLACEBO_WORD = re.compile(
    r"\b(?:placebos?|sham|vehicle|(?:normal |physiologic(?:al)? )?saline|dummy)\b"
    r"|^\s*(?:0\.9\s*%\s*)?(?:isotonic\s+)?sodium chloride(?:\s*0\.9\s*%)?\s*(?:solution|injection)?\s*$"
    r"|^\s*(?:sterile\s+)?water(?:\s+for\s+injection)?\s*$",
    re.IGNORECASE)
# A treatment named without its drugs: standard of care, "Standard Adjuvant Endocrine
# Therapy" (NCT02513394), "Chemotherapy", "Physician's choice" (HINT drug lists): not a
# drug nothing matched, so classified as no drug when no part names one.
_UNSPECIFIED = re.compile(
    r"^(?:(?:standard|conventional|usual|adjuvant|neoadjuvant|systemic|cytotoxic|combination|"
    r"physician'?s?|investigator'?s?|best|treatment\s+of|local|choice\s+of|choice)\s+)*"
    r"(?:of\s+care|care|chemotherapy|chemo|endocrine\s+therapy|hormon(?:e|al)\s+therapy|"
    r"immunotherapy|therapy|treatment|choice|supportive\s+care)$", re.IGNORECASE)
# A label before the drugs: "Regimen A: rituximab, ...", "Arm 2 - ...", "Cohort B: ..."
# (NCT00023673-style arm names reused as intervention names).
_LABEL = re.compile(
    r"^\s*(?:regimen|arm|group|cohort|part|step|stage|course|treatment|schedule|level)"
    r"\s*[A-Z0-9IVX]{0,4}\s*[:\-–]\s+", re.IGNORECASE)
# A regimen with rituximab in front or behind: R-CHOP, R-CVP, DA-EPOCH-R.
_RITUXIMAB_REGIMEN = re.compile(r"^\s*R\s*[-+]\s*(?P<a>\S.*)$|^(?P<b>.*\S)\s*[-+]\s*R\s*$")


def _method_for(kind: str) -> str:
    return {"generic": "exact", "salt": "salt", "code": "code"}.get(kind, "synonym")


def _clean(text: str) -> str:
    text = text.replace("®", " ").replace("™", " ")
    text = _PREFIX.sub("", text)
    text = _LABEL.sub("", text)
    text = _DOSE.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip(" .,;:-–")


def _variants(text: str) -> list[str]:
    """Spellings of one name the tables may hold instead: INN "alfa" for "alpha"
    ("interferon alpha-2b", "peginterferon alpha 2a"), "pegX" for "pegylated X"
    ("Pegylated interferon alfa 2a" = peginterferon alfa-2a)."""
    out = []
    alfa = _ALPHA.sub("alfa", text)
    if alfa != text:
        out.append(alfa)
    for t in [text] + out:
        m = _PEGYLATED.match(t)
        if m:
            out.append("peg" + m.group(1))
    return out


_ALPHA = re.compile(r"(?<![a-z])alpha(?![a-z])", re.IGNORECASE)
_PEGYLATED = re.compile(r"^\s*(?:pegylated|peg)[\s-]+(\S.*)$", re.IGNORECASE)
# Words that are never a drug on their own when names are looked for inside a part.
_WORD_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.'-]*")
_SPAN_MAX_WORDS = 4
_SPAN_MIN_KEY = 5
# Only preferred, official and code names are looked for inside a part: brand and
# common names include everyday words ("Choice" is a warfarin brand).
_SPAN_KINDS = {"generic", "inn", "code", "salt"}
# Everyday words that are also substances in the UNII list, never a drug inside a
# longer intervention text ("Water for injection", "Oxygen therapy", "Ice pack").
_SPAN_STOP = frozenset("water oxygen air salt sugar glucose dextrose milk tea coffee rice honey ice "
                       "alcohol ethanol food diet light heat cold nitrogen carbon helium".split())


@lru_cache(maxsize=4)
def _fuzzy_index(lex: Lexicon) -> dict[str, list[tuple[str, str, str]]]:
    """The written forms that fuzzy matching may reach, by first letter: (folded form,
    drug, form as written). The curated forms, and the generic names of the compiled
    drugs that have a target (a few thousand names; the tens of thousands of other
    compiled names would make near-misses of each other)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for entry in lex.all_synonyms():
        cand = name_key(entry.text)
        if cand.isalpha():
            out.setdefault(cand[0], []).append((cand, entry.drug, entry.text))
    for name in lex.compiled_targeted_drugs():  # "vincrisitne": compiled drugs with a target
        cand = name_key(name)
        if cand.isalpha() and len(cand) >= FUZZY_MIN_LEN:
            out.setdefault(cand[0], []).append((cand, name, name))
    return out


class _Resolver:
    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex

    def whole(self, text: str) -> list[dict[str, Any]]:
        """The name as one drug or one regimen, by exact look-ups only."""
        text = _clean(text)
        if not text:
            return []
        labelled = self._labelled(text)
        if labelled:
            return labelled
        stripped = re.sub(r"\s+", " ", _NOISE_RE.sub(" ", text)).strip(" .,;:-")
        salt_free = re.sub(r"\s+", " ", _SALT_RE.sub(" ", stripped)).strip(" .,;:-")
        for candidate, method in ((text, None), (stripped, None), (salt_free, "salt")):
            if not candidate:
                continue
            # A regimen first: its short names ("ICE", "MAP") are also written forms of
            # substances in the compiled dictionary.
            hit = self._regimen(candidate, input_text=text) or self._exact(
                candidate, input_text=text, method=method if candidate != text else None)
            if hit:
                return hit
        return []

    def _labelled(self, text: str) -> list[dict[str, Any]]:
        """A radiolabelled drug however its nuclide is written (``knowledge.nuclides``):
        "Radium-223", "177Lu-PSMA-617", "I-131 MIBG". One substance the dictionary holds
        under several entries is always the same one; an exact look-up that agrees keeps
        its own method. A name with no nuclide never builds the index."""
        if not grammar(self.lex).find(text):
            return []
        hit = label_index(self.lex).drug(text)
        if hit is None:
            return []
        drug = hit[0]
        exact = self._exact(text)
        if exact and exact[0]["drug"] == drug:
            return exact
        return [self._match(text, drug, "nuclide", text, 100.0)]

    # one part -> list of match dicts (empty when nothing matched)
    def part(self, text: str) -> list[dict[str, Any]]:
        hit = self.whole(text)
        if hit:
            return hit
        text = _clean(text)
        if not text:
            return []
        found = grammar(self.lex).find(text)
        if found:
            # a nuclide no entry carries with this carrier: its element alone is no drug
            # ("Iodine I 131 <unknown carrier>" is not iodine)
            elements = {f.nuclide.element for f in found}
            return [m for m in self._part_unlabelled(text) if m["drug"] not in elements]
        return self._part_unlabelled(text)

    def _part_unlabelled(self, text: str) -> list[dict[str, Any]]:
        mentions = find_drug_mentions(text, self.lex)
        if mentions:
            return [self._match(text, m.drug, _method_for(m.kind or ""), m.matched, 100.0) for m in mentions]
        spans = self._spans(text)
        if spans:
            return spans
        salt_free = re.sub(r"\s+", " ", _SALT_RE.sub(" ", _NOISE_RE.sub(" ", text))).strip(" .,;:-")
        return self._fuzzy(salt_free or text, input_text=text)

    def _regimen(self, text: str, *, input_text: str) -> list[dict[str, Any]]:
        drugs = self.lex.regimens.get(name_key(text))
        if not drugs:
            m = _RITUXIMAB_REGIMEN.match(text)
            rest = (m.group("a") or m.group("b")) if m else None
            inner = self.lex.regimens.get(name_key(rest)) if rest else None
            if not inner:
                return []
            drugs = ("rituximab",) + tuple(d for d in inner if d != "rituximab")
        return [self._match(input_text, d, "split", text, 100.0, part_method="regimen") for d in drugs]

    def _exact(self, text: str, *, input_text: str | None = None, method: str | None = None) -> list[dict[str, Any]]:
        for candidate in [text] + _variants(text):
            entries = self.lex.lookup(candidate)
            if len({e.drug for e in entries}) == 1:
                e = entries[0]
                return [self._match(input_text or text, e.drug, method or _method_for(e.kind), e.text, 100.0)]
            # nothing, or ambiguous between drugs: do not guess
        return []

    def _spans(self, text: str) -> list[dict[str, Any]]:
        """Dictionary names found as whole words inside a part, longest first
        ("concurrent lomustine capsules", "oral fulvestrant injection")."""
        words = _WORD_TOKEN.findall(text)
        taken = [False] * len(words)
        found: list[tuple[int, dict[str, Any]]] = []
        for n in range(min(_SPAN_MAX_WORDS, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if any(taken[i:i + n]):
                    continue
                span = " ".join(words[i:i + n])
                if (len(name_key(span)) < _SPAN_MIN_KEY or span.lower() in _SPAN_STOP
                        or _SALT_RE.fullmatch(span) or _NOISE_RE.fullmatch(span)):
                    continue
                entries = [e for e in self.lex.lookup(span) if e.kind in _SPAN_KINDS]
                if len({e.drug for e in entries}) != 1:
                    continue
                info = self.lex.drug(entries[0].drug)
                if info is None or not (info.linked or info.targets):
                    continue
                taken[i:i + n] = [True] * n
                found.append((i, self._match(text, entries[0].drug, _method_for(entries[0].kind),
                                             entries[0].text, 100.0)))
        return [m for _i, m in sorted(found, key=lambda x: x[0])]

    def _fuzzy(self, text: str, *, input_text: str) -> list[dict[str, Any]]:
        key = name_key(text)
        if len(key) < FUZZY_MIN_LEN or not key.isalpha():
            return []
        best: list[tuple[int, str, str]] = []
        limit = 1 if len(key) < 10 else 2
        for cand, drug, written in _fuzzy_index(self.lex).get(key[0], ()):
            if abs(len(cand) - len(key)) > 2:
                continue
            dist = Levenshtein.distance(key, cand, score_cutoff=limit)
            if dist <= limit:
                best.append((dist, drug, written))
        if not best:
            return []
        best.sort()
        top = best[0][0]
        drugs = {d for dist, d, _ in best if dist == top}
        if len(drugs) != 1:
            return []
        dist, drug, syn = best[0]
        score = round(100.0 * (1 - dist / max(len(key), 1)), 1)
        return [self._match(input_text, drug, "fuzzy", syn, score)]

    @staticmethod
    def _match(input_text: str, drug: str, method: str, matched: str, score: float, **extra: Any) -> dict[str, Any]:
        out = {"input": input_text, "drug": drug, "method": method, "matched": matched, "score": score}
        out.update(extra)
        return out


def _looks_like_drug(text: str) -> bool:
    """Whether an unmatched name should be reported: INN stems or a code name."""
    t = text.strip().lower()
    if re.search(r"(?:mab|nib|lib|sib|tinib|parib|ciclib|stat|platin|rubicin|taxel|mide|fen|"
                 r"mycin|cept|kin|vec|tide|zole|pril|sartan|vir|ine|one|ol|ate)\b", t):
        return True
    return bool(re.search(r"\b[a-z]{1,5}[\s-]?\d{2,}[a-z0-9-]*\b", t))


def normalise_intervention_name(name: str, type: str | None = None, *, lexicon: Lexicon | None = None) -> NameResolution:
    """Resolve one intervention name to generic drug names (see the module docstring)."""
    lex = lexicon or Lexicon.default()
    res = NameResolution(input=name)
    itype = (type or "").strip().upper().replace(" ", "_") or None
    cleaned = _clean(name)
    if not cleaned:
        res.kind = "non-drug"
        return res
    if _PLACEBO_WORD.search(cleaned) and len(_SPLIT.split(cleaned)) == 1:
        res.kind = "placebo"  # "Placebo", "HMPL-013 placebo", "Vehicle cream": matches a drug, is none
        return res

    resolver = _Resolver(lex)
    cleaned = unbracket(cleaned, lex)  # "[177Lu]PSMA-617": the brackets of a nuclide are no aside
    # Brackets hold synonyms ("Pazopanib (GW786034)"), brands ("Tasigna ®"), doses or
    # drug lists; read apart.
    inner = [m.group(1) for m in _BRACKETS.finditer(cleaned)]
    outer = _BRACKETS.sub(" ", cleaned).strip()
    whole = resolver.whole(outer) if outer else []
    if whole:
        matches = whole  # the whole outer text is one drug or one regimen
    else:
        matches = _resolve_parts(resolver, outer, itype, lex, res)
    for text in inner:
        for p in _SPLIT.split(text):
            if not p.strip() or _PLACEBO_WORD.search(p):
                continue
            for g in resolver.part(p):
                matches.append(dict(g, part_method=g["method"], method="split") if not whole else g)

    seen: set[str] = set()
    for m in matches:
        if m["drug"] not in seen:
            seen.add(m["drug"])
            res.drugs.append(m["drug"])
    res.matches = matches
    res.kind = _kind_of(res, cleaned, outer, itype)
    return res


def _resolve_parts(resolver: _Resolver, outer: str, itype: str | None, lex: Lexicon,
                   res: NameResolution) -> list[dict[str, Any]]:
    """Each part of a combination, resolved; unmatched drug-like parts go to ``res.unresolved``."""
    matches: list[dict[str, Any]] = []
    parts = [p for p in _SPLIT.split(outer) if p and p.strip()] if outer else []
    multi = len(parts) > 1
    for p in parts:
        if _PLACEBO_WORD.search(p):
            continue
        got = resolver.part(p)
        if got:
            for g in got:
                matches.append(dict(g, part_method=g["method"], method="split") if multi else g)
        elif itype not in NON_DRUG_TYPES and _is_unmatched_drug_like(p, itype, lex):
            res.unresolved.append(p.strip())
        else:
            res.classes.extend(m.drug_class for m in find_class_mentions(p, lex) if m.drug_class)
    return matches


def _kind_of(res: NameResolution, cleaned: str, outer: str, itype: str | None) -> str:
    """drug | unresolved | non-drug, once the parts are resolved (may add to ``unresolved``)."""
    if res.drugs:
        return "drug"
    if itype in NON_DRUG_TYPES:
        return "non-drug"  # a procedure or radiation naming no drug we know
    if _UNSPECIFIED.match(outer.strip()):
        res.unresolved.clear()
        return "non-drug"
    if res.unresolved:
        return "unresolved"
    if res.classes:
        if itype in DRUG_TYPES:
            res.unresolved.append(outer)
            return "unresolved"
        return "non-drug"
    drug_like = itype in DRUG_TYPES or (itype is None and not NON_DRUG_HINTS.search(cleaned)) or (
        itype not in DRUG_TYPES and _looks_like_drug(cleaned) and not NON_DRUG_HINTS.search(cleaned)
    )
    if drug_like:
        res.unresolved.append(cleaned)
        return "unresolved"
    return "non-drug"


def _is_unmatched_drug_like(part: str, itype: str | None, lex: Lexicon) -> bool:
    """Whether an unmatched part of a name is a drug we failed to recognise."""
    text = _clean(part)
    if not text or _PLACEBO_RE.match(text):
        return False
    if find_class_mentions(text, lex):
        return False  # "third-generation EGFR TKIs": a class, not an unknown drug
    bare = _SALT_RE.sub(" ", _NOISE_RE.sub(" ", text)).strip(" .,;:-")
    if not bare or re.fullmatch(r"[\d\s.,/%-]*", bare):
        return False
    if NON_DRUG_HINTS.search(bare):
        return False
    if itype in DRUG_TYPES or itype is None:
        return True
    return _looks_like_drug(bare)


def _drug_view(lex: Lexicon, name: str) -> dict[str, Any]:
    info = lex.drug(name)
    if info is None:
        return {"name": name, "ids": {}, "targets": [], "classes": []}
    return {
        "name": info.name,
        "ids": dict(info.ids),
        "targets": [
            {"symbol": t.symbol, "uniprot": t.uniprot, "family": t.family, "action": t.action}
            for t in info.targets
        ],
        "classes": sorted(info.classes),
    }


def normalise_intervention(iv: Intervention, lexicon: Lexicon | None = None) -> NameResolution:
    """Resolve an intervention: its name, and every listed other name when the name
    gives no drug.

    A name naming no drug ("Chemotherapy" with other names "carboplatin", "Taxol") takes
    the drugs of all its other names; what they fail to match is not reported (they hold
    non-English brands, dose notes and descriptions). A name that gives drugs keeps
    them: records list the arm's other drugs as other names ("Epirubicin" with other
    names "Doxorubicin", "Pazopanib (GW786034)" in NCT00722293).
    """
    lex = lexicon or Lexicon.default()
    res = normalise_intervention_name(iv.name, iv.type, lexicon=lex)
    if res.kind == "placebo" or res.drugs:
        return res
    for other in iv.other_names:
        alt = normalise_intervention_name(other, iv.type, lexicon=lex)
        if alt.kind == "placebo":
            continue
        for m in alt.matches:
            if m["drug"] not in res.drugs:
                res.drugs.append(m["drug"])
                res.matches.append(dict(m, via="other_name"))
    if res.drugs and res.kind != "drug":
        res.kind, res.unresolved = "drug", []
    return res


def normalise_record(record: TrialRecord, lexicon: Lexicon | None = None) -> TrialRecord:
    """Fill ``intervention.drugs``/``normalisation``, ``record.drugs`` and ``record.biomarkers``.

    Unresolved drug-like names are kept and warned (code ``unresolved-drug``).
    A record without an intervention list gets inferred interventions for the drugs
    its title and summary (else its detailed description) name, marked ``inferred``.
    """
    from trialkg.knowledge.biomarkers import extract_biomarkers

    lex = lexicon or Lexicon.default()
    if not record.interventions:
        _infer_interventions(record, lex)
    order: dict[str, None] = {}
    for i, iv in enumerate(record.interventions):
        res = normalise_intervention(iv, lex)
        iv.drugs = list(res.drugs)
        iv.normalisation = [dict(m) for m in res.matches]
        if res.kind in ("placebo", "non-drug"):  # classified: not a drug, not unresolved
            iv.normalisation.append({"input": iv.name, "drug": None, "method": res.kind,
                                     "matched": None, "score": None})
        for part in res.unresolved:
            iv.normalisation.append({"input": part, "drug": None, "method": "unresolved",
                                     "matched": None, "score": None})
            record.warn(f"interventions[{i}].name",
                        f"drug name not recognised: {part!r} (in {iv.name!r})", code="unresolved-drug")
        for d in res.drugs:
            order.setdefault(d, None)
    record.drugs = [_drug_view(lex, d) for d in order]
    record.biomarkers = extract_biomarkers(record)
    return record


def _infer_interventions(record: TrialRecord, lex: Lexicon) -> None:
    """Drugs the text names, for a record without an intervention list (a page that lost
    it, a field-filtered API answer), marked inferred with the field they came from."""
    seen: set[str] = set()
    # A trial's only arm receives every intervention (one group: everyone gets them).
    one_arm = [record.arms[0].label] if len(record.arms) == 1 and not record.arms[0].intervention_names else []
    # The title and summary say what the trial gives; the detailed description often
    # names background treatments too, so it is read only when the others name nothing.
    tiers = ((("briefTitle", record.brief_title), ("officialTitle", record.official_title),
              ("briefSummary", record.brief_summary)),
             (("detailedDescription", record.detailed_description),))
    for tier in tiers:
        for field_name, text in tier:
            for m in find_drug_mentions(text or "", lex):
                if m.drug and m.drug not in seen:
                    seen.add(m.drug)
                    record.interventions.append(Intervention(name=m.matched, inferred=True,
                                                             inferred_from=field_name, arm_labels=list(one_arm)))
        if seen:
            break
    if seen:
        record.warn("interventions", "no intervention list in the record; inferred from text: "
                    + ", ".join(sorted(seen)), code="inferred")
