"""Lab and vital limits: a comparison bound to the variable it measures.

"ANC >= 1.5 x 10^9/L", "AST and ALT <= 2.5 x ULN (<= 5 x ULN with liver metastases)",
"QTc > 450 ms in men, > 470 ms in women", "blood pressure > 140/90 mmHg", "Prostate
volume < 60 cc" (a variable the table does not know keeps the words before it). Each
threshold is checked against the variable table (``ontology/reference/variables.tsv``):
an implausible one is kept as ``unparsed`` with its reason, never used to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trialkg.criteria import lexicon, numbers, units, variables
from trialkg.criteria.rules.binding import (
    CONDITION_GATES,
    CONDITION_RES,
    PRESSURES,
    Mention,
    bind,
    condition,
    find_variables,
)
from trialkg.criteria.rules.comparisons import Comparison, clean_num
from trialkg.criteria.rules.life import TIME_UNITS
from trialkg.criteria.rules.reading import Reading
from trialkg.criteria.rules.text import clause_end, clause_start, opened
from trialkg.textgate import Gated

# The words before a comparison that name an open variable; a ratio written with a slash
# or a colon is one name: "PaO2:FIO2 >150" (LCT NCT03929328), "PaO2/FiO2 ratio < 300"
# (ARDS and COVID-19 trials), "E/e' ratio > 14". "is" ending a word is no verb: "coronary
# stenosis ≥ 50 %", "carotid artery stenosis" (Clinical-Trial-Parser test split).
_GENERIC_LEFT = re.compile(
    r"([A-Za-z][A-Za-z0-9\- ]{0,50}?(?:[:/][A-Za-z][A-Za-z0-9\-']*(?: ratio)?)?)(?:\s*\(s\))?\s*(?:\([^()]{1,20}\))?\s*(?:\b(?:of|is|was|at)|:|=)?\s*$")
_NOUN_AFTER = re.compile(r"\s*[A-Za-z]{3,}")
_LINK_AFTER = re.compile(r"\s*(?:and|or|with|in|for|at|on|if|unless|except|points?)\b", re.I)


def read(r: Reading) -> list[dict[str, Any]]:
    """Lab and vital limits: the comparisons no age or life-expectancy rule took and no
    leading if-clause holds."""
    rest = [c for i, c in enumerate(r.comparisons) if i not in r.used and not _in_if_clause(r.text, c)]
    out = numeric_constraints(r.text, rest, r.mentions)
    r.numeric += out
    return out


@dataclass
class _Chain:
    """What the last bound comparison leaves to the next one: its variables (a clause
    without its own analyte inherits them: "men > 450 ms, women > 470 ms"), and where it
    ended (no later comparison binds to a name before that)."""

    variables: list[Mention] = field(default_factory=list)
    comp: Comparison | None = None
    end: int = 0
    floor: int = 0


def numeric_constraints(text: str, comps: list[Comparison], mentions: list[Mention]) -> list[dict[str, Any]]:
    """One constraint per comparison and variable it measures; comparisons that measure
    no variable (a count, a dose, a duration) give none."""
    out: list[dict[str, Any]] = []
    chain = _Chain()
    for i, c in enumerate(comps):
        nxt = comps[i + 1].start if i + 1 < len(comps) else len(text)
        if c.comparator == "between" and _SCALE_RANGE_BEFORE.search(text, 0, c.start):
            continue  # "> 3 on a 0-10 pain scale": the range of the scale, not a limit
        vars_, how = _measured(text, c, mentions, chain)
        if not vars_ or (c.unit in TIME_UNITS and vars_[0].variable != "age"
                         and _table_unit(vars_[0].variable) not in TIME_UNITS):
            chain.end = c.end
            continue
        out += _constraints_of(text, c, vars_, how, nxt, chain)
    return out


def _measured(text: str, c: Comparison, mentions: list[Mention], chain: _Chain) -> tuple[list[Mention], str]:
    """The variables ``c`` measures and where they are named: ``before`` it (or in the
    words before it, for a variable the table does not know), right ``after`` it, or
    ``inherited`` from the previous comparison."""
    counted = _named_after(text, c, mentions)
    if counted and counted.variable in lexicon.COUNTED_NOUNS:
        return [counted], "after"
    seg_start = max(chain.end, clause_start(text, c.start))
    vars_ = bind(text, c, mentions, max(chain.floor, seg_start - 70 if seg_start == chain.end else seg_start))
    if vars_ and chain.end and vars_[0].start < chain.end:
        vars_ = []
    longer = _longer_name(text, c, vars_[-1]) if vars_ else None
    if longer:
        return [longer], "before"
    if vars_ and _counts_a_noun(text, c):
        vars_ = []
    if vars_ and vars_[0].variable in lexicon.SCALES and (c.relative_to or (
            c.unit is not None and c.unit not in _scale_units(vars_[0].variable))):
        vars_ = []  # "ASA 100 mg" is aspirin, not an ASA class; "VAS > 30 mm" is a pain score
    # A variable written right after the value names it, before any inherited one:
    # "blood pressure (BP) > 150 mm Hg systolic, or > 90 mm Hg diastolic" (NCT02243605).
    if vars_ and vars_[-1].variable == "blood_pressure" and c.pair is None:
        after_name = _named_after(text, c, mentions)
        if after_name and after_name.variable in PRESSURES:
            vars_ = []
    if vars_:
        return vars_, "before"
    named = _named_after(text, c, mentions)
    if named and c.unit in TIME_UNITS and _table_unit(named.variable) not in TIME_UNITS:
        named = None  # "3 months of chemotherapy" names no variable; "37 weeks of gestation" does
    if named:
        return [named], "after"
    state = _pressure_state(text, c, seg_start)
    if state:
        return [state], "before"
    other_unit = chain.comp is not None and c.unit is not None and (c.unit, c.relative_to) != (
        chain.comp.unit, chain.comp.relative_to)
    generic_after = _generic_after(text, c, other_unit)
    if generic_after:
        return [generic_after], "after"
    if chain.variables and c.unit not in TIME_UNITS and chain.comp is not None and (
            (c.unit, c.relative_to) == (chain.comp.unit, chain.comp.relative_to) or _alternative(text, chain, c)):
        gap = text[chain.end : c.start]
        if len(gap) < 60 and ";" not in gap and not _names_something(gap):
            return chain.variables, "inherited"
    if c.unit not in TIME_UNITS and c.unit not in _DOSE_UNITS:
        generic = _generic_variable(text, c, max(chain.end, clause_start(text, c.start)))
        if generic:
            return [generic], "before"
    return [], "before"


# The blood pressure named by its state: "severe hypertension (>180/110 mmHg)" (LCT
# NCT03921086), "uncontrolled hypertension ( > 160 / 100 mmhg despite optimal medical
# therapy )" and "sustained hypotension ( < 90 / 60 mmhg )" (Clinical-Trial-Parser test
# split) limit the blood pressure; the hypertension of another circulation
# (``lexicon.OTHER_CIRCULATIONS``: "pulmonary artery hypertension (PAH)> 50 mmHg") measures
# another pressure.
_PRESSURE_STATE = Gated(
    r"\b(?P<other>(?:" + "|".join(sorted(lexicon.OTHER_CIRCULATIONS, key=len, reverse=True))
    + r")\s+)?hyp(?:er|o)tension\b", re.IGNORECASE)
_OTHER_PRESSURE = re.compile(r"\b(?:PAH|PH|IOP|ICP|HVPG)\b")


def _pressure_state(text: str, c: Comparison, floor: int) -> Mention | None:
    """``blood_pressure`` named by systemic hyper- or hypotension in the clause before
    ``c``, when ``c`` is a pressure in mmHg or a systolic/diastolic pair (``_PRESSURE_STATE``)."""
    if c.unit != "mmHg" and not (c.pair is not None and c.unit is None):
        return None
    last = None
    for m in _PRESSURE_STATE.finditer(text[floor : c.start]):
        last = m
    if last is None or last.group("other"):
        return None
    gap = text[floor + last.end() : c.start]
    if len(gap) > 40 or ";" in gap or _OTHER_PRESSURE.search(gap):
        return None
    return Mention(floor + last.start(), floor + last.end(), "blood_pressure")


# Between two bounds of one analyte in two units: "or", "and/or", a comma (after a
# dipstick grade's "+" or a short note in parentheses: "< 2+ (dipstick) or").
# "serum creatinine ≤ 1.5 mg/dL (or ≤ 133 µmol/L)": the alternative in parentheses.
# "potassium level < 3.5 mmol / l / < 3.5 meq / l": a slash between the two.
_ALTERNATIVE_GAP = re.compile(r"\+?(?:\s*\([^()]{1,25}\))?\s*,?\s*\(?\s*(?:or|and/or|/)?\s*", re.IGNORECASE)


def _alternative(text: str, chain: _Chain, c: Comparison) -> bool:
    """A bound joined by "or" to the previous one, in a unit every inherited variable can
    be measured in: "Urine protein ≤2+ or < 1000mg/24h" (NCT06382129), "proteinuria < 2+
    (dipstick) or < 1 g/24 hours", "bilirubin ≤ 1.5 mg/dL or ≤ 1.5 x ULN"."""
    if not _ALTERNATIVE_GAP.fullmatch(text, chain.end, c.start):
        return False
    for m in chain.variables:
        var = variables.get(m.variable)
        if var is None or c.relative_to or c.unit is None or var.unit is None or c.unit in var.other_units:
            continue
        if units.compatible(c.unit, var.unit, m.variable) is False:
            return False
    return True


