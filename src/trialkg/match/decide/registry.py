"""The one table of decisions: constraint type -> the function that decides it.

Each decision takes ``(constraint, context, wants_true, criterion)`` and returns a
``Statement``: does what the constraint states hold for this patient (true, false,
unknown) and why. ``wants_true`` is the side the criterion asks for (a requirement
wants its statements true, an exclusion states what keeps a patient out); ``criterion``
gives a decision the criterion's section and text when it needs them (histology).
A constraint type missing here is not decidable from a patient file (unparsed text,
drug mentions given as context).
"""

from __future__ import annotations

from collections.abc import Callable

from trialkg.match.decide import age, biomarkers, disease, labs, performance, scales, sex, therapy
from trialkg.match.decide.context import Context
from trialkg.match.graph import Constraint, Criterion
from trialkg.match.logic import Statement, tv_not, tv_or, tv_word

Decision = Callable[[Constraint, Context, bool, "Criterion | None"], Statement]

DECISIONS: dict[str, Decision] = {
    "numeric": labs.numeric,  # lab values and vital signs, in UCUM or x ULN/LLN
    "scale": scales.scale,  # other ordinal scales: NYHA, Gleason, ASA, MMSE (numeric on a scale variable)
    "age": age.age,
    "life_expectancy": age.life_expectancy,
    "performance_status": performance.performance,  # ECOG, Karnofsky
    "prior_therapy": therapy.prior_therapy,  # drugs, classes, windows, washouts, exposure limits
    "histology": disease.histology,  # the disease table: types, families, closed lists
    "disease_state": disease.disease_state,  # states and comorbidities as patient flags
    "biomarker": biomarkers.biomarker,  # genes as HGNC symbols, variants, status
    "sex": sex.sex,
    "reproductive": sex.reproductive,  # pregnancy, breastfeeding, contraception
    "consent": sex.consent,
}


def decision_kind(k: Constraint) -> str:
    """The registry key of a constraint: its type, ``scale`` for a numeric one on a scale."""
    kind = k.type
    return "scale" if kind == "numeric" and scales.is_scale(k) else kind


def evaluate(k: Constraint, ctx: Context, wants_true: bool = True, absent_wanted: bool = False,
             crit: Criterion | None = None) -> Statement:
    """The constraint decided for the patient, with its own condition (``tkg:appliesIf``)."""
    decide = DECISIONS.get(decision_kind(k))
    if decide is None:
        st = Statement(None, f"{k.type}: not decidable from a patient file")
    else:
        st = decide(k, ctx, wants_true, crit)
    if absent_wanted:
        st = Statement(tv_not(st.value), f"absent: {st.why}")
    cond = k.one("appliesIf")
    if cond:
        st.condition = str(cond)
        facts = [str(f) for f in k.all("conditionFact")]
        st.condition_value = tv_or(ctx.fact(f) for f in facts) if facts else ctx.applies(str(cond))
        st.why = f"{st.why} [applies if {cond}: {tv_word(st.condition_value)}]"
    st.group = f"{k.type}:{k.one('variable') or ''}"
    return st
