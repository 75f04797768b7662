"""Turn one eligibility item into typed constraints (the criterion JSON, docs/criteria.md).

The rules live in ``criteria/rules/``, one module per constraint type, listed in the
order they run by ``rules.RULES``: first every comparison is found ("≥ 1.5 x 10^9/L",
"18-70 years", "2.5 times the upper limit of normal", "80 or more"), then each one is
bound to what it measures (age, life expectancy, a lab or vital), and the other types
(performance status, prior therapy, disease state ...) have their own rules. Text no
rule understands gives one ``unparsed`` constraint: counted, never dropped, never
guessed. This module runs the rules on an item, adds the criterion's logic
(criteria/logic.py), names its category and memoises readings.

All regexes are linear (no nested unbounded quantifiers) so long inputs stay fast.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from trialkg.criteria import lexicon, logic
from trialkg.criteria.rules import CLAIMS, RULES, Reading, therapy
from trialkg.criteria.rules.numeric import relative_condition as _relative_condition
from trialkg.knowledge import diseases
from trialkg.records import CriterionItem
from trialkg.textgate import Gated

_NEGATION = Gated(
    r"^\W*(?:no|not|none|never|without|absence of|free of|lack of|negative for)\b|"
    r"\b(?:have|has|had|did|do|does|must|should|will|can|could|may)\s+(?:not|never)\b|"
    r"\b(?:haven't|hasn't|hadn't|didn't|don't|doesn't|cannot|can't)\b|"
    r"\bno (?:prior|previous|history|known|active|evidence|current|concurrent|other|significant|serious|major|uncontrolled|symptomatic|clinical)\b|"
    r"\bnot (?:previously|received|been|had|have|undergone)\b|\bnaive\b|\bnaïve\b",
    re.IGNORECASE,
)



# ---------------------------------------------------------------- the item

_CATEGORY_OF_TYPE = {
    "age": "age", "sex": "sex", "performance_status": "performance_status", "prior_therapy": "prior_therapy",
    "histology": "histology", "biomarker": "biomarker", "life_expectancy": "life_expectancy",
    "reproductive": "reproductive", "consent": "consent",
}
# When an item carries several constraint types, the most specific names its category.
_CATEGORY_PRIORITY = [
    "age", "performance_status", "life_expectancy", "lab", "vital", "prior_therapy", "biomarker",
    "histology", "reproductive", "disease_state", "comorbidity", "consent", "sex",
]


def criterion_id(section: str, position: int) -> str:
    """``inc-3`` / ``exc-1``: the section and the 1-based position in it."""
    return f"{'inc' if section == 'inclusion' else 'exc'}-{position}"


def parse_item(item: CriterionItem, trial_id: str | None = None) -> dict[str, Any]:
    """The criterion JSON (docs/criteria.md) for one item (always at least one constraint),
    with its logic (``role``, ``negation_scope``, ``applies_if`` ...: see criteria/logic.py)."""
    text = item.text or ""
    section = item.section
    constraints, negated, cat, keys = _read(text, section, item.context)
    out: dict[str, Any] = {
        "id": criterion_id(section, item.position),
        "section": section,
        "text": text,
        "negated": negated,
        "category": cat,
        "constraints": _copy(constraints) or [{"type": "unparsed", "span": text}],
        "position": item.position,
        "context": item.context,
    }
    out.update(_copy(keys))
    scope = getattr(item, "scope", None)
    if scope:
        out["scope"] = scope
    if trial_id:
        out["trial_id"] = trial_id
    return out


# ---------------------------------------------------------------- the memo
#
# Registries repeat boilerplate items ("Signed informed consent", "ECOG 0-1") across
# thousands of trials, and an item's reading depends only on its text, section and
# header context. Readings are memoised on that key; callers always get their own copy.

_MEMO_SIZE = 32768
_MEMO_MAX_CHARS = 4000  # longer items are rare and rarely repeated: not worth the memory


def _read_fresh(text: str, section: str, context: str | None) -> tuple[list[dict[str, Any]], bool, str, dict[str, Any]]:
    constraints, keys = _criterion_logic(text, section, context)
    subject = [c for c in constraints if c.get("role", "subject") == "subject"] or constraints
    return constraints, bool(_NEGATION.search(text)), _category(subject, text), keys


def _criterion_logic(text: str, section: str, context: str | None,
                     excepted_at: tuple[str, int, int] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The item's constraints (subject, condition and exception ones, each with its
    ``role``) and the criterion's logic keys (``excepted_at``: the tumour exception of the
    item ``text`` is the rest of, see the end)."""
    cl = logic.clauses(text)
    constraints = _parse_text(cl.body, section, context) if cl.condition or cl.body != text else None
    if constraints is None:
        constraints = _parse_text(text, section, context)
        trailing = logic.trailing_condition(text)
        if trailing is not None and not any(c.get("applies_if") for c in constraints):
            body = _parse_text(trailing.body, section, context)
            if body:
                cl, constraints = trailing, body
    scope = logic.negation_scope(cl.body, section)
    keys: dict[str, Any] = {
        "role": logic.role(text, section, scope),
        "negation_scope": scope,
        "strictness": logic.strictness(text),
    }
    if logic.open_alternative(_without(cl.body, logic.except_spans(cl.body, to_sentence_end=True))):
        keys["open_alternative"] = True
    permit = logic.permission_from(cl.body)
    if permit is not None:
        # "Prior use of pazopanib ... Prior therapy with other angiogenesis inhibitors is
        # permitted" (NCT00722293): the later sentence admits, the first excludes; an aside
        # in brackets admits what it names, the words around it keep the item's role.
        start, end = permit
        constraints = _parse_text(cl.body[:start] + cl.body[end:], section, context)
        permitted, cond = _permitted_and_condition(cl.body[start:end].strip().strip("()[]").strip())
        found = [c for c in _parse_text(permitted, section, context) if c["type"] != "drug_mention"]
        bounded = any(c["type"] == "prior_therapy" and (c.get("systemic_only") or "prednisone_dose_min" in c
                                                        or "prednisone_dose_max" in c) for c in constraints)
        if not bounded and not any(c["type"] == "prior_therapy" for c in found):
            # the therapies it admits, its words the cue of their use (therapy.permitted_use);
            # a subject whose bound reads the permitted use already ("Inhaled or topical
            # steroids ... are permitted", NCT03277924: systemic glucocorticoids) needs none
            found += therapy.permitted_use(permitted, section, of_state=any(
                c["type"] == "disease_state" and c.get("role", "subject") == "subject" for c in constraints))
        if not found and cond and _BARE_PERMIT.match(permitted):
            # The condition names whom the permission admits, with the words that qualify
            # them: "Subjects are eligible if CNS metastases are treated and subjects are
            # neurologically returned to baseline" (NCT01642004), "Patients ... are eligible,
            # provided they have been curatively treated" (NCT00375310). A match on what it
            # names shows only that the permission may hold (``qualified``).
            found = [{**c, "qualified": True} for c in _parse_text(cond, section, context)
                     if c["type"] != "drug_mention"]
            cond = None
        qualified = bool(_QUALIFIED_STATE.search(cl.body[start:end]))
        for c in found:
            if qualified and c["type"] == "disease_state":
                c = {**c, "qualified": True}
            constraints.append({**c, "role": "permission",
                                **({"applies_if": cond} if cond and not c.get("applies_if") else {})})
    if keys["role"] == logic.PERMISSION and _limits_only(constraints):
        # A permission resting on a washout or a number of lines is that limit, required:
        # "Prior radiotherapy is permissible, provided at least 4 weeks have elapsed since the
        # last treatment" (NCT00678977), "Prior surgery is allowed if it is performed at least
        # 4 weeks prior to the first dose of study medication" (NCT00473486) keep out a patient
        # treated since; "up to one prior line of checkpoint inhibitor therapy is permitted",
        # "up to 2 prior therapies are allowed" (the Clinical-Trial-Parser test split) one
        # treated more.
        keys["role"] = logic.REQUIREMENT
    logic.alternative_groups(cl.body, constraints)
    logic.defined_states(cl.body, constraints)
    logic.no_style_washouts(cl.body, section, keys["role"], constraints)
    for c in constraints:
        if c.get("applies_if") and "applies_if_facts" not in c:
            facts = logic.condition_facts(str(c["applies_if"]))
            if facts:
                c["applies_if_facts"] = facts
    if cl.condition:
        cond_scope = logic.negation_scope(cl.condition, "inclusion")
        keys["applies_if"] = cl.condition
        keys["applies_if_facts"] = logic.condition_facts(cl.condition)
        keys["applies_if_negated"] = cond_scope == "criterion"
        for c in _condition_constraints(cl.condition):
            constraints.append({**c, "role": "condition"})
    if cl.exception:
        keys["exception"] = cl.exception
        for c in _parse_text(cl.exception, "inclusion", None):
            if c["type"] != "drug_mention":
                constraints.append({**c, "role": "exception"})
    at = excepted_at or logic.tumour_exception_at(text, constraints)
    if at is not None and excepted_at is None and not cl.exception and not _excepts_agents(constraints):
        # The excepted tumours, and what they were treated with, are no subject: "Other
        # malignancies diagnosed within the previous 5 years, except basal cell carcinoma or
        # cervical carcinoma in situ after radical resection" (NCT02589821, NCT02588170) asks
        # for no surgery, "Previous or current cancer ... except cervical cancer in-situ,
        # treated basal cell carcinoma ... or any cancer curatively treated > 3 years prior
        # to study entry" (NCT00473486) for no treatment. The item is read without the
        # clause (its cue to its end), and the clause is the exception.
        rest = (text[: at[1]].rstrip(" ,;(") + " " + text[at[2]:].lstrip(" )]")).strip()
        return _criterion_logic(rest, section, context, at)
    excepted = at[0] if at is not None else None
    if excepted:
        # the tumours a history of another cancer lets through, as one list the matcher
        # reads against the patient's other tumours (logic.tumour_exception_at)
        constraints = [c for c in constraints if not (c.get("role") == "exception" and c["type"] == "histology")]
        constraints.append({"type": "histology", "histology": excepted, "excluded_histology": [], "span": excepted,
                            "role": "exception"})
        keys["exception"] = keys.get("exception") or excepted
    return constraints, keys