def _constraints_of(text: str, c: Comparison, vars_: list[Mention], how: str, nxt: int,
                    chain: _Chain) -> list[dict[str, Any]]:
    """The constraints of ``c`` on each of ``vars_``, with the condition named around it
    ("ALT <= 5 x ULN with liver metastases"); moves ``chain`` past them."""
    inherited, named_after = how == "inherited", how == "after"
    after = text[c.end : min(nxt, clause_end(text, c.end))]
    before = text[(chain.end if chain.end else clause_start(text, vars_[0].start)) : (c.start if inherited else vars_[0].start)]
    between = text[vars_[-1].end : c.start] if not inherited else ""
    cond = condition(between) or condition(after) or condition(before)
    span_start = c.start if inherited or named_after else vars_[0].start
    span_end = vars_[-1].end if named_after else c.end
    out: list[dict[str, Any]] = []
    for v in vars_:
        if v.variable == "blood_pressure" and c.pair is not None:
            out += _pressure_pair(c, cond, text[span_start : span_end])
        else:
            out.append(numeric_constraint(v.variable, c, cond, text[span_start : span_end]))
    chain.variables, chain.comp = vars_, c
    # A name read after the value is used up: the next value cannot bind to it.
    chain.end = chain.floor = span_end
    return out


_DOSE_UNITS = {"mg", "mg/m2", "g", "mg/kg", "g/d"}


