"""Sex, reproductive status, consent and participation in other studies."""

from __future__ import annotations

import re
from typing import Any

from trialkg.criteria import lexicon
from trialkg.criteria.rules.reading import Reading
from trialkg.textgate import Gated

_REPRO_WORD = re.compile(r"childbearing|child-bearing|pregnan|contracept|partner", re.I)
_REPRO = [
    ("pregnancy", Gated(r"pregnan\w*", re.I)),
    ("breastfeeding", Gated(r"breast[- ]?feed\w*|lactat\w*|nursing", re.I)),
    ("contraception", Gated(r"contracept\w*|birth control|sterili[sz]\w*|childbearing|child-bearing|fertile|abstinence", re.I)),
]
_CONSENT = Gated(
    r"informed consent|consent form|sign(?:ed)? (?:the )?consent|willing(?:ness)? (?:and able )?to (?:comply|participate|follow|undergo)|"
    r"able to (?:comply|understand)|compliance|comply with|legal(?:ly)? (?:authori[sz]ed )?representative|signed consent|voluntar\w* (?:join|particip|sign)",
    re.IGNORECASE,
)
_SEX_ALL = Gated(r"\b(?:male|men)\s*(?:or|and|/|&)\s*(?:female|women)\b|\b(?:female|women)\s*(?:or|and|/|&)\s*(?:male|men)\b|regardless of (?:gender|sex)|both (?:sexes|genders)|either (?:sex|gender)", re.I)
_SEX_ONE = Gated(r"^\W*(?:(?:adult|postmenopausal|premenopausal|pre- or postmenopausal)\s+)?(?P<sex>female|women|woman|male|men|man)\b(?!\s*(?:or|and|/)\s*(?:fe)?male)", re.I)
_PARTICIPATION = Gated(lexicon.PARTICIPATION, re.IGNORECASE)


def read_reproductive(r: Reading) -> list[dict[str, Any]]:
    """Pregnancy, breastfeeding and contraception, each named once."""
    out = []
    for key, rx in _REPRO:
        m = rx.search(r.text)
        if m:
            out.append({"type": "reproductive", "state": key, "span": m.group(0)})
    return out


def read_sex(r: Reading) -> list[dict[str, Any]]:
    """The sex an item admits: both ("male or female"), or one when the item opens with it
    ("Women aged 18 or older"); not in a reproductive clause ("women of childbearing
    potential")."""
    text = r.text
    m = _SEX_ALL.search(text)
    if m:
        return [{"type": "sex", "sex": "ALL", "span": m.group(0)}]
    m = _SEX_ONE.search(text)
    if m and not _REPRO_WORD.search(text):
        s = m.group("sex").lower()
        return [{"type": "sex", "sex": "FEMALE" if s.startswith(("f", "w")) else "MALE", "span": m.group(0).strip()}]
    return []


def read_consent(r: Reading) -> list[dict[str, Any]]:
    """Informed consent and compliance: "Signed informed consent", "willing to comply"."""
    m = _CONSENT.search(r.text)
    return [{"type": "consent", "required": True, "span": m.group(0)}] if m else []


def read_participation(r: Reading) -> list[dict[str, Any]]:
    """Participation in other studies, for an item no other rule read."""
    p = None if r.found else _PARTICIPATION.search(r.text)
    if not p:
        return []
    return [{"type": "consent", "required": r.section == "inclusion", "aspect": "participation", "span": p.group(0)}]