def _excepts_agents(constraints: list[dict[str, Any]]) -> bool:
    """Whether a subject prior therapy keeps excepted drugs or classes: the exception is of
    agents ("other anticancer drug(s) from a previous cancer treatment regimen ... (other
    than EGFR TKI)", NCT03599518), which the subject's reading holds."""
    return any(c["type"] == "prior_therapy" and c.get("role", "subject") == "subject"
               and (c.get("except_drugs") or c.get("except_drug_classes")) for c in constraints)


def _limits_only(constraints: list[dict[str, Any]]) -> bool:
    """Whether every subject constraint is a prior therapy with a limit: a washout (a time
    of days or more that must have passed since it) or a maximum number of lines."""
    subject = [c for c in constraints if c.get("role", "subject") == "subject" and c["type"] != "drug_mention"]
    return bool(subject) and all(c["type"] == "prior_therapy" and (
        (c.get("window_kind") == "washout" and (c.get("window_days") or 0) > 0) or c.get("max_lines") is not None)
        for c in subject)


def _condition_constraints(condition: str) -> list[dict[str, Any]]:
    """What a condition names, as constraints. A tumour type names the patients the item
    is for: all the types of the condition ("Primary tumors of bone including Ewing's
    sarcoma, osteosarcoma, ... may only be enrolled if", NCT02636725), also a type no
    cancer word names ("Patients with GBM or anaplastic astrocytoma must be at first or
    second recurrence", NCT02576665; "Patients with liposarcoma must ...")."""
    found = [c for c in _parse_text(condition, "inclusion", None) or _relative_condition(condition)
             if c["type"] != "drug_mention"]
    found = [{**c, "histology": condition} if c["type"] == "histology" and c.get("histology") else c for c in found]
    if not any(c["type"] == "histology" for c in found) and _names_tumour_type(condition):
        found.append({"type": "histology", "histology": condition, "excluded_histology": [], "span": condition})
    return found