def _scale_units(variable: str) -> set[str]:
    """The units a scale's table row writes it in ("pain_score": mm, cm on a VAS)."""
    v = variables.get(variable)
    return ({v.unit} if v and v.unit else set()) | set(v.other_units if v else ())


def _table_unit(variable: str) -> str | None:
    """The canonical unit of a variable in the table: a time for "gestational age 37-42 weeks"."""
    v = variables.get(variable)
    return v.unit if v else None


_STOP = {
    "the", "a", "an", "of", "with", "and", "or", "is", "are", "be", "must", "have", "has", "had", "patients",
    "patient", "subjects", "subject", "participants", "in", "at", "for", "to", "on", "by", "as", "if", "their",
    "any", "should", "was", "were", "who", "which", "that", "score", "scores", "level", "levels", "value",
    "values", "count", "counts", "than", "total", "documented", "defined", "known", "history", "s",
    "there", "did", "not", "no", "do", "does", "least", "more", "less", "one", "all", "each", "per", "day",
    "week", "part", "completion", "based", "considered", "extending", "only", "also",
}
_VERB_LINKS = {"from", "to"}
_GENERIC_WORDS = re.compile(r"[A-Za-z][A-Za-z0-9\-]*")


_WORD_VALUE_NOUN = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty)\s+(?!or\b|and\b)[A-Za-z]",
    re.IGNORECASE,
)


def _counts_a_noun(text: str, c: Comparison) -> bool:
    """"at least one post-treatment PSA test": a number spelled as a word before a noun
    counts that noun; it is no threshold of the analyte named before it."""
    return c.unit is None and c.relative_to is None and bool(_WORD_VALUE_NOUN.match(text, _word_start(text, c.end)))


def _word_start(text: str, end: int) -> int:
    i = end
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    return i


