"""Sex, reproduction and consent (``SexConstraint``, ``ReproductiveConstraint``,
``ConsentConstraint``)."""

from __future__ import annotations

import re

from trialkg.match.decide.context import Context
from trialkg.match.graph import Constraint, Criterion
from trialkg.match.logic import Statement, tv_not, tv_word


def sex(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    wanted = {str(v).upper() for v in k.all("value") + k.all("sex") if v is not None}
    if not wanted:
        span = str(k.one("span") or "").lower()
        if re.search(r"\b(women|female|females|woman)\b", span):
            wanted.add("FEMALE")
        if re.search(r"\b(men|male|males|man)\b", span):
            wanted.add("MALE")
    wanted = {"FEMALE" if w.startswith("F") else "MALE" if w.startswith("M") else w for w in wanted}
    if "ALL" in wanted:
        return Statement(True, "sex: any", neutral=True)
    if not wanted:
        return Statement(None, "sex: not stated")
    if ctx.patient.sex is None:
        return Statement(None, "sex unknown")
    v = ctx.patient.sex in wanted
    return Statement(v, f"sex {ctx.patient.sex} in {{{', '.join(sorted(wanted))}}}: {tv_word(v)}")


# The reproductive topics: patient flag, word stems, whether the flag is the good side.
_TOPICS = (("pregnant", ("pregnan",), False),
           ("breastfeeding", ("breastfeed", "breast-feed", "breast feed", "lactat", "nursing"), False),
           ("contraception", ("contracept",), True))


def reproductive(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    """Pregnancy and breastfeeding always count against, contraception for the patient.

    The parser names the topic ("pregnancy") whichever section it is in, so an
    inclusion ("negative pregnancy test") states its good side and an exclusion
    ("pregnant women") its bad side.
    """
    state = str(k.one("state") or k.one("variable") or "").lower()
    text = state or str(k.one("span") or "").lower()
    for flag, stems, good in _TOPICS:
        if any(stem in text for stem in stems):
            value = ctx.patient.flag(flag)
            if value is None and ctx.patient.sex == "MALE" and flag != "contraception":
                value = False
            stated = value if good == wants_true else tv_not(value)
            return Statement(stated, f"{flag}: {tv_word(value)}")
    return Statement(None, f"{state or 'reproductive'}: not decidable from the patient file")


def consent(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    """Willingness to consent is the good side in either section."""
    value = ctx.patient.flag("consent")
    return Statement(value if wants_true else tv_not(value), f"informed consent: {tv_word(value)}")
