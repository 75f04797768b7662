"""Lab values and vital signs (``NumericConstraint``): the patient's value, converted to
the criterion's unit (UCUM, ``criteria/units.py``) or taken as a multiple of ULN/LLN."""

from __future__ import annotations

from trialkg.criteria.units import lab_convert as convert
from trialkg.criteria.units import normalise_unit
from trialkg.match.decide.context import Context, cmp_text, dimensionless
from trialkg.match.graph import Constraint, Criterion
from trialkg.match.logic import Statement, compare, tv_word
from trialkg.match.logic import num as _num
from trialkg.match.patient import LAB_ALIASES, Lab


def variable(k: Constraint) -> str:
    """The constraint's variable by its one name (``criteria/variables.py``)."""
    var = str(k.one("variable") or "")
    var = LAB_ALIASES.get(var, var)
    return "ecog" if var == "ecog_score" else var


def numeric(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    var = variable(k)
    lab = ctx.patient.labs.get(var)
    if lab is None:
        return Statement(None, f"{var or 'value'} unknown")
    relative = k.one("relativeTo")
    if relative:
        return _relative(k, var, lab, str(relative).upper())
    if lab.relative_to:
        return Statement(None, f"{var} given as {lab.describe()}, the criterion needs an absolute value ({cmp_text(k)})")
    return _absolute(k, var, lab)


def _relative(k: Constraint, var: str, lab: Lab, ref: str) -> Statement:
    """A threshold as a multiple of ULN or LLN ("AST <= 2.5 x ULN")."""
    x = lab.multiple_of(ref)
    if x is None:
        return Statement(None, f"{var} {lab.describe()}: no {ref} given to compare with {cmp_text(k)}")
    v = compare(x, k.one("comparator"), k.num("value"), k.num("value2"))
    return Statement(v, f"{var} {_num(round(x, 3))} x {ref} {cmp_text(k)}: {tv_word(v)}")


def _absolute(k: Constraint, var: str, lab: Lab) -> Statement:
    """A threshold in a unit: the patient's value in the criterion's unit, or else in
    the canonical unit the graph also gives (``tkg:canonicalUnit``/``canonicalValue``)."""
    comparator, value, value2 = k.one("comparator"), k.num("value"), k.num("value2")
    unit = None if dimensionless(k.one("unit")) else k.one("unit")
    lab_unit = None if dimensionless(lab.unit) else lab.unit
    x = convert(lab.value, lab_unit, str(unit), var) if unit else (lab.value if lab_unit is None else None)
    if x is None and k.one("canonicalUnit") is not None and k.num("canonicalValue") is not None:
        cu = str(k.one("canonicalUnit"))
        x2 = convert(lab.value, lab.unit, cu, var)
        if x2 is not None:
            # the canonical value carries the threshold; value2 scales with it
            scale = (k.num("canonicalValue") or 0) / value if value else 1.0
            v = compare(x2, comparator, k.num("canonicalValue"), value2 * scale if value2 is not None else None)
            return Statement(v, f"{var} {lab.describe()} = {_num(round(x2, 4))} {cu} {comparator} "
                                f"{_num(k.num('canonicalValue'))} {cu}: {tv_word(v)}")
    if x is None:
        return Statement(None, f"{var} {lab.describe()}: cannot convert to {unit or 'the criterion unit'}")
    v = compare(x, comparator, value, value2)
    conv = f" = {_num(round(x, 4))} {unit}" if unit and lab.unit and normalise_unit(lab.unit) != normalise_unit(str(unit)) else ""
    return Statement(v, f"{var} {lab.describe()}{conv} {cmp_text(k)}: {tv_word(v)}")