_SCALE_RANGE_BEFORE = re.compile(r"\b(?:on|in|using|by)\s+(?:a|an|the)\s*$", re.IGNORECASE)
# A possessive unit before the name: "< 70 days' gestation" (LCT NCT03925129), "≥ 37 weeks’
# gestation" (term-birth items of obstetric and neonatal trials), "32 weeks' gestational age".
_AFTER_LINK = re.compile(
    r"['’]?\s*(?:of\s+)?(?:(?:on|in|by|using)\s+(?:(?:a|an|the)\s+)?(?:\d+\s*(?:-|–|to)\s*\d+\s*(?:-?\s*points?\s+)?|\d+[- ]points?\s+)?)?",
    re.IGNORECASE,
)


def _named_after(text: str, c: Comparison, mentions: list[Mention]) -> Mention | None:
    """A known variable written right after the value: "5% or more blasts", "> 3 on a
    0-10 pain intensity numeric scale", "(≥ 4 on NRS)"."""
    link = _AFTER_LINK.match(text, c.end)
    pos = link.end() if link else c.end
    for mention in mentions:
        if mention.start == pos:
            return mention
        if mention.start > pos:
            break
    return None


# A variable the table does not know, named by the words right after a value with its
# unit: "at least 6 mm probing depth" (LCT NCT03863249), "<2mm intraarticular stepoff"
# (NCT03922256), ">/= 5 ppm carbon monoxide (CO)" (NCT03863509), "> 10% immature (band)
# forms" (NCT03929159); or the instrument a score is read on: "a score of ≥ 46 on the
# initial anxiety self-assessment questionnaire" (NCT03926403), "A score of ≥3 on PANSS
# item P1" (NCT03920384).
_WORDS_AFTER = re.compile(r"[ \t]*(?P<p>[A-Za-z][A-Za-z0-9\-]*(?:[ \t]+[A-Za-z][A-Za-z0-9\-]*){0,5})")
_ON_INSTRUMENT = re.compile(
    r"\s*on\s+(?:the\s+|a\s+|an\s+)?(?P<p>[A-Za-z][A-Za-z0-9\-]*(?:[ \t]+[A-Za-z][A-Za-z0-9\-]*){0,5})")
_INSTRUMENT_WORD = re.compile(
    r"(?:scales?|questionnaires?|inventor(?:y|ies)|index|tests?|items?|subscales?|ratings?|assessments?)$", re.IGNORECASE)
_ACRONYM = re.compile(r"[A-Z][A-Z0-9-]{1,9}")
# words that end the phrase: links, and what a value can be about without naming a measure
_PHRASE_END = {"from", "after", "before", "during", "within", "since", "prior", "when", "where", "including",
               "except", "unless", "below", "above", "over", "under", "or", "and", "men", "women", "males",
               "females", "male", "female", "boys", "girls", "children", "adults", "each", "both", "either",
               "every", "daily", "weekly", "old", "higher", "lower", "greater", "more", "less", "predicted",
               "normal", "will", "would", "can", "may"}
# Only where nothing before the comparison could name it: the item or clause starts
# there, or a link opens it ("with at least 6 mm probing depth"). After a name ("fev1 <
# 80 % predicted") the name before decides; after "or" / "and" a bound continues the
# previous one ("potassium ≤ 3 or ≥ 5 meq/l").
_OR_BEFORE = re.compile(r"\b(?:or|and)\s*$", re.IGNORECASE)
_OPEN_BEFORE = re.compile(r"(?:^|[,;:(]|\b(?:with|of|having|has|have|showing))\s*$", re.IGNORECASE)


