"""Age and life expectancy (``AgeConstraint``, ``LifeExpectancyConstraint``): the
patient's years (whole years, as registries count them) or months against the bound,
in the criterion's calendar unit."""

from __future__ import annotations

import math

from trialkg.criteria import units as crit_units
from trialkg.criteria.units import normalise_unit
from trialkg.match.decide.context import Context, cmp_text
from trialkg.match.graph import Constraint, Criterion
from trialkg.match.logic import Statement, compare, tv_word
from trialkg.match.logic import num as _num


def age(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    years = ctx.patient.age_years
    if years is None:
        return Statement(None, "age unknown")
    unit = normalise_unit(str(k.one("unit") or "a"))
    per_year = crit_units.calendar_ratio("a", unit) or 1.0
    x = math.floor(years * per_year)
    v = compare(x, k.one("comparator"), k.num("value"), k.num("value2"))
    return Statement(v, f"age {_num(years)} {cmp_text(k)}: {tv_word(v)}")


def life_expectancy(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    months = ctx.patient.life_expectancy_months
    if months is None:
        return Statement(None, "life expectancy unknown")
    unit = normalise_unit(str(k.one("unit") or "mo"))
    factor = crit_units.calendar_ratio(unit, "mo")
    if factor is None:
        return Statement(None, f"life expectancy unit {unit} unknown")
    value, value2 = k.num("value"), k.num("value2")
    v = compare(months, k.one("comparator"), value * factor if value is not None else None,
                value2 * factor if value2 is not None else None)
    return Statement(v, f"life expectancy {_num(months)} months {cmp_text(k)}: {tv_word(v)}")
