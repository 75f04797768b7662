"""Ordinal scales other than performance status (``NumericConstraint`` on a variable
whose table row lists scale values or whose family is ``scale``: NYHA class, Gleason
score, ASA class, MMSE, CDR): the patient's value on the scale, compared without units."""

from __future__ import annotations

from trialkg.criteria import variables
from trialkg.match.decide import labs
from trialkg.match.decide.context import Context, cmp_text, dimensionless
from trialkg.match.graph import Constraint, Criterion
from trialkg.match.logic import Statement, compare, tv_word


def is_scale(k: Constraint) -> bool:
    """A numeric constraint on an ordinal scale (``variables.tsv``: family ``scale`` or scale values)."""
    row = variables.table().get(labs.variable(k))
    return row is not None and row.family != "performance" and (row.family == "scale" or bool(row.scale))


def scale(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    var = labs.variable(k)
    value = ctx.patient.labs.get(var)
    if value is None:
        return Statement(None, f"{var} unknown")
    if value.relative_to or not dimensionless(value.unit) or k.one("relativeTo") or not dimensionless(k.one("unit")):
        return labs.numeric(k, ctx, wants_true, crit)  # a unit on either side: a measurement after all
    v = compare(value.value, k.one("comparator"), k.num("value"), k.num("value2"))
    return Statement(v, f"{var} {value.describe()} {cmp_text(k)}: {tv_word(v)}")