def _generic_after(text: str, c: Comparison, other_unit: bool = False) -> Mention | None:
    """The words after a value that name what it measures (see ``_WORDS_AFTER``). After
    "or" / "and" only when the bound has a unit of its own, so it cannot continue the
    previous one: "Leukocytes > 12,000/mm^3 or < 4,000/mm^3 or > 10% immature (band) forms"
    (the SIRS criteria of sepsis trials, LCT NCT03929159)."""
    if c.relative_to or c.unit in TIME_UNITS or c.unit in _DOSE_UNITS:
        return None
    if not (_OPEN_BEFORE.search(text, max(0, c.start - 30), c.start)
            or (other_unit and _OR_BEFORE.search(text, max(0, c.start - 30), c.start))):
        return None
    m = (_WORDS_AFTER if c.unit is not None else _ON_INSTRUMENT).match(text, c.end)
    if not m:
        return None
    words: list[re.Match[str]] = []
    for w in _GENERIC_WORDS.finditer(text, m.start("p"), m.end("p")):
        low = w.group(0).lower()
        if low in _STOP or low in _PHRASE_END or len(words) == 4:
            break
        words.append(w)
    if not words:
        return None
    phrase = text[words[0].start() : words[-1].end()]
    if c.unit is None and not (_INSTRUMENT_WORD.search(phrase) or _ACRONYM.fullmatch(words[0].group(0))):
        return None
    if condition(phrase):
        return None
    return Mention(words[0].start(), words[-1].end(), _slug(phrase))


# Words that make the words before a value a clause rather than the name of a measure:
# "orthostatic hypotension will be defined as ≥ 20 mmhg decrease", "cord must contain ≥ 2.5
# x 10^7 cells", "but scoring ≥ 3" (Clinical-Trial-
# Parser test split); "(regardless of <5% of the bone marrow area)" (NCT04126811) names no measure.
_CLAUSE_WORDS = {"will", "would", "must", "can", "may", "should", "shall", "could", "contain", "contains",
                 "exhibit", "exhibits", "evidenced", "but", "who", "which", "that", "whose", "regardless",
                 "irrespective"}


# A name's abbreviation in brackets between the name and the comparison, in any case: "knee
# flexion range of motion ( rom ) < 90", "ankle brachial index ( abi ) < 0.9", "subjective
# total sleep time ( stst ) < 6 hours" (Clinical-Trial-Parser test split, lower case): the
# name is before the brackets. So is the name of a bound written in brackets after it: "Low
# T-MoCA score (<20)" (LCT NCT03866564), "history of hypercholesterolemia ( > 240 mg / dl )",
# "neutropenia ( < 1000 / mm3 )" (Clinical-Trial-Parser test split); an operator symbol opens
# the bound ("(minimum one in the shoulder)" counts, LCT NCT03869307).
_BRACKET_OPEN = re.compile(r"(?<=\w)\s*[(\[]\s*(?=[<>≤≥])")
_ASIDE_BEFORE = re.compile(r"\(\s*[A-Za-z0-9][\w\-]{0,9}\s*\)\s*(?:of|:|=|is)?\s*$")


def _generic_variable(text: str, c: Comparison, floor: int) -> Mention | None:
    """A variable the lexicon has no name for: the words right before the comparison
    ("Prostate volume < 60 cc" -> ``prostate_volume``). Only directly adjacent phrases."""
    acronym = _ACRONYM_LEFT.search(text, max(floor, c.start - 60), c.start)
    if acronym and _generic_allowed(text, c):
        return Mention(acronym.start("abbr"), acronym.end("abbr"), _slug(acronym.group("abbr")))
    opened = _BRACKET_OPEN.search(text, max(floor, c.start - 3), c.start + 1)
    end = opened.start() if opened else c.start
    aside = _ASIDE_BEFORE.search(text, max(floor, c.start - 30), c.start)
    head = aside.start() if aside else end
    left_start = max(floor, c.start - 60, text.rfind("(", 0, head) + 1, text.rfind(",", 0, head) + 1)
    left = text[left_start:end]
    m = _GENERIC_LEFT.search(left)
    if not m:
        return None
    words = _name_words([w.lower() for w in _GENERIC_WORDS.findall(m.group(1))])
    # a clause's verb ends the name before it: "the humerus is abducted from 45 degrees"
    # (LCT NCT03861923) measures abduction, not the humerus
    cut = max((i for i, w in enumerate(words) if w in ("is", "are", "was", "were")), default=-1)
    words = words[cut + 1 :]
    while words and words[0] in _STOP:
        words.pop(0)
    if not _generic_allowed(text, c):
        return None
    if not words or any(w in ("within", "after", "before", "prior", "since", "during", "weeks", "days", "months",
                              "years", "grade", "cycles", "dose", "doses", "mg", "version") for w in words):
        return None
    if any(w in _CLAUSE_WORDS for w in words):
        return None  # "orthostatic hypotension will be defined as ≥ 20 mmHg": a clause, no name
    return Mention(left_start + m.start(1), left_start + m.end(1), "_".join(w.replace("-", "_") for w in words))


