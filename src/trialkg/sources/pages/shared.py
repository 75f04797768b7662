"""What the page layouts share: a new record, the single-arm rule, enrolment counts,
yes/no answers, addresses and contact lines."""

from __future__ import annotations

import re

from trialkg.records import Contact, Provenance, TrialRecord
from trialkg.sources._common import derived_id

PARTICIPANTS = re.compile(r"^([0-9][0-9,]*)\s+participants?\b", re.IGNORECASE | re.ASCII)


def link_single_arm(rec: TrialRecord) -> None:
    """A page's only arm receives every intervention (one group: everyone gets them)."""
    if len(rec.arms) == 1 and not rec.arms[0].intervention_names:
        label = rec.arms[0].label
        for iv in rec.interventions:
            if label not in iv.arm_labels:
                iv.arm_labels.append(label)


def new_record(nct: str | None, text: str, prov: Provenance) -> TrialRecord:
    if nct is None:
        return TrialRecord(id=derived_id(text), nct_id=None, provenance=prov)
    return TrialRecord(id=nct, nct_id=nct, provenance=prov)


def yes_no(s: str | None) -> bool | None:
    if s is None:
        return None
    return {"yes": True, "no": False, "accepts healthy volunteers": True}.get(s.strip().lower())


def address(text: str) -> tuple[str | None, str | None, str | None, str | None]:
    """"City, State, Country[, Zip]" -> (city, state, zip, country)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    zip_ = None
    if parts and re.fullmatch(r"[\dA-Z][\dA-Z -]{2,9}", parts[-1]) and any(c.isdigit() for c in parts[-1]):
        zip_ = parts.pop()
    if len(parts) >= 2 and re.fullmatch(r"\d[\d -]{2,9}", parts[-2]):
        zip_ = parts.pop(-2)
    if not parts:
        return None, None, zip_, None
    country = parts[-1] if len(parts) >= 2 else None
    city = parts[0]
    state = ", ".join(parts[1:-1]) or None if len(parts) >= 3 else None
    return city, state, zip_, country



PHONE = re.compile(r"^(?:Phone:\s*)?(\+?[\d][\d\s().\-/ext]{4,})$")


def contacts(lines: list[str]) -> list[Contact]:
    out: list[Contact] = []
    for ln in lines:
        if m := re.match(r"^Role:\s*(\S+)$", ln):
            if out:
                out[-1].role = m.group(1)
        elif (m := PHONE.match(ln)) and out:
            out[-1].phone = m.group(1).strip()
        elif ln.startswith("Email:") and out:
            email = ln.split(":", 1)[1].strip()
            out[-1].email = email if "@" in email and "protected" not in email else None
        elif "@" in ln and " " not in ln and out:
            out[-1].email = ln
        else:
            out.append(Contact(name=ln))
    return out
