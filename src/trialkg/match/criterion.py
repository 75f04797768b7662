"""A criterion's outcome from its facts: role, condition, exception, alternatives,
strictness and scope (criteria/logic.py writes them; docs/criteria.md lists them).

* the role says what the criterion wants of its subject constraints: a requirement
  wants them true, an exclusion states what keeps a patient out, a permission admits
  what it names and never excludes, information is no criterion (``n/a``);
* a condition (``tkg:appliesIf``, ``tkg:conditionFact``, constraints with the role
  ``condition``) that does not hold makes the criterion ``n/a``; one not known keeps
  it from excluding;
* an exception, a later sentence's permission, an open alternative or a preference
  keeps an unmet criterion from deciding;
* a later step (``tkg:entryCriterion false``: on study, stage 2) is no entry criterion;
* requirements of one ``tkg:alternativeSet`` and criteria of different parts
  (``tkg:scopeKind`` part) are judged together, after each criterion on its own.
"""

from __future__ import annotations

from typing import Any

from trialkg.match.decide import disease
from trialkg.match.decide.context import Context
from trialkg.match.decide.registry import evaluate
from trialkg.match.graph import Constraint, Criterion
from trialkg.match.logic import TV, Outcome, Statement, tv_and, tv_not, tv_or
from trialkg.match.results import Reason

# Constraint types that carry no statement about the patient.
NO_STATEMENT = ("unparsed", "drug_mention")

# Why no patient-file fact decides a criterion (``tkg:undecidableReason``, the values of
# criteria/topics.py), in words: what ``trialkg match`` (JSON, table) and the match page
# print after the reason's key.
UNDECIDABLE_WHY = {
    "administrative": "a fact about the person's situation (consent, willingness, logistics, residence, "
                      "insurance, the recruiting site), not about their health",
    "investigator_judgement": "the investigator's judgement decides it",
    "needs_record": "a clinical fact the patient file has no field for (a procedure, a symptom or finding, "
                    "a medication outside the drug table, other-study participation, substance use)",
    "not_stated": "the limits are defined elsewhere (the protocol), not in the criterion",
    "on_study": "a rule for the time after enrolment, not an entry criterion",
}


def undecidable_why(reason: str, topic: str | None = None) -> str:
    """``needs_record (procedure): a clinical fact ...``: the reason, its topic, what it means."""
    words = UNDECIDABLE_WHY.get(reason, "no patient-file fact decides it")
    return f"{reason}{f' ({topic})' if topic else ''}: {words} (tkg:undecidableReason)"


def judge(crit: Criterion, ctx: Context) -> Reason:
    """A criterion's outcome: met / unmet (counts against the patient) / unknown / n/a."""
    def reason(outcome: Outcome, why: str) -> Reason:
        return Reason(crit.id, crit.text, outcome, crit.section, why,
                      crit.undecidable if outcome in ("unknown", "n/a") else None)

    if crit.role == "information":
        also = f"; {undecidable_why(crit.undecidable, crit.topic)}" if crit.undecidable else ""
        return reason("n/a", f"information, no criterion (tkg:criterionRole tkg:Information){also}")
    if not crit.entry:
        if crit.undecidable == "on_study":
            return reason("n/a", f"{undecidable_why(crit.undecidable, crit.topic)}; tkg:entryCriterion false")
        step = f"{crit.scope}: a later step" if crit.scope else "a later step"
        return reason("n/a", f"{step}, not an entry criterion (tkg:entryCriterion false)")
    subject = [k for k in crit.constraints if k.role == "subject" and k.type not in NO_STATEMENT]
    if not subject and crit.role == "permission":  # "Previous therapy with antiangiogenics is allowed"
        return reason("n/a", "permission: admits what it names, never excludes (no constraint read)")
    if not subject:
        if crit.undecidable:
            return reason("unknown", f"no patient-file fact decides it: {undecidable_why(crit.undecidable, crit.topic)}")
        return reason("unknown", "no rule understood this criterion")
    condition = condition_holds(crit, ctx)
    if condition is False:
        return reason("n/a", f"applies if {crit.applies_if}: no")
    wants_true = crit.role != "exclusion"
    statements = _statements(crit, subject, wants_true, ctx)
    value = combine(statements, wants_true)
    why = "; ".join(s.why for s in statements)
    if crit.negation_scope == "criterion":
        why = f"negated: {why}"
    if crit.role == "permission":  # admits what it names, never excludes
        return reason("met" if value is True else "n/a", f"permission: {why}")
    outcome: Outcome = "unknown" if value is None else ("met" if value == wants_true else "unmet")
    if condition is None and crit.applies_if:
        why += f" [applies if {crit.applies_if}: unknown]"
        outcome = "unknown" if outcome == "unmet" else outcome
    elif crit.applies_if:
        why += f" [applies if {crit.applies_if}: yes]"
    if outcome == "unmet":
        outcome, why = _unmet_softened(crit, why, ctx)
    return reason(outcome, why)