# A participle after a name opens what qualifies it; the name is before it: "If the curvature
# measured in the spine is less than 10 degrees" (LCT NCT03862625) measures the curvature,
# "lesion that can be accurately measured at baseline as ≥ 10mm" (NCT02679963) no baseline.
_PARTICIPLES = {"measured", "assessed", "calculated", "estimated", "determined", "obtained", "recorded", "evaluated"}


def _name_words(words: list[str]) -> list[str]:
    """The words of an open variable's name, from the words before its comparison.

    What a condition is "with" is the measure: "Consciousness disorder with Glasgow score
    <15" (LCT NCT03927729) measures the Glasgow score, "women with coronary stenosis ≥ 50 %"
    (Clinical-Trial-Parser test split) the stenosis. A "score" ending a name of two or more
    words stays in it, as the scale's name: "Clinical LS score ≥ 4" (LCT NCT03926299),
    "full mouth plaque score <15%" (LCT NCT03920553)."""
    if "with" in words[:-1]:
        words = words[len(words) - words[::-1].index("with") :]
    cut = next((i for i, w in enumerate(words) if i and w in _PARTICIPLES), None)
    if cut is not None:
        words = words[:cut]
        while words and words[-1].endswith("ly"):
            words.pop()
    scored = len(words) > 1 and words[-1] in ("score", "scores") and words[-2] not in _STOP
    while words and (words[-1] in _STOP or words[-1] in _VERB_LINKS):
        words.pop()
    return words[-3:] + ["score"] if scored else words[-4:]


# A score named by its acronym in parentheses, right before the comparison: "Anxiety
# Sensitivity Index (ASI-3) total score > 29", "(OASIS) score > 8" (LCT NCT03925987),
# "Rapid shallow breathing index (RSBI) < 105" (LCT NCT03929328), "IBS symptom severity
# scores (IBS-SSS) greater than 250" (LCT NCT03869372), "gingival index (GI) score> 1"
# (LCT NCT03923218), "(AN count) of >= 5" (LCT NCT03926169). An acronym may open with a
# digit or mix cases when it holds two capitals: "Six-minute walk distance (6MWD) < 450 m",
# "fractional exhaled nitric oxide (FeNO) ≥ 25 ppb" (asthma and pulmonary-hypertension
# trials), "Tricuspid annular plane systolic excursion (TAPSE) <16 mm" (LCT NCT03926910); a
# one-letter prefix: "Young-Internet Addiction Test(Y-IAT) ≥ 50" (LCT NCT03868488),
# "Telephone-Montreal Cognitive Assessment (T-MoCA) score of >20" (LCT NCT03866564).
_ACRONYM_LEFT = re.compile(
    r"\(\s*(?P<abbr>(?=[A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*[A-Z])[A-Z0-9](?:[A-Za-z0-9]{1,9}(?:-[A-Za-z0-9]{1,5})?|-[A-Za-z0-9]{2,6})(?:\s+count)?)\s*\)\s*"
    r"(?:(?:total|global|mean)\s+)?(?:scores?|index|scale|levels?|count|values?)?\s*(?:of|:|=|is)?\s*$"
)
def _longer_name(text: str, c: Comparison, mention: Mention) -> Mention | None:
    """The acronym of a longer name that holds a known variable's word: "Tricuspid annular
    plane systolic excursion (TAPSE) <16 mm" (LCT NCT03926910) measures TAPSE, not systolic
    pressure; "Rapid shallow breathing index (RSBI)", "Coronary artery calcium (CAC) score
    > 400", "Peak expiratory flow rate (PEFR)" name a measure of their own. The acronym
    must spell the initials of the words from the known word to the parenthesis, so
    "creatinine clearance (Cockcroft-Gault) ≥ 60" keeps creatinine clearance."""
    acro = _ACRONYM_LEFT.search(text, max(mention.end, c.start - 60), c.start)
    if not acro or not _generic_allowed(text, c) or find_variables(acro.group("abbr")):
        return None  # "Absolute neutrophil count (ANC)": the acronym is the known variable
    head = text[max(0, mention.start - 60) : acro.start()]
    words = re.findall(r"[A-Za-z][a-z]*", head)
    initials = "".join(w[0] for w in words).lower()
    letters = "".join(ch for ch in acro.group("abbr") if ch.isalpha()).lower()
    tail = re.findall(r"[A-Za-z][a-z]*", text[mention.start : acro.start()])
    if len(tail) < 2 or not initials.endswith(letters) or len(letters) < len(tail):
        return None
    return Mention(acro.start("abbr"), acro.end("abbr"), _slug(acro.group("abbr")))


