"""Units for eligibility thresholds: UCUM codes as written, one canonical unit per variable.

Criteria write units in many ways ("x 10^9/L", "109/L" with a lost superscript, "G/L",
"/mm3", "cells/uL", "g/dl", "ml/min", "msec"). ``ucum_code`` turns the written form into
a UCUM code; ``convert`` moves a value between UCUM units with pint, bridging mass and
substance concentrations through the analyte's molar mass (creatinine in umol/L vs
mg/dL). The patient matcher reads patient units with ``normalise_unit`` and ``known_unit``
and compares a lab value with a threshold through ``lab_convert``.

Time units follow UCUM too: ``a`` (year), ``mo`` (month), ``wk`` (week), ``d`` (day).
Windows in days use month = 30 days and year = 365 days (a fixed rule, documented in
``window_days``), because registries never say which calendar they mean.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from trialkg.criteria import variables
from trialkg.durations import DAYS_PER_MONTH, DAYS_PER_YEAR

# Canonical UCUM unit and molar mass (g/mol, to bridge substance and mass
# concentrations) per variable: from the one variable table (criteria/variables.py).
CANONICAL_UNITS: dict[str, str | None] = variables.canonical_units()
MOLAR_MASS: dict[str, float] = variables.molar_masses()

# Written form (lower case, spaces removed) -> UCUM code. Order matters for the regex.
_WRITTEN: list[tuple[str, str]] = [
    (r"(?:cells?\s*)?(?:/|per\s+)\s*(?:cu\.?\s*|cubic\s*)?(?:mm(?:3|³|\^3)|millimet(?:er|re)s?(?:\s*cubed)?)", "/mm3"),
    # "per µL", "per microliter", "≥1,000 / microliter (mcL)" (NCT02636725), "cells / microlitre"
    (r"(?:cells?\s*)?per\s+(?:µ|μ|u|mc)l|(?:cells?\s*)?(?:per|/)\s*microlit(?:er|re)s?", "/uL"),
    (r"(?:cells?\s*)?/\s*(?:µ|μ|u|mc)l", "/uL"),
    (r"(?:cells?\s*)?/\s*ml(?![a-z])", "/mL"),
    (r"(?:cells?\s*)?/\s*l(?![a-z])", "/L"),
    (r"g(?:r|m|ms)?\s*/\s*dl", "g/dL"),  # "hemoglobin ≥ 9 gm / dl" (Clinical-Trial-Parser test split), "Hgb > 9 gm/dL"  # "9.0 gr/dl" (LCT NCT03861377), "gr/dL" in Spanish and Italian records
    (r"mg\s*/\s*dl", "mg/dL"),
    # milligrams and grams per cent (per 100 mL), as older records write them: "Serum
    # bilirubin less than 3.0 mg%", "Serum albumin of 3.0 gram% or greater" (NCT00006168)
    (r"mg\s*%|mg\s*percent|mg\s*per\s*cent", "mg/dL"),
    (r"(?:g|gm|gr|grams?)\s*%", "g/dL"),
    (r"ng\s*/\s*dl", "ng/dL"),
    (r"µg\s*/\s*dl|μg\s*/\s*dl|ug\s*/\s*dl|mcg\s*/\s*dl", "ug/dL"),
    # Concentrations, rates and lengths that open-variable thresholds write ("TSH 0.4-4.0
    # mIU/L", "25(OH)D < 50 nmol/L", "ESR > 30 mm/h", "AHI ≥ 15 events/hour", "6MWD < 450 m",
    # "FeNO ≥ 25 ppb", "urine albumin-to-creatinine ratio ≥ 30 mg/g", "FEV1 ≥ 1.5 L", "central
    # corneal thickness < 480 µm"; LCT NCT03926975 "IOP > 20mm", NCT03926910 "> 3.4 m / s")
    (r"m(?:iu|u)\s*/\s*l(?![a-z])", "m[IU]/L"),
    (r"(?:µ|μ|u)i?u\s*/\s*ml", "u[IU]/mL"),  # "fasting insulin > 15 µU/mL", "TSH 0.4-4 µIU/mL"
    (r"nmol\s*/\s*l(?![a-z])", "nmol/L"),
    (r"pmol\s*/\s*l(?![a-z])", "pmol/L"),
    (r"ng\s*/\s*l(?![a-z])", "ng/L"),
    (r"mosm\s*/\s*kg", "mosm/kg"),
    (r"mg\s*/\s*g(?![a-z])", "mg/g"),
    (r"mg\s*/\s*mmol", "mg/mmol"),
    (r"ml\s*/\s*kg\s*/\s*min(?:ute)?", "mL/kg/min"),
    (r"ml\s*/\s*kg\s*/\s*h(?:ours?|r)?(?![a-z])", "mL/kg/h"),
    (r"mm\s*/\s*h(?:ours?|r)?(?![a-z])", "mm/h"),
    (r"(?:events?\s*)?(?:/|per)\s*h(?:ours?|r)?(?![a-z])", "/h"),
    # "Heart rate < 60/min", "respiratory rate ≥ 30 breaths/min", "> 100 per minute"
    (r"(?:breaths?\s*|beats?\s*)?(?:/|per)\s*min(?:ute)?(?![a-z])", "/min"),
    (r"copies\s*/\s*ml", "{copies}/mL"),
    (r"ppb(?![a-z])", "[ppb]"),
    (r"l\s*/\s*min(?:ute)?", "L/min"),
    (r"m\s*/\s*s(?:ec(?:ond)?)?(?![a-z])", "m/s"),
    (r"(?:µ|μ)m(?![a-z0-9²³^/])|microns?(?![a-z])|micromet(?:er|re)s?", "um"),
    (r"db(?![a-z])", "dB"),
    # areas, volumes of cells, letters of a visual-acuity chart, distances walked, steps and
    # drinks counted per period: "ulcer area ≥ 1 cm2", "MCV > 100 fL", "BCVA between 24 and
    # 73 ETDRS letters", "walk at least 10 km per week", "< 5000 steps per day", "more than 14
    # drinks per week" (wound, anaemia, ophthalmology, rehabilitation and alcohol items)
    (r"cm(?:2|²|\^2)(?![0-9])|square\s+centimet(?:er|re)s?", "cm2"),
    (r"mm(?:2|²|\^2)(?![0-9/])|square\s+millimet(?:er|re)s?", "mm2"),
    (r"fl(?![a-z])|femtolit(?:er|re)s?", "fL"),
    (r"mosm\s*/\s*l(?![a-z])", "mosm/L"),
    (r"(?:etdrs\s+)?letters(?![a-z])", "{letters}"),
    (r"km(?![a-z])|kilomet(?:er|re)s?(?![a-z])", "km"),
    (r"steps?\s*(?:/|per|a)\s*day", "{steps}/d"),
    (r"(?:standard\s+)?drinks?\s*(?:/|per|a)\s*(?:week|wk)", "{drinks}/wk"),
    (r"(?:standard\s+)?drinks?\s*(?:/|per|a)\s*day", "{drinks}/d"),
    (r"g\s*/\s*l(?![a-z])", "g/L"),
    (r"mg\s*/\s*l(?![a-z])", "mg/L"),
    (r"ng\s*/\s*ml", "ng/mL"),
    (r"pg\s*/\s*ml", "pg/mL"),
    (r"(?:µ|μ|u)mol\s*/\s*l", "umol/L"),
    (r"mmol\s*/\s*l", "mmol/L"),
    (r"mmol\s*/\s*mol", "mmol/mol"),
    (r"miu\s*/\s*ml", "m[IU]/mL"),
    (r"(?:iu|u)\s*/\s*l", "U/L"),
    (r"iu\s*/\s*ml", "[IU]/mL"),
    (r"k?u\s*/\s*ml", "U/mL"),
    (r"(?:µ|μ|u|mc)g\s*/\s*l(?![a-z])", "ug/L"),
    (r"(?:µ|μ|u|mc)g\s*/\s*ml", "ug/mL"),
    (r"meq\s*/\s*l", "meq/L"),
    (r"kpa(?![a-z])", "kPa"),
    (r"(?:°|º|˚)\s*c(?![a-z])|degrees?\s*(?:c(?![a-z])|celsius|centigrade)", "Cel"),
    # an angle: "dorsal angulation <10°" (LCT NCT03922256), "abducted from 45 degrees to 90
    # degrees" (LCT NCT03861923), "knee flexion > 90°" (range-of-motion items)
    (r"(?:°|º|˚)(?!\s*f(?![a-z]))|degrees?(?!\s*(?:f(?![a-z])|fahrenheit))(?![a-z])", "deg"),
    (r"cm(?:3|³|\^3)|cc(?![a-z])", "cm3"),
    (r"ml\s*/\s*min\s*/\s*1\.73\s*m\s*(?:2|²|\^\s*2)", "mL/min/{1.73_m2}"),
    (r"ml\s*/\s*min", "mL/min"),
    (r"ml\s*/\s*s", "mL/s"),
    # "25-40 kilograms per square meter (kg/m²)" (LCT NCT03928379)
    (r"kg\s*/\s*m\s*(?:2|²|\^\s*2)|kilo(?:gram|gramme)s?\s*(?:/|per)\s*(?:square\s*met(?:er|re)|m\s*(?:2|²|\^\s*2))", "kg/m2"),
    (r"mg\s*/\s*kg", "mg/kg"),
    # an index per body surface: "LVMi ≥109 g/m² in women and ≥132 g/m² in men" (LCT NCT03860350)
    (r"g\s*/\s*m(?:2|²|\^2)", "g/m2"),
    (r"m?g\s*/\s*d(?:ay)?(?![a-z])", "g/d"),
    (r"mg\s*/\s*m\s*(?:2|²|\^\s*2)", "mg/m2"),
    # "< 1000mg/24h" (NCT06382129), "≤ 1 g/24 hours", "< 1 g per 24 hours", "1 g in 24 h"
    (r"mg\s*(?:/|per|in)\s*24\s*-?\s*h(?:ours?|rs?)?", "mg/(24.h)"),
    (r"g\s*(?:/|per|in)\s*24\s*-?\s*h(?:ours?|rs?)?", "g/(24.h)"),
    # a ratio of two masses: "UPCR ≤ 1 g/g", "urine protein/creatinine ratio < 1 mg/mg", "< 500 mg/g"
    (r"mg\s*/\s*mg", "mg/mg"),
    (r"mg\s*/\s*g(?![a-z])", "mg/g"),
    (r"g\s*/\s*g(?![a-z])", "g/g"),
    (r"mg\s*/\s*mmol", "mg/mmol"),
    # "BP less than or equal to (<=) 150/90 millimeters of Mercury" (NCT04154189)
    (r"mm\s*hg|millimet(?:er|re)s?\s+of\s+mercury", "mmHg"),
    # a rank among peers, no measurement in the variable's unit: "BP <95th percentile for sex,
    # age, and height" (NCT04154189), "BMI ≥ 95th percentile for age" (paediatric obesity trials)
    (r"(?:st|nd|rd|th)?\s*percentiles?(?![a-z])", "{percentile}"),
    (r"cm\s*h(?:2|₂)o", "cm[H2O]"),
    (r"m(?:illi)?sec(?:onds?)?|ms(?![a-z])", "ms"),
    (r"sec(?:onds?)?|s(?![a-z])", "s"),
    (r"%|percent", "%"),
    (r"kg(?![a-z])|kilo(?:gram|gramme)s?(?![a-z])", "kg"),  # "weight is ≥ 5 kilogram ( kg )"
    (r"(?:pounds?|lbs?)(?![a-z])", "[lb_av]"),
    # "Residual limb length greater than 6.5 inches" (LCT NCT03927404), "height < 4 feet 10
    # inches": imperial lengths spelt out ("in" alone is a preposition, never read)
    (r"inch(?:es)?(?![a-z])", "[in_i]"),
    (r"(?:feet|foot|ft)(?![a-z])", "[ft_i]"),
    (r"mg(?![a-z/])", "mg"),
    # grams spelt out: "birth weight ≥ 1000 grams", "birth weight less than 1500 grams"
    # (Clinical-Trial-Parser test split); "grams per deciliter" is read above
    (r"g(?![a-z/])|gram(?:me)?s?(?![a-z%])(?!\s*(?:/|per\b))", "g"),
    # a cubic millimetre whose slash was lost after a count ("anc > 1500 mm3", "platelets
    # 80,000mm3"): a volume here; the numeric rule reads it as per mm3 for a cell count
    (r"mm(?:3|³|\^3)(?![a-z0-9])", "mm3"),
    (r"mm(?![a-z0-9³^])", "mm"),
    (r"cm(?![a-z0-9³^])", "cm"),
    (r"ml(?![a-z/])", "mL"),
    (r"lit(?:er|re)s?(?![a-z])|l(?![a-z/])", "L"),
    (r"met(?:er|re)s?(?![a-z])|m(?![a-z0-9²³^/])", "m"),
    (r"bpm|beats?\s*(?:per|/)\s*min(?:ute)?", "/min"),
    (r"years?|yrs?(?![a-z])|y\.?o\.?(?![a-z])", "a"),
    (r"ppm(?![a-z])", "[ppm]"),
    (r"months?|mos?(?![a-z])", "mo"),
    (r"weeks?|wks?(?![a-z])", "wk"),
    (r"days?(?![a-z])", "d"),
    (r"hours?|hrs?(?![a-z])", "h"),
]
_WRITTEN_RE = [(re.compile(p, re.IGNORECASE), code) for p, code in _WRITTEN]
# All of them in one alternation, tried in the same order: its match at a position is
# the first unit of the list that matches there (one regex call instead of one per unit).
_WRITTEN_ANY = re.compile("|".join(f"(?P<u{i}>{p})" for i, (p, _code) in enumerate(_WRITTEN)), re.IGNORECASE)
_WRITTEN_CODES = {f"u{i}": code for i, (_p, code) in enumerate(_WRITTEN)}

# Counts per volume with a power of ten, as written: "x 10^9/L", "10⁹/L", "10E+9/L",
# "1.5×10E+9/L", "x10⁴/mm3", "10*3/µL", "109/L" (a superscript lost in copying: only the
# usual exponents 3, 4, 6, 9, 12 are read without a separator). The code is 10*N/L or
# 10*N/uL (a cubic millimetre is a microlitre).
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_POWER = re.compile(
    r"(?:[x×*✕]\s*)?10\s*(?:(?:\^|\*\*|\*|e\+?)\s*(?P<exp>\d{1,2})|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})|(?P<bare>12|[3469]))"
    r"\s*(?:cells?\s*)?(?:/|per\s+)\s*(?P<vol>l(?![a-z])|lit(?:er|re)|(?:µ|μ|u|mc)l|micro ?lit(?:er|re)|(?:cu\.?\s*)?mm(?:3|³|\^3)?(?![a-z])|cubic\s+millimet(?:er|re))",
    re.IGNORECASE,
)


def _power_code(m: re.Match[str]) -> str:
    exp = (m.group("exp") or m.group("bare") or (m.group("sup") or "").translate(_SUPERSCRIPTS)).lstrip("0") or "0"
    vol = m.group("vol").lower()
    return f"10*{exp}/L" if vol.startswith("l") else f"10*{exp}/uL"


def _power_pint(code: str) -> str | None:
    m = re.fullmatch(r"10\*(\d{1,2})/(L|uL)", code)
    if not m:
        return None
    return f"1e{m.group(1)} / {'liter' if m.group(2) == 'L' else 'microliter'}"

# UCUM code -> pint expression.
_PINT: dict[str, str] = {
    "10*9/L": "1e9 / liter",
    "10*12/L": "1e12 / liter",
    "10*6/L": "1e6 / liter",
    "10*3/uL": "1e3 / microliter",
    "/mm3": "1 / millimeter ** 3",
    "/uL": "1 / microliter",
    "/mL": "1 / milliliter",
    "/L": "1 / liter",
    "g/dL": "gram / deciliter",
    "mg/dL": "milligram / deciliter",
    "ng/dL": "nanogram / deciliter",
    "ug/dL": "microgram / deciliter",
    "g/L": "gram / liter",
    "mg/L": "milligram / liter",
    "ng/mL": "nanogram / milliliter",
    "pg/mL": "picogram / milliliter",
    "umol/L": "micromole / liter",
    "mmol/L": "millimole / liter",
    "U/L": "1 / liter",  # enzyme units: only ever converted to themselves
    "mL/min": "milliliter / minute",
    "mL/s": "milliliter / second",
    "mL/min/{1.73_m2}": "milliliter / minute",
    "kg/m2": "kilogram / meter ** 2",
    "mmHg": "millimeter_Hg",
    "cm[H2O]": "centimeter_H2O",
    "mm[Hg]": "millimeter_Hg",
    "ms": "millisecond",
    "s": "second",
    "%": "percent",
    "kg": "kilogram",
    "[lb_av]": "pound",
    "[in_i]": "inch",
    "[ft_i]": "foot",
    "g": "gram",
    "mg": "milligram",
    "mm": "millimeter",
    "cm": "centimeter",
    "mL": "milliliter",
    "a": "year",
    "mo": "month",
    "wk": "week",
    "d": "day",
    "h": "hour",
    "/min": "1 / minute",
    "g/(24.h)": "gram / day",
    "mg/(24.h)": "milligram / day",
    "g/g": "gram / gram",
    "mg/mg": "milligram / milligram",
    "mg/g": "milligram / gram",
    "U/mL": "1 / milliliter",  # enzyme and antigen units, as U/L
    "ug/L": "microgram / liter",
    "ug/mL": "microgram / milliliter",
    "kPa": "kilopascal",
    "Cel": "degree_Celsius",
    "cm3": "centimeter ** 3",
    "mm3": "millimeter ** 3",
    "m[IU]/L": "1e-3 / liter",  # international units counted as numbers, like enzyme units
    "u[IU]/mL": "1e-6 / milliliter",
    "nmol/L": "nanomole / liter",
    "pmol/L": "picomole / liter",
    "ng/L": "nanogram / liter",
    "mm/h": "millimeter / hour",
    "/h": "1 / hour",
    "L": "liter",
    "L/min": "liter / minute",
    "m": "meter",
    "m/s": "meter / second",
    "um": "micrometer",
    "deg": "degree",
    "cm2": "centimeter ** 2",
    "mm2": "millimeter ** 2",
    "fL": "femtoliter",
    "km": "kilometer",
    "g/m2": "gram / meter ** 2",
}

# Calendar units in days: the one rule for windows, durations and ages (registries
# never say which calendar they mean). The matcher reads the same table.
DAYS: dict[str, float] = {"d": 1, "wk": 7, "mo": DAYS_PER_MONTH, "a": DAYS_PER_YEAR, "h": 1 / 24}
_DAYS = DAYS
_ISO = {"d": "D", "wk": "W", "mo": "M", "a": "Y"}


@lru_cache(maxsize=2048)
def ucum_code(written: str | None) -> str | None:
    """The UCUM code for a unit as written in a criterion, or None if not recognised
    (cached: criteria write the same few units)."""
    if not written:
        return None
    text = written.strip()
    if text == "G/L":  # giga per litre, as European labs write cell counts
        return "10*9/L"
    m = _POWER.fullmatch(text)
    if m:
        return _canonical_power(_power_code(m))
    m = _WRITTEN_ANY.fullmatch(text)
    return _WRITTEN_CODES[m.lastgroup] if m and m.lastgroup else None


def _canonical_power(code: str) -> str:
    """10*9/L and 10*3/uL are the same count: keep the forms the model documents."""
    return {"10*3/L": "/mL"}.get(code, code)


def match_unit(text: str, pos: int = 0) -> tuple[str, int] | None:
    """The UCUM code of a unit starting at ``pos`` in ``text`` and where it ends."""
    chunk = text[pos : pos + 40]
    lead = len(chunk) - len(chunk.lstrip())
    chunk = chunk.lstrip()
    if chunk.startswith("G/L"):
        return "10*9/L", pos + lead + 3
    m = _POWER.match(chunk)
    if m:
        return _canonical_power(_power_code(m)), pos + lead + m.end()
    m = _WRITTEN_ANY.match(chunk)
    if m is None:
        return None
    if m.end() > 0 and m.lastgroup:
        return _WRITTEN_CODES[m.lastgroup], pos + lead + m.end()
    for rx, code in _WRITTEN_RE:  # an empty match: the first unit that reads a character
        m = rx.match(chunk)
        if m and m.end() > 0:
            return code, pos + lead + m.end()
    return None


@lru_cache(maxsize=1)
def _registry() -> Any:
    import pint

    return pint.UnitRegistry()


def _quantity(value: float, code: str) -> Any:
    expr = _PINT.get(code) or _power_pint(code)
    if expr is None:
        raise ValueError(f"unknown unit {code!r}")
    ureg = _registry()
    return value * ureg(expr)


def convert(value: float, unit_from: str, unit_to: str, variable: str | None = None) -> float:
    """``value`` in ``unit_from`` expressed in ``unit_to`` (UCUM codes).

    Raises ``ValueError`` when the units cannot be converted (different dimensions and
    no molar mass for ``variable``); relative units (``x ULN``) only convert to themselves.
    Every unit pair here is a pure scale factor except temperatures: the factor is
    worked out by pint once per (from, to, analyte) and reused (pint's parser is slow).
    """
    unit_from = ucum_code(unit_from) or unit_from
    unit_to = ucum_code(unit_to) or unit_to
    if unit_from == unit_to:
        return float(value)
    if "meq/L" in (unit_from, unit_to):
        return _equivalents(float(value), unit_from, unit_to, variable)
    factor = _factor(unit_from, unit_to, variable)
    if isinstance(factor, str):
        raise ValueError(factor)
    if factor is None:  # an offset scale (degrees): no single factor
        return _pint_convert(float(value), unit_from, unit_to, variable)
    return float(value) * factor


# Charge of the ions whose concentrations are written in milliequivalents: "Serum
# potassium ≥ 3.5 mEq/L", "magnesium ≥ 1.2 mEq/L" (1 mEq/L of a divalent ion is 0.5 mmol/L).
# The variable table gives their molar mass; this is the one other fact mEq/L needs.
CHARGE: dict[str, int] = {"potassium": 1, "sodium": 1, "chloride": 1, "bicarbonate": 1, "calcium": 2, "magnesium": 2}


def _equivalents(value: float, unit_from: str, unit_to: str, variable: str | None) -> float:
    """A concentration in mEq/L from or to another unit, through mmol/L and the ion's charge."""
    z = CHARGE.get(variable or "")
    if z is None:
        raise ValueError(f"cannot convert {unit_from} to {unit_to} for {variable or 'this variable'}: no ionic charge")
    if unit_from == "meq/L":
        return convert(value / z, "mmol/L", unit_to, variable)
    return convert(value, unit_from, "mmol/L", variable) * z


@lru_cache(maxsize=1024)
def _factor(unit_from: str, unit_to: str, variable: str | None) -> float | str | None:
    """The scale factor from ``unit_from`` to ``unit_to``; the error message when they do
    not convert; None when the conversion is not a pure scale (it has an offset)."""
    try:
        one = _pint_convert(1.0, unit_from, unit_to, variable)
        zero = _pint_convert(0.0, unit_from, unit_to, variable)
    except Exception as exc:  # noqa: BLE001 - pint raises many types (an angle is no temperature)
        return str(exc)
    return one if zero == 0.0 else None


def compatible(unit_from: str, unit_to: str, variable: str | None = None) -> bool | None:
    """Whether a value in ``unit_from`` can be expressed in ``unit_to`` for ``variable``:
    False when both units are known and measure different things (mL is no cell count),
    None when a unit is unknown here (nothing to say)."""
    a, b = ucum_code(unit_from) or unit_from, ucum_code(unit_to) or unit_to
    if a == b:
        return True
    if not (_PINT.get(a) or _power_pint(a)) or not (_PINT.get(b) or _power_pint(b)) or "U/L" in (a, b) or "U/mL" in (a, b):
        return None
    return not isinstance(_factor(a, b, variable), str)


def _pint_convert(value: float, unit_from: str, unit_to: str, variable: str | None) -> float:
    if "ULN" in unit_from or "ULN" in unit_to or "U/L" in (unit_from, unit_to):
        raise ValueError(f"cannot convert {unit_from} to {unit_to}")
    q = _quantity(value, unit_from)
    target = _quantity(1.0, unit_to)
    if q.dimensionality == target.dimensionality:
        return float(q.to(target.units).magnitude / target.magnitude)
    mm = MOLAR_MASS.get(variable or "")
    if mm:
        ureg = _registry()
        molar = mm * ureg("gram / mole")
        for candidate in (q * molar, q / molar):
            if candidate.dimensionality == target.dimensionality:
                return float(candidate.to(target.units).magnitude / target.magnitude)
    raise ValueError(f"cannot convert {unit_from} to {unit_to} for {variable or 'this variable'}")


def canonical(variable: str, value: float | None, unit: str | None,
              relative_to: str | None = None) -> tuple[float | None, str | None]:
    """``(canonical_value, canonical_unit)`` for a threshold, or ``(None, None)``."""
    if value is None:
        return None, None
    if relative_to:
        return float(value), f"x {relative_to}"
    if variable not in CANONICAL_UNITS:
        return (float(value), unit) if unit else (None, None)
    target = CANONICAL_UNITS[variable]
    if target is None:
        return (float(value), None) if unit is None else (None, None)
    if unit is None:
        return None, None
    if unit in _DAYS and target in _DAYS:
        # Calendar units by the fixed rule (month = 30 days), as windows are.
        return _round(value * _DAYS[unit] / _DAYS[target]), target
    try:
        return _round(convert(value, unit, target, variable)), target
    except (ValueError, Exception):  # noqa: BLE001 - pint raises many types
        return None, None


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def calendar_ratio(unit_from: str, unit_to: str) -> float | None:
    """How many ``unit_to`` one ``unit_from`` is, by the calendar rule above (a year is
    365/30 months), or None for a unit that is no calendar unit."""
    if unit_from not in _DAYS or unit_to not in _DAYS:
        return None
    return _DAYS[unit_from] / _DAYS[unit_to]


def window_days(amount: float, unit: str) -> int:
    """Days in a window: day 1, week 7, month 30, year 365."""
    return int(round(amount * _DAYS.get(unit, 1)))


def iso_duration(amount: float, unit: str) -> str:
    """ISO-8601 duration: 3 months -> ``P3M``, 8 weeks -> ``P8W``, 14 days -> ``P14D``."""
    if unit == "h":
        return f"PT{_num(amount)}H"
    return f"P{_num(amount)}{_ISO.get(unit, 'D')}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# ---------------------------------------------------------------- patient lab values


def normalise_unit(unit: str) -> str:
    """Spellings people type folded to UCUM: '10^9/L' -> '10*9/L', 'µmol/L' -> 'umol/L'."""
    u = unit.strip().replace("µ", "u").replace("μ", "u").replace("^", "*").replace("×", "x")
    u = re.sub(r"\s+", "", u)
    u = re.sub(r"^x?10\*", "10*", u)
    aliases = {"mmhg": "mmHg", "mm[hg]": "mmHg", "cells/ul": "/uL", "cells/mm3": "/mm3", "iu/l": "U/L", "msec": "ms"}
    return aliases.get(u.lower(), u)


# Units patient files are written in that the UCUM codes above do not cover ("K/uL",
# "ukat/L", "{copies}/mL"), by dimension with an exact SI factor to one base per dimension.
# ``lab_convert`` uses them when pint cannot convert.
_UNIT_BASE: dict[str, tuple[str, float]] = {
    # cell counts per volume, base 10*9/L
    "10*9/L": ("count", 1.0), "G/L": ("count", 1.0), "10*3/uL": ("count", 1.0),
    "10*3/mm3": ("count", 1.0), "K/uL": ("count", 1.0), "/uL": ("count", 1e-3),
    "/mm3": ("count", 1e-3), "{cells}/uL": ("count", 1e-3), "/L": ("count", 1e-9),
    "10*6/L": ("count", 1e-3), "10*12/L": ("count", 1e3), "10*6/uL": ("count", 1e3),
    # mass concentration, base g/L
    "g/L": ("mass", 1.0), "g/dL": ("mass", 10.0), "mg/dL": ("mass", 1e-2), "mg/L": ("mass", 1e-3),
    "ug/L": ("mass", 1e-6), "ng/mL": ("mass", 1e-6), "ug/dL": ("mass", 1e-5), "mg/mL": ("mass", 1.0),
    # substance concentration, base mmol/L
    "mmol/L": ("molar", 1.0), "umol/L": ("molar", 1e-3), "nmol/L": ("molar", 1e-6), "mol/L": ("molar", 1e3),
    # catalytic activity, base U/L
    "U/L": ("enzyme", 1.0), "[IU]/L": ("enzyme", 1.0), "ukat/L": ("enzyme", 60.0),
    # others
    "%": ("percent", 1.0), "ms": ("time", 1e-3), "s": ("time", 1.0), "mmHg": ("pressure", 1.0),
    "mm[Hg]": ("pressure", 1.0),
    "mL/min": ("flow", 1.0), "mL/min/{1.73_m2}": ("flow_bsa", 1.0), "mL/min/1.73m2": ("flow_bsa", 1.0),
    "1": ("ratio", 1.0), "{ratio}": ("ratio", 1.0), "{INR}": ("ratio", 1.0),
    "kg": ("kg", 1.0), "kg/m2": ("bmi", 1.0), "/min": ("rate", 1.0), "Cel": ("temp", 1.0),
    "[iU]/mL": ("iu_per_ml", 1.0), "[IU]/mL": ("iu_per_ml", 1.0), "{copies}/mL": ("copies", 1.0),
    "10*6/mL": ("count_ml", 1.0), "/mL": ("count_ml", 1e-6), "g/(24.h)": ("per_day", 1.0), "mg/(24.h)": ("per_day", 1e-3),
    "m[IU]/L": ("miu_per_l", 1.0), "mU/L": ("miu_per_l", 1.0),
    "a": ("days", DAYS["a"]), "mo": ("days", DAYS["mo"]), "wk": ("days", 7.0), "d": ("days", 1.0),
}


def known_unit(unit: str, variable: str | None = None) -> bool:
    """Whether the matcher can read a unit (its own table or the criteria stage's UCUM codes)."""
    if normalise_unit(unit) in _UNIT_BASE:
        return True
    code = ucum_code(unit) or (unit if unit in set(CANONICAL_UNITS.values()) else None)
    return code is not None and code not in ("a", "mo", "wk", "d", "h")


def lab_convert(value: float, unit_from: str | None, unit_to: str | None, variable: str | None = None) -> float | None:
    """A patient's lab ``value`` in ``unit_to`` (the matcher's comparison), or None when the
    two units are not convertible."""
    if unit_from is None or unit_to is None:
        return value if unit_from == unit_to else None
    a, b = normalise_unit(unit_from), normalise_unit(unit_to)
    if a == b:
        return value
    try:
        return float(convert(value, a, b, variable=variable))
    except Exception:  # noqa: BLE001 - pint raises many types; fall back to the local table below
        pass
    if a not in _UNIT_BASE or b not in _UNIT_BASE:
        return None
    (dim_a, fa), (dim_b, fb) = _UNIT_BASE[a], _UNIT_BASE[b]
    if dim_a == dim_b:
        return value * fa / fb
    mm = MOLAR_MASS.get(variable or "")
    if mm and {dim_a, dim_b} == {"mass", "molar"}:
        if dim_a == "mass":  # g/L -> mmol/L
            return value * fa / mm * 1000 / fb
        return value * fa * mm / 1000 / fb
    return None