def _unmet_softened(crit: Criterion, why: str, ctx: Context) -> tuple[Outcome, str]:
    """An unmet outcome the criterion's own facts keep from deciding."""
    exception = [k for k in crit.constraints if k.role == "exception" and k.type != "unparsed"]
    excepted_tumours = [k for k in exception if k.type == "histology"] if disease.about_other_malignancy(crit) else []
    if excepted_tumours:
        # "No other malignancy ... except basal cell carcinoma": the exception is read
        # against the patient's other tumours (disease.other_tumour_excepted)
        exception = excepted_tumours
    if crit.exception:
        ev = tv_and((disease.other_tumour_excepted(k, ctx) if excepted_tumours else evaluate(k, ctx)).value
                    for k in exception) if exception else None
        if ev is True:
            return "n/a", f"{why}; the exception holds: {crit.exception}"
        if ev is None:
            return "unknown", f"{why}; the exception ({crit.exception}) may hold"
    permits = [k for k in crit.constraints if k.role == "permission" and k.type not in NO_STATEMENT]
    if permits and not _named_drug_hit(crit, ctx):
        stated = [(evaluate(k, ctx, True), bool(k.one("qualified"))) for k in permits]
        # a qualified permission ("Subjects are eligible if CNS metastases are treated and
        # ...", NCT01642004) that names the patient may hold: the qualifier is not known
        pv = tv_and((None if qualified and st.value is True else st.value)
                    if st.condition is None or st.condition_value is True else
                    (None if st.value is not False else False) for st, qualified in stated)
        if pv is True:
            return "n/a", f"{why}; a later sentence permits it and holds"
        if pv is None:
            return "unknown", f"{why}; a later sentence permits some patients (constraint role permission)"
    if crit.open_alternative and crit.section == "inclusion":
        return "unknown", f"{why}; the text offers an alternative that no constraint captures (tkg:openAlternative)"
    if crit.strictness == "preferred":
        return "unknown", f"{why}; a preference, not a requirement (tkg:strictness)"
    return "unmet", why


def _named_drug_hit(crit: Criterion, ctx: Context) -> bool:
    """Whether a drug the criterion names as its subject is one the patient had: a later
    sentence permitting "other" drugs of its class does not lift that ("Prior use of
    pazopanib ... Prior therapy with other angiogenesis inhibitors is permitted",
    NCT00722293; "Prior therapy with axitinib. Patients are permitted to have received
    prior TKI therapy", NCT02636725)."""
    named = {str(d) for k in crit.constraints if k.role == "subject" for d in k.all("priorDrug")}
    return any(named & set(t_drugs) for _t, t_drugs, _c in ctx.therapies)


