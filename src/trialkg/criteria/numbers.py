"""Numbers as registries write them.

Criteria are written in many locales and by hand:

- decimal commas: "7,8 mmol/l", "Hb ≥ 9,0 g/dl", "1,5 x ULN";
- thousands separators: "100,000/µL", "1.500/mm3" (a dot, as in Spanish and German
  texts: "ANC > 1.500 cells/mm3", "platelets > 100.000/mm3"), "1 500" (a space);
- powers of ten as the value: "HBV DNA < 10^4 copies/mL";
- number words: "one year", "two weeks", "twelve months";
- Roman numerals on class scales: NYHA III, ASA II, grade IV;
- superscript exponents, read by the unit reader (``units``): 10⁹/L, 10E+9/L.

``NUMBER`` is the regex fragment that finds a written number; ``read_number`` turns the
text it matched into a float. A comma followed by exactly three digits is a thousands
separator ("1,500"); a comma followed by one or two digits is a decimal comma ("7,8",
"1,25") unless it continues a list ("0,1,2"). A dot followed by exactly three digits is
ambiguous ("1.500"): ``read_number`` reads it as a decimal, ``thousands_reading`` gives
the other reading, which the parser uses only when the decimal one is implausible for the
variable (1.500 cells/mm3 is no neutrophil count).
"""

from __future__ import annotations

import re

WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "eighteen": 18, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
ROMAN: dict[str, int] = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}

_WORD_ALT = "|".join(sorted(WORDS, key=len, reverse=True))
_SPACE_GROUP = "[\u00a0\u202f\u2009]"  # no-break and thin spaces: always a thousands separator

_WORD_FIRST = "".join(sorted({w[0] for w in WORDS}))
NUMBER = (
    r"(?:(?=\.?\d)(?:"  # a digit or ".5" first: one cheap test before the alternatives
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])"               # 100,000  1,500.5
    rf"|\d{{1,3}}(?:{_SPACE_GROUP}\d{{3}})+(?!\d)"            # 1 500 (no-break space)
    r"|\d{1,3}(?: \d{3})+(?=\s*(?:/|cells|per\b|[x×]\s*10|mm3|µ|u[lL]))"  # 1 500/mm3, 100 000 cells
    r"|(?<!\d,)(?<!\d, )\d+,\d{1,2}(?![\d])(?!\s*(?:,|or\b|and\b)\s*\d)"  # 7,8  1,25 (not 0,1,2)
    r"|(?<![\d.])10\s*\^\s*\d{1,2}(?!\d)(?!\s*(?:cells?\s*)?(?:/|per\b))"  # 10^4 copies/mL (a power as the value)
    r"|\d+(?:\.\d+)?|\.\d+)"
    rf"|\b(?=[{_WORD_FIRST}{_WORD_FIRST.upper()}])(?:{_WORD_ALT})\b)"
)

_SEPARATORS = re.compile(r"[\u00a0\u202f\u2009 ]")
_DECIMAL_COMMA = re.compile(r"^\d+,\d{1,2}$")
_DOT_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_POWER_VALUE = re.compile(r"^10\^(\d{1,2})$")
_ROMAN_RE = re.compile(r"^(?:i{1,3}|iv|vi?)$")


def read_number(text: str) -> float | None:
    """The value of a number as written, or None: "7,8" -> 7.8, "100,000" -> 100000,
    "1 500" -> 1500, "one" -> 1, "III" -> 3 (Roman only when the whole text is one)."""
    t = text.strip().lower()
    if not t:
        return None
    if t in WORDS:
        return float(WORDS[t])
    if _ROMAN_RE.match(t):
        return float(ROMAN[t])
    t = _SEPARATORS.sub("", t)
    power = _POWER_VALUE.match(t)
    if power:
        return float(10 ** int(power.group(1)))
    if _DECIMAL_COMMA.match(t):
        t = t.replace(",", ".")
    else:
        t = t.replace(",", "")
    try:
        return float(t)
    except ValueError:
        return None


def thousands_reading(text: str) -> float | None:
    """The other reading of a dotted number with three-digit groups: "1.500" -> 1500."""
    t = text.strip()
    return float(t.replace(".", "")) if _DOT_THOUSANDS.match(t) else None


def roman(text: str) -> int | None:
    """A Roman class numeral (I-VI) as an integer, or None."""
    return ROMAN.get(text.strip().lower()) if _ROMAN_RE.match(text.strip().lower()) else None
