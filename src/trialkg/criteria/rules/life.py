"""Life expectancy: "life expectancy of at least 12 weeks", "expected survival > 3 months".

A time comparison soon after a life-expectancy phrase is its minimum; a phrase with a
time but no operator ("life expectancy of 3 months") is a minimum too.
"""

from __future__ import annotations

import re
from typing import Any

from trialkg.criteria import units
from trialkg.criteria.rules.comparisons import NUM, Comparison, clean_num, number
from trialkg.criteria.rules.reading import Reading
from trialkg.textgate import Gated

# A prognosis in time is a life expectancy: "prognosis for survival greater than 6 months"
# (LCT NCT03861494), "with prognosis <6 months" (LCT NCT03868761).
LIFE = Gated(
    r"prognosis(?: for survival)?(?= *(?:of|is|[<>≤≥]|less|greater|more|at least|under|below|above|over)\b|[<>≤≥])|life[- ]expectancy|expected (?:survival|lifetime|to live)|(?:estimated|predicted|anticipated|expected) (?:overall )?survival(?: time| period)?|survival (?:time )?expectation|survival time|expected survival",
    re.IGNORECASE,
)
# UCUM codes of time
TIME_UNITS = {"a", "mo", "wk", "d", "h"}
_LIFE_VALUE = re.compile(rf"[^\d;]{{0,25}}?(?P<v>{NUM})\s*(?P<u>years?|months?|weeks?|days?)\b", re.I)


def read(r: Reading) -> list[dict[str, Any]]:
    """The life-expectancy constraints of an item; the comparisons they take are marked used."""
    return life_constraints(r.text, r.comparisons, r.used)


def life_constraints(text: str, comps: list[Comparison], used: set[int]) -> list[dict[str, Any]]:
    """A comparison after a life-expectancy phrase (within 45 characters) in a time unit."""
    out = []
    for m in LIFE.finditer(text):
        for i, c in enumerate(comps):
            if i in used or c.start < m.end() or c.start - m.end() > 45:
                continue
            if c.unit not in TIME_UNITS:
                after = units.match_unit(text, c.end)
                if not after or after[0] not in TIME_UNITS:
                    continue
                unit = after[0]
            else:
                unit = c.unit
            used.add(i)
            cv = units.canonical("life_expectancy", c.value, unit)[0]
            out.append({
                "type": "life_expectancy", "variable": "life_expectancy", "comparator": c.comparator,
                "value": clean_num(c.value), "value2": clean_num(c.value2), "unit": unit,
                "canonical_value": clean_num(cv), "canonical_unit": "mo",
                "span": text[m.start() : c.end].strip(),
            })
            break
        else:
            # "life expectancy of 3 months": a minimum without an operator word.
            n = _LIFE_VALUE.match(text[m.end():])
            if n:
                unit = units.ucum_code(n.group("u")) or "mo"
                v = number(n.group("v")) or 0
                out.append({
                    "type": "life_expectancy", "variable": "life_expectancy", "comparator": ">=",
                    "value": clean_num(v), "value2": None, "unit": unit,
                    "canonical_value": clean_num(units.canonical("life_expectancy", v, unit)[0]),
                    "canonical_unit": "mo", "span": text[m.start() : m.end() + n.end()].strip(),
                })
    return out