def condition_holds(crit: Criterion, ctx: Context) -> TV:
    """Does the criterion's condition hold for the patient? True without a condition."""
    if not crit.applies_if:
        return True
    values: list[TV] = [ctx.fact(fact) for fact in crit.condition_facts]
    if any(v is True for v in values):
        value: TV = True
    elif values and all(v is False for v in values):
        value = False
    else:
        cons = [k for k in crit.constraints if k.role == "condition" and k.type not in NO_STATEMENT]
        held = [_condition_value(k, ctx) for k in cons]
        value = tv_and(held) if cons else None
        admits = crit.section == "inclusion" and crit.role == "requirement" and crit.negation_scope != "criterion"
        if admits and any(v is True and k.type == "histology" for k, v in zip(cons, held, strict=True)):
            # a stratum ("Primary tumors of bone including ... osteosarcoma ... may only be
            # enrolled if ...", NCT02636725; "Patients with GBM or anaplastic astrocytoma must
            # be at first or second recurrence", NCT02576665): the criterion places the
            # patient's type within, as an inclusion histology does; a negated one ("No prior
            # tyrosine kinase inhibitor ... for patients with metastatic renal cell carcinoma",
            # NCT00357318) admits no one
            ctx.histology_seen.setdefault(True, set()).add(crit.id)
        if values and value is not True:
            value = None
    return tv_not(value) if crit.condition_negated else value


def _condition_value(k: Constraint, ctx: Context) -> TV:
    """A condition constraint for this patient; a histology condition through the disease table."""
    if k.type == "histology" and k.all("histology") and ctx.patient.conditions is not None:
        return disease.histology_condition(k, ctx)
    return evaluate(k, ctx).value


def _statements(crit: Criterion, subject: list[Constraint], wants_true: bool, ctx: Context) -> list[Statement]:
    plain_requirement = crit.role in ("requirement", "permission") and crit.negation_scope != "criterion"
    plain_exclusion = crit.role == "exclusion" and crit.negation_scope != "criterion"
    statements = []
    for k in subject:
        # A bad state (comorbidity, CNS metastases) in a plain requirement is a call
        # for its absence ("HIV negative", "adequate renal function").
        absent = (plain_requirement and k.one("required") is False) or (wants_true and disease.is_bad_state(k))
        st = evaluate(k, ctx, wants_true, absent_wanted=absent, crit=crit)
        if plain_exclusion and disease.is_good_state(k) and len(subject) > 1:
            continue  # "known metastatic brain tumours": 'metastatic' is incidental
        if plain_exclusion and disease.is_good_state(k) and st.value is True:
            st = Statement(None, f"{st.why} (a state trials require, named in an exclusion)")
        if st.neutral:
            st = Statement(wants_true, st.why, group=st.group)
        st.alternative = k.alternative
        statements.append(st)
    return statements


def combine(statements: list[Statement], wants_true: bool) -> TV:
    """Requirements must all hold, an exclusion's statements exclude if any holds;
    constraints of one ``tkg:alternativeGroup`` are joined by 'or'.

    Constraints that differ only by ``applies_if`` (ECOG 0-1, 0-2 for amputees;
    AST <= 2.5 x ULN, <= 5 x ULN with liver metastases) override each other: the
    conditional one decides for patients meeting the condition.
    """
    if not statements:
        return None
    if wants_true and any(s.alternative is not None for s in statements):
        alts: dict[Any, list[TV]] = {}
        for i, s in enumerate(statements):
            alts.setdefault(s.alternative if s.alternative is not None else f"own-{i}", []).append(s.value)
        return tv_and(tv_or(values) for values in alts.values())
    groups: dict[str, list[Statement]] = {}
    for s in statements:
        groups.setdefault(s.group, []).append(s)
    values = [_group_value(g, wants_true) for g in groups.values()]
    return tv_and(values) if wants_true else tv_or(values)


def _group_value(stmts: list[Statement], wants_true: bool) -> TV:
    join = tv_and if wants_true else tv_or
    plain = [s for s in stmts if s.condition is None]
    cond = [s for s in stmts if s.condition is not None]
    if not cond:
        return join(s.value for s in plain)
    if not plain:
        # only conditional: "if condition then statement"
        if wants_true:
            return tv_and(tv_or([tv_not(s.condition_value), s.value]) for s in cond)
        return tv_or(tv_and([s.condition_value, s.value]) for s in cond)
    base = join(s.value for s in plain)
    applying = [s for s in cond if s.condition_value is True]
    if applying:
        return join(s.value for s in applying)
    if all(s.condition_value is False for s in cond):
        return base
    # condition unknown: decided only when both readings agree
    alt = join(s.value for s in cond if s.condition_value is None)
    return base if base == alt else None
