"""Age limits: "18 years or older", "aged 18-70", "≥ 3 and ≤ 18 years of age".

A comparison is an age when an age word stands around it ("age", "old", "years of
age", "adults") or when it is a bound in years that no window, duration or other age
("gestational age", "bone age") claims.
"""

from __future__ import annotations

import re
from typing import Any

from trialkg.criteria import units
from trialkg.criteria.rules.binding import Mention
from trialkg.criteria.rules.comparisons import DIGIT, Comparison, clean_num
from trialkg.criteria.rules.life import LIFE
from trialkg.criteria.rules.reading import Reading

# An "age" that is not the patient's: "Gestational age range 26-34" (LCT NCT03865134),
# "gestational age between 24 and 36 weeks" (LCT NCT03865901), bone age.
_OTHER_AGE = re.compile(r"\b(?:gestational|bone|skeletal|post-?menstrual|post-?conceptional|corrected)\s+age\b", re.I)
_AGE_WORD = re.compile(r"\b(?:age[ds]?|old|older|younger|years? of age|adults?|patients? aged)\b", re.IGNORECASE)
# An age that is someone else's or an event's: "unexplained sudden death under 40 years of
# age in first degree relatives" (NCT03599518), "family history of long QT syndrome or
# unexplained sudden death under 40 years of age" (NCT02465060), "a first-degree relative
# diagnosed before age 50".
_SOMEONE_ELSE = re.compile(r"\b(?:death|died|relatives?|family|familial|siblings?|parents?|mother|father|"
                           r"brothers?|sisters?|offspring)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[;]|\.\s")
# What joins two bounds of one age: "≥ 3 and ≤ 18 years"; nothing where the range form
# ends the lower bound at its "to" ("Patients 11 to no older than 17 years of age").
_BOUND_JOIN = re.compile(r"\s*(?:and|to|,|-|–)?\s*", re.I)
_AGE_IN = re.compile(r"older|younger|\bage\b", re.I)
_AGE_AFTER = re.compile(r"\s*(?:years?\s*)?(?:of age|old|\(?years old|aged?\b)", re.I)
_AGE_BEFORE = re.compile(r"\bage[ds]?\s*[:(]?\s*$", re.I)
_DURATION_BEFORE = re.compile(r"\b(?:for|within|past|last|after|before|prior|since|duration|history|pack|smok)\w*\W*\w*\s*$", re.I)
# A length of something named a few words before the bound: "Duration of diabetes > 5
# years", "Diabetes duration of at least 1 year", "Education of at least 8 years" (schooling
# and disease-duration items of diabetes, dementia and psychiatry trials) count years of
# that, not of age.
_DURATION_NOUN = re.compile(
    r"\b(?:duration|education|schooling|experience|employment|residence)\b(?:\W+(?!aged?\b)\w+){0,3}\W*$", re.I)
# "aged" or "ages" right before the bound names the patient's age whatever window or
# duration the words before it speak of: "not pregnant or planning to become pregnant during
# study duration aged 18 to 55 years" (LCT NCT03926455), "other types of leukemia (if treated
# intensively) aged 1 - 21 years" (Clinical-Trial-Parser test split) read an age, not a
# duration or a window.
_AGED_BEFORE = re.compile(r"\b(?:aged|ages)\s*[:(]?\s*(?:between\s+)?$", re.I)
_YEARS_AFTER = re.compile(r"\s*(?:years?)?\s*(?:of age|old|or older|and older|\(|$|,|;|\.(?:\s|$))", re.I)
_WINDOW_CUE = re.compile(
    r"(?:within|during|in|for|last|past|previous|prior|before|after|since|over the|preceding)\s+(?:the\s+)?(?:last\s+|past\s+|previous\s+|preceding\s+|prior\s+)?$",
    re.IGNORECASE,
)


def _measures_something_else(text: str, c: Comparison, mentions: list[Mention]) -> bool:
    """A variable named right before the value, after any age word: "Adult participants:BMI
    ≥ 18.0" (LCT NCT03929263), "adults with weight ≥ 40 kg" measure BMI and weight, not age."""
    before = [m for m in mentions if m.end <= c.start and c.start - m.end <= 25]
    if not before:
        return False
    gap = text[before[-1].end : c.start]
    return not DIGIT.search(gap) and not _AGE_IN.search(gap) and not _AGE_WORD.search(gap)


def read(r: Reading) -> list[dict[str, Any]]:
    """The age constraints of an item; the comparisons they take are marked used."""
    return age_constraints(r.text, r.comparisons, r.used, r.mentions)


def age_constraints(text: str, comps: list[Comparison], used: set[int],
                    mentions: list[Mention]) -> list[dict[str, Any]]:
    """Comparisons read as ages (their indexes are added to ``used``)."""
    out = []
    for i, c in enumerate(comps):
        if i in used or _measures_something_else(text, c, mentions):
            continue
        # the words around it within its clause: "... for patients 16 years of age; Lansky
        # >= 50" (NCT01130623) holds no age word for the Lansky score
        win_before = _CLAUSE_BREAK.split(text[max(0, c.start - 40) : c.start])[-1]
        win_after = _CLAUSE_BREAK.split(text[c.end : c.end + 25])[0]
        if _SOMEONE_ELSE.search(win_before) or _SOMEONE_ELSE.search(text[c.end : c.end + 40].split(";")[0]):
            continue
        cunit = c.unit
        nxt = comps[i + 1] if i + 1 < len(comps) else None
        if cunit in (None, getattr(nxt, "unit", None)) and c.relative_to is None and nxt is not None and nxt.unit in ("a", "mo") and _BOUND_JOIN.fullmatch(
                text[c.end : nxt.start]):
            # "≥ 3 and ≤ 18 years of age": the first bound takes the unit of the second
            cunit = nxt.unit
            win_after = text[nxt.end : nxt.end + 25]
        is_years = cunit == "a"
        agey = bool(_AGE_WORD.search(win_before) or _AGE_IN.search(text[c.start : c.end]) or _AGE_AFTER.match(win_after)
                    or _AGE_BEFORE.search(win_before))
        if LIFE.search(win_before) or _OTHER_AGE.search(win_before):
            continue
        if not _AGED_BEFORE.search(win_before) and (
                _WINDOW_CUE.search(win_before) or _DURATION_BEFORE.search(win_before) or _DURATION_NOUN.search(win_before)):
            continue
        if not (agey or (is_years and c.comparator != "=" and _YEARS_AFTER.match(win_after))):
            continue
        if cunit not in (None, "a", "mo") and not (cunit in ("wk", "d") and (
                _AGE_AFTER.match(win_after) or _AGE_BEFORE.search(win_before) or re.search(r"\baged\s*$", win_before))):
            continue  # weeks and days only as an age written so: "Neonates < 28 days of age", "aged 7 to 28 days"
        if cunit is None and not agey:
            continue
        if c.value > 120:
            continue
        used.add(i)
        unit = cunit or "a"
        out.append({
            "type": "age", "variable": "age", "comparator": c.comparator,
            "value": clean_num(c.value), "value2": clean_num(c.value2), "unit": unit,
            "canonical_value": clean_num(units.canonical("age", c.value, unit)[0]),
            "canonical_unit": "a", "applies_if": None,
            "span": text[max(0, c.start - 0) : c.end].strip(),
        })
    return out