# "at least one of the following criteria" (LCT NCT03869554), "at least one of the following
# fractures" (LCT NCT03867071), "one or more of the eye examinations" (LCT NCT03865134): a count
# of list members, no measured variable. A percentage of something is a share the words before
# it measure: "Burn surface area > or = 5% of the total body surface area" (LCT NCT03924908),
# "Bone loss affecting >30% of the existing teeth" (LCT NCT03923218), "tumors encompassing
# > 50 % of the liver volume" (Clinical-Trial-Parser test split).
_COUNT_OF = re.compile(r"\s*(?:or more\s+|or fewer\s+)?of\b", re.IGNORECASE)


def _generic_allowed(text: str, c: Comparison) -> bool:
    """Whether the value can be a measurement of a variable named only by the words before it."""
    after = text[c.end : c.end + 20]
    if c.unit in (None, "%") and c.relative_to is None and (
            (_NOUN_AFTER.match(after) and not _LINK_AFTER.match(after)) or (c.unit is None and _COUNT_OF.match(after))):
        return False  # "at least 2 lesions", "> 3 cycles": the number counts what follows
    return True


def _slug(name: str) -> str:
    """A variable name from free words: "Prostate volume" -> ``prostate_volume``."""
    return "_".join(re.findall(r"[a-z0-9]+", name.lower()))

_GAP_WORDS = {"should", "be", "if", "in", "case", "with", "or", "and", "for", "but", "when", "patients", "those",
              "subjects", "who", "have", "has", "must", "can", "may", "up", "to", "the", "of", "levels", "level"}
_WORDS2 = re.compile(r"[A-Za-z]{2,}")


def _names_something(gap: str) -> bool:
    """Whether text between two thresholds names a new thing (then nothing is inherited)."""
    for _name, rx in opened(CONDITION_RES, CONDITION_GATES, gap):
        gap = rx.sub(" ", gap)
    words = [w.lower() for w in _WORDS2.findall(gap)]
    return any(w not in _GAP_WORDS and w not in _STOP for w in words)


def _pressure_pair(c: Comparison, cond: str | None, span: str) -> list[dict[str, Any]]:
    """"blood pressure > 140/90": systolic > 140 and diastolic > 90 (same comparator, unit)."""
    dia = Comparison(c.start, c.end, c.comparator, c.pair or 0.0, None, c.unit, None, None)
    return [numeric_constraint("blood_pressure_systolic", c, cond, span), numeric_constraint("blood_pressure_diastolic", dia, cond, span)]


def _plausible_reading(variable: str, c: Comparison) -> str | None:
    """Check a threshold against the variable table; None when it can be used, else why not.

    A dotted number with three-digit groups is read again as thousands when the decimal
    reading is implausible ("ANC > 1.500 cells/mm3", "platelets > 100.000/mm3" are 1500
    and 100000); ``c`` is updated in place when that reading fits.
    """
    var = variables.get(variable)
    if var is None or c.relative_to:
        return None
    if c.unit == "deg" and var.unit == "Cel":
        c.unit = "Cel"  # "temperature > 38°": a bare degree of a temperature is Celsius
    if c.unit == "mm3" and (var.unit or "").startswith("10*"):
        # a count "per mm3" whose slash was lost: "anc > 1500 mm3" (Clinical-Trial-Parser
        # test split), "WBC 2,500 mm3; granulocytes 1,500 mm3" (NCT00006168)
        c.unit = "/mm3"
    if var.unit is None or c.unit is None:
        # a score or ratio without a unit ("ASA 100 mg" is aspirin, no ASA class)
        if var.unit is None and c.unit is None and not all(var.plausible(v) for v in (c.value, c.value2) if v is not None):
            return f"{clean_num(c.value)} is outside the scale {clean_num(var.low)}-{clean_num(var.high)}"
        return None
    if c.unit in var.other_units:
        return None
    if units.compatible(c.unit, var.unit, variable) is False:
        return f"unit {c.unit} cannot measure {variable} (canonical {var.unit})"
    values = [c.value] + ([c.value2] if c.value2 is not None else [])
    canon = [units.canonical(variable, v, c.unit)[0] for v in values]
    if all(x is None or var.plausible(x) for x in canon):
        return None
    alt = numbers.thousands_reading(c.written or "")
    if alt is not None and c.value2 is None:
        x = units.canonical(variable, alt, c.unit)[0]
        if x is not None and var.plausible(x):
            c.value = alt
            return None
    shown = ", ".join(f"{clean_num(x)}" for x in canon if x is not None)
    return f"{shown} {var.unit} is outside the plausible range {clean_num(var.low)}-{clean_num(var.high)} {var.unit}"


