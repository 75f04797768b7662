"""Intervention names to generic drug names: never dropped, never guessed.

Records name one drug every which way ("Apatinib Mesylate", "rivoceranib", "YN968D1",
"Sofantinib") and several drugs in one line ("Drug: Apatinib Mesylate, Pirarubicin,
Ifosfamide"). The steps, tried in order for the whole name and then for each part of a
combination: exact look-up of the folded name; the same after removing salt and
dosage-form words; drug names found inside the part; fuzzy matching against the lexicon
only (rapidfuzz, Levenshtein distance 1-2 on names of 6+ letters with the same first
letter). A drug-like part that matches nothing is reported as unresolved, not dropped.

A match is a dict ``{"input", "drug", "method", "matched", "score"}`` where method is
``exact|synonym|salt|code|fuzzy|split`` (``split``: one part of a combination; the way
the part itself matched is kept in ``"part_method"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein

from trialkg.knowledge.lexicon import Lexicon, name_key
from trialkg.knowledge.mentions import find_class_mentions, find_drug_mentions
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
# Interventions that are deliberately no drug.
PLACEBO_WORDS = ("placebo", "matching placebo", "placebo comparator", "sham", "vehicle")
# Words that mark a non-drug intervention when the record gives no type.
NON_DRUG_HINTS = re.compile(
    r"\b(exercise|radiation|radiotherapy|irradiation|surgery|surgical|resection|nephrectomy|"
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
_PLACEBO_WORD = re.compile(r"\b(?:placebos?|sham)\b", re.IGNORECASE)


def _method_for(kind: str) -> str:
    return {"generic": "exact", "salt": "salt", "code": "code"}.get(kind, "synonym")


def _clean(text: str) -> str:
    text = text.replace("®", " ").replace("™", " ")
    text = _PREFIX.sub("", text)
    text = _DOSE.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip(" .,;:-–")


class _Resolver:
    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self._fuzzy_keys: dict[str, list] | None = None

    # one part -> list of match dicts (empty when nothing matched)
    def part(self, text: str) -> list[dict[str, Any]]:
        text = _clean(text)
        if not text:
            return []
        hit = self._exact(text)
        if hit:
            return hit
        regimen = self.lex.regimens.get(name_key(text))
        if regimen:
            return [self._match(text, d, "split", text, 100.0, part_method="regimen") for d in regimen]
        stripped = _NOISE_RE.sub(" ", text)
        salt_free = _SALT_RE.sub(" ", stripped)
        salt_free = re.sub(r"\s+", " ", salt_free).strip(" .,;:-")
        stripped = re.sub(r"\s+", " ", stripped).strip(" .,;:-")
        if stripped and stripped != text:
            hit = self._exact(stripped, input_text=text)
            if hit:
                return hit
            regimen = self.lex.regimens.get(name_key(stripped))
            if regimen:
                return [self._match(text, d, "split", stripped, 100.0, part_method="regimen") for d in regimen]
        if salt_free and salt_free != stripped:
            hit = self._exact(salt_free, input_text=text, method="salt")
            if hit:
                return hit
        mentions = find_drug_mentions(text, self.lex)
        if mentions:
            out = []
            for mention in mentions:
                out.append(self._match(text, mention.drug, _method_for(mention.kind or ""),
                                       mention.matched, 100.0))
            return out
        return self._fuzzy(salt_free or text, input_text=text)

    def _exact(self, text: str, *, input_text: str | None = None, method: str | None = None) -> list[dict[str, Any]]:
        entries = self.lex.lookup(text)
        if len({e.drug for e in entries}) != 1:
            return []  # nothing, or ambiguous between drugs: do not guess
        e = entries[0]
        return [self._match(input_text or text, e.drug, method or _method_for(e.kind), e.text, 100.0)]

    def _fuzzy(self, text: str, *, input_text: str) -> list[dict[str, Any]]:
        key = name_key(text)
        if len(key) < FUZZY_MIN_LEN or not key.isalpha():
            return []
        best: list[tuple[int, str, str]] = []
        for entry in self.lex.all_synonyms():
            cand = name_key(entry.text)
            if not cand.isalpha() or cand[0] != key[0] or abs(len(cand) - len(key)) > 2:
                continue
            limit = 1 if len(key) < 10 else 2
            dist = Levenshtein.distance(key, cand, score_cutoff=limit)
            if dist <= limit:
                best.append((dist, entry.drug, entry.text))
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
    if itype in NON_DRUG_TYPES:
        res.kind = "non-drug"
        return res
    cleaned = _clean(name)
    if not cleaned:
        res.kind = "non-drug"
        return res
    if _PLACEBO_WORD.search(cleaned) and len(_SPLIT.split(cleaned)) == 1:
        res.kind = "placebo"  # "Placebo", "HMPL-013 placebo": matches a drug, is none
        return res

    resolver = _Resolver(lex)
    # Brackets hold synonyms ("Pazopanib (GW786034)"), doses or drug lists; read apart.
    inner = [m.group(1) for m in _BRACKETS.finditer(cleaned)]
    outer = _BRACKETS.sub(" ", cleaned).strip()

    whole = resolver.part(outer) if outer else []
    # The whole outer text matched exactly one form: no need to split it.
    if whole and len({m["drug"] for m in whole}) == 1 and whole[0]["method"] != "fuzzy":
        matches = whole
    else:
        matches = []
        parts = [p for p in _SPLIT.split(outer) if p and p.strip()] if outer else []
        multi = len(parts) > 1
        for p in parts:
            if _PLACEBO_WORD.search(p):
                continue
            got = resolver.part(p)
            if got:
                for g in got:
                    if multi:
                        g = dict(g, part_method=g["method"], method="split")
                    matches.append(g)
            elif _is_unmatched_drug_like(p, itype, lex):
                res.unresolved.append(p.strip())
            else:
                res.classes.extend(m.drug_class for m in find_class_mentions(p, lex) if m.drug_class)
    for text in inner:
        for p in _SPLIT.split(text):
            if not p.strip():
                continue
            got = resolver.part(p)
            for g in got:
                matches.append(dict(g, part_method=g["method"], method="split") if not whole else g)

    seen: set[str] = set()
    for m in matches:
        if m["drug"] not in seen:
            seen.add(m["drug"])
            res.drugs.append(m["drug"])
    res.matches = matches
    # An unresolved fragment next to resolved drugs is only noise when it is a class or empty.
    if res.drugs:
        res.kind = "drug"
    elif res.unresolved:
        res.kind = "unresolved"
    elif res.classes:
        res.kind = "unresolved" if itype in DRUG_TYPES else "non-drug"
        if res.kind == "unresolved":
            res.unresolved.append(outer)
    else:
        drug_like = itype in DRUG_TYPES or (itype is None and not NON_DRUG_HINTS.search(cleaned)) or (
            itype not in DRUG_TYPES and _looks_like_drug(cleaned) and not NON_DRUG_HINTS.search(cleaned)
        )
        if drug_like:
            res.kind = "unresolved"
            res.unresolved.append(cleaned)
        else:
            res.kind = "non-drug"
    return res


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
    """Resolve an intervention, falling back on its other names when its name says nothing."""
    lex = lexicon or Lexicon.default()
    res = normalise_intervention_name(iv.name, iv.type, lexicon=lex)
    if res.kind == "unresolved" and iv.other_names:
        for other in iv.other_names:
            alt = normalise_intervention_name(other, iv.type, lexicon=lex)
            if alt.drugs:
                for m in alt.matches:
                    m.setdefault("via", "other_name")
                alt.input = iv.name
                return alt
    return res


def normalise_record(record: TrialRecord, lexicon: Lexicon | None = None) -> TrialRecord:
    """Fill ``intervention.drugs``/``normalisation``, ``record.drugs`` and ``record.biomarkers``.

    Unresolved drug-like names are kept and warned (code ``unresolved-drug``).
    A record whose page lost its intervention list gets inferred interventions for the
    drugs its title and summary name, marked ``inferred``.
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
    seen: set[str] = set()
    for field_name, text in (("brief_title", record.brief_title), ("official_title", record.official_title),
                             ("brief_summary", record.brief_summary)):
        for m in find_drug_mentions(text or "", lex):
            if m.drug and m.drug not in seen:
                seen.add(m.drug)
                record.interventions.append(Intervention(
                    name=m.matched, type="DRUG", inferred=True, inferred_from=field_name))