def _names_tumour_type(text: str) -> bool:
    r = diseases.resolve(text)
    return bool(r.codes) and not r.generic and not r.codes <= diseases.BROAD


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the given character ranges blanked (an alternative inside an "except
    in patients with ... or patients with ..." clause is no alternative of the item)."""
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return text


# A permitted state the words around it narrow to the patients it admits: "Subjects with
# previously treated brain metastases may participate provided they are stable"
# (NCT02636725), "Patients with treated brain metastases are eligible if they are
# clinically stable" (NCT02691871), "Subjects with clinically inactive brain metastases
# may be included" (NCT03599518), "Patients with controlled atrial fibrillation are not
# excluded" (NCT02164240). The patient file states the state, not these words: the
# permission may hold for a patient with it, never more (``qualified``).
_QUALIFIED_STATE = Gated(
    r"\b(?:treated|stable|stabili[sz]ed|controlled|inactive|"
    r"asymptomatic|resolved|recovered|remission|disease[- ]free|curatively|no\s+evidence|without\s+evidence|"
    r"off\s+(?:steroids|corticosteroids)|not\s+(?:using|requiring)|do(?:es)?\s+not\s+require)\b",
    re.IGNORECASE,
)
# A permission that names no one but by its condition: "Subjects are eligible if ..."
# (NCT01642004), "they may participate provided ...".
_BARE_PERMIT = re.compile(
    r"^\W*(?:(?:such\s+|these\s+|the\s+)?(?:patients?|subjects?|participants?|individuals|they)\s+)?"
    r"(?:are|is|will\s+be|may\s+be|can\s+be|may|can)\s+(?:also\s+)?"
    r"(?:eligible|allowed|permitted|included|enrolled|participate|acceptable)\W*$", re.IGNORECASE)
# "... are eligible if ...", "... is permitted provided that ...": what a permission rests on
_PERMIT_IF = Gated(r"\b(?:if|provided(?:\s+that)?|as\s+long\s+as|when|only\s+if)\s+(?P<cond>.{3,})$", re.IGNORECASE | re.DOTALL)
# The condition first: "( if the participant is receiving atazanavir , a total bilirubin of
# ≤ 3 x uln is acceptable )" (the Clinical-Trial-Parser test split), "for patients with
# liver metastases, AST ≤ 5 x ULN is allowed".
_PERMIT_IF_FIRST = re.compile(r"^(?:if|when|provided(?:\s+that)?|for)\s+(?P<cond>[^,;]{3,}?)\s*,\s*(?P<body>.{3,})$",
                              re.IGNORECASE | re.DOTALL)


# A permission resting on an absence: "Inhaled or topical steroids and adrenal replacement
# doses > 10 mg daily prednisone equivalents are permitted in the absence of active
# autoimmune disease" (NCT03277924; the Clinical-Trial-Parser test split words it so too):
# the condition is "no active autoimmune disease", never a thing the permission admits.
_PERMIT_ABSENT = Gated(r"\bin\s+the\s+absence\s+of\s+(?P<cond>.{3,})$", re.IGNORECASE | re.DOTALL)


def _permitted_and_condition(permitted: str) -> tuple[str, str | None]:
    """What a permission admits and what it rests on ("ECOG PS 2 patients are eligible if
    the PS 2 depends solely on ...", NCT01804374: the condition stays with its constraints)."""
    absent = _PERMIT_ABSENT.search(permitted)
    if absent and permitted[: absent.start()].strip():
        return permitted[: absent.start()], "no " + absent.group("cond").strip().rstrip(".")
    first = _PERMIT_IF_FIRST.match(permitted)
    if first:
        return first.group("body"), first.group("cond").strip()
    cond = _PERMIT_IF.search(permitted)
    if cond and permitted[: cond.start()].strip():
        return permitted[: cond.start()], cond.group("cond").strip()
    return permitted, None

_memo = lru_cache(maxsize=_MEMO_SIZE)(_read_fresh)


def _read(text: str, section: str, context: str | None) -> tuple[list[dict[str, Any]], bool, str, dict[str, Any]]:
    """(constraints, negated, category, logic keys) of an item; shared, never to be mutated."""
    if _memo is None or len(text) > _MEMO_MAX_CHARS:
        return _read_fresh(text, section, context)
    return _memo(text, section, context)


def set_parse_cache(size: int = _MEMO_SIZE) -> None:
    """Resize (and empty) the item memo; ``0`` turns it off (benchmarks measure both)."""
    global _memo
    _memo = lru_cache(maxsize=size)(_read_fresh) if size > 0 else None


def parse_cache_info() -> Any:
    """``functools`` cache statistics of the item memo (hits, misses, size), or None."""
    return _memo.cache_info() if _memo is not None else None


def _copy(value: Any) -> Any:
    """A deep copy of constraint JSON (dicts, lists, scalars): cheaper than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def parse_text(text: str, section: str = "inclusion", context: str | None = None) -> list[dict[str, Any]]:
    """The constraints of one item's text (empty when no rule understands it)."""
    return _copy(_read(text, section, context)[0])




def _parse_text(text: str, section: str, context: str | None) -> list[dict[str, Any]]:
    """``parse_text`` without the memo: every rule, in order (``rules.RULES``)."""
    if not text.strip():
        return []
    if len(text) > 20000:
        text = text[:20000]  # one "item" this long is a splitting failure; keep it bounded
    reading = Reading(text, section, context)
    for claim in CLAIMS:
        claim(reading)
    for _family, rule in RULES:
        reading.found += rule(reading)
    return reading.found


def _category(constraints: list[dict[str, Any]], text: str) -> str:
    cats = []
    for c in constraints:
        t = c["type"]
        if t == "numeric":
            cats.append("vital" if c.get("variable") in lexicon.VITALS else "lab")
        elif t == "disease_state":
            cats.append("comorbidity" if c.get("comorbidity") else "disease_state")
        elif t in _CATEGORY_OF_TYPE:
            cats.append(_CATEGORY_OF_TYPE[t])
    for p in _CATEGORY_PRIORITY:
        if p in cats:
            return p
    return "other"