def numeric_constraint(variable: str, c: Comparison, cond: str | None, span: str) -> dict[str, Any]:
    """The numeric constraint of ``variable`` for ``c``, or an ``unparsed`` one (with its
    reason) when the variable table finds the threshold implausible."""
    problem = _plausible_reading(variable, c)
    if problem:
        return {"type": "unparsed", "reason": "implausible", "variable": variable, "comparator": c.comparator,
                "span": span.strip(), "note": f"threshold not used: {variable} {c.comparator} "
                f"{c.written or clean_num(c.value)} {c.unit}: {problem}"}
    unit = c.unit
    cv, cu = units.canonical(variable, c.value, unit, c.relative_to)
    d: dict[str, Any] = {
        "type": "numeric",
        "variable": variable,
        "comparator": c.comparator,
        "value": clean_num(c.value),
        "value2": clean_num(c.value2),
        "unit": unit,
        "relative_to": c.relative_to,
        "canonical_value": clean_num(cv),
        "canonical_unit": cu,
        "applies_if": cond,
        "span": span.strip(),
    }
    if cv is not None and c.value2 is not None and c.relative_to is None and unit:
        cv2, _ = units.canonical(variable, c.value2, unit)
        d["canonical_value2"] = clean_num(cv2)
    return d


_IF_CLAUSE = Gated(r"\b(?:if|when|whenever|in case)\s+(?!not\b)(?:[^,;:().]|\.(?=\d)){3,160}?(?=,|\s+then\b)", re.IGNORECASE)


def _in_if_clause(text: str, c: Comparison) -> bool:
    """"If the first recorded QTc exceeds 480 msec, two more ECGs are required": a
    threshold in a leading if-clause triggers what follows; it is no limit itself."""
    return any(m.start() <= c.start and c.end <= m.end() for m in _IF_CLAUSE.finditer(text))


# A condition naming a value against its reference range: "for patients with creatinine
# levels above institutional normal" (NCT02465060), "for patients with serum creatinine
# levels above institutional ULN" (NCT02513394), "with bilirubin above the upper limit of
# normal", "elevated ALT".
_ABOVE_NORMAL = Gated(
    r"\b(?:(?P<above>above|greater\s+than|higher\s+than|exceeding|over|>|elevated|abnormal)|(?P<below>below|less\s+than|lower\s+than|<))"
    r"\s*(?:the\s+)?(?:institutional\s+)?(?:(?:upper|lower)\s+limits?\s+of\s+)?(?:institutional\s+)?(?:normal|ULN|LLN|reference)?",
    re.IGNORECASE,
)


def relative_condition(text: str) -> list[dict[str, Any]]:
    """A variable above (below) its normal range, as a numeric constraint on the multiple
    of ULN (LLN), for conditions no comparison rule reads."""
    mentions = find_variables(text)
    m = _ABOVE_NORMAL.search(text)
    if not mentions or not m or not (m.group(0).strip().lower() in ("elevated", "abnormal") or
                                     re.search(r"normal|ULN|LLN|reference", m.group(0), re.IGNORECASE)):
        return []
    above = bool(m.group("above"))
    ref = "ULN" if above else "LLN"
    return [{"type": "numeric", "variable": mentions[0].variable, "comparator": ">" if above else "<", "value": 1,
             "value2": None, "unit": None, "relative_to": ref, "canonical_value": None, "canonical_unit": None,
             "applies_if": None, "span": text[mentions[0].start : m.end()].strip()}]
