"""``page-aggregator``: a third-party listing that lost its NCT id, title and
intervention list; it gets a content-derived id (the normalise stage infers its
interventions from the drugs its text names)."""

from __future__ import annotations

import re

from trialkg.records import Arm, Provenance, TrialRecord
from trialkg.sources._common import NCT_IN_TEXT
from trialkg.sources.dates import parse_age
from trialkg.sources.enums import lookup, normalise_phases
from trialkg.sources.guards import parse_count
from trialkg.sources.pages.shared import PARTICIPANTS, contacts, new_record

# "70 participants in 1 patient group", "120 participants in 2 patient groups" (aggregator pages)
_GROUPS = re.compile(r"\bparticipants?\s+in\s+([0-9]+)\s+(?:patient\s+)?groups?\b", re.IGNORECASE | re.ASCII)

_AGG_HEADINGS = {
    "status and phase": "status", "conditions": "conditions", "treatments": "treatments",
    "about": "about", "full description": "description", "enrollment": "enrollment", "sex": "sex",
    "ages": "ages", "volunteers": "volunteers", "inclusion criteria": "inclusion",
    "exclusion criteria": "exclusion", "primary purpose": "primary_purpose",
    "allocation": "allocation", "interventional model": "intervention_model", "masking": "masking",
    "central trial contact": "contact", "loading...": "end", "data sourced from clinicaltrials.gov": "end",
    "trial design": "design", "trial contacts and locations": "locations",
}


def _aggregator_groups(rec: TrialRecord, count: int) -> None:
    """The page gives only the number of patient groups: one unnamed arm per group."""
    if count < 1 or count > 50:
        rec.warn("arms", f"{count} patient groups: not a plausible number of arms; none recorded", code="arms-count")
        return
    for n in range(1, count + 1):
        rec.arms.append(Arm(label=f"Patient group {n}", description="the page names no group; the count comes from "
                                        f"'participants in {count} patient group{'s' if count > 1 else ''}'"))


def parse(text: str, prov: Provenance) -> TrialRecord:
    ncts = NCT_IN_TEXT.findall(text)
    nct = ncts[0] if ncts and len(set(ncts)) == 1 else None
    rec = new_record(nct, text, prov)
    sections = _sections(text)
    pre = sections.get("preamble", [])
    rec.brief_title = pre[0] if pre else None
    for ln in sections.get("status", []):
        rec.status = rec.status or lookup("status", ln)
        if lookup("status", ln) is None:
            rec.phases.extend(p for p in normalise_phases(ln, rec) if p not in rec.phases)
    rec.conditions = list(sections.get("conditions", []))
    rec.brief_summary = "\n\n".join(sections.get("about", [])) or None
    rec.detailed_description = "\n\n".join(sections.get("description", [])) or None
    for ln in sections.get("enrollment", []) + sections.get("end", []) + sections.get("masking", []):
        m = PARTICIPANTS.match(ln)
        if m and rec.enrollment is None:
            rec.enrollment = parse_count(m.group(1), rec, "enrollment")
        g = _GROUPS.search(ln)
        if g and not rec.arms:
            _aggregator_groups(rec, int(g.group(1)))
    for key in ("primary_purpose", "allocation", "intervention_model", "masking"):
        for ln in sections.get(key, []):
            value = lookup(key, ln)
            if value:
                setattr(rec.design, key, value)
    _eligibility(rec, sections)
    contact = sections.get("contact", [])
    if contact:
        rec.central_contacts = contacts(contact)
    return rec


def _sections(text: str) -> dict[str, list[str]]:
    """The page's non-blank lines under each heading of ``_AGG_HEADINGS`` (before the
    first heading: ``preamble``)."""
    sections: dict[str, list[str]] = {}
    current = sections.setdefault("preamble", [])
    for ln in (x.strip() for x in text.split("\n")):
        if not ln:
            continue
        key = _AGG_HEADINGS.get(ln.lower())
        if key:
            current = sections.setdefault(key, [])
            continue
        current.append(ln)
    return sections


def _eligibility(rec: TrialRecord, sections: dict[str, list[str]]) -> None:
    """Sex, an age range ("18 - 75 years", "18+ years"), volunteers and the two criteria lists."""
    e = rec.eligibility
    for ln in sections.get("sex", []):
        e.sex = e.sex or lookup("sex", ln.split()[0]) if ln.split() else e.sex
    for ln in sections.get("ages", []):
        if m := re.match(r"^(\d+)\s*-\s*(\d+)\s*years?", ln, re.IGNORECASE):
            e.min_age_text, e.max_age_text = f"{m.group(1)} Years", f"{m.group(2)} Years"
        elif m := re.match(r"^(\d+)\+?\s*years?", ln, re.IGNORECASE):
            e.min_age_text = f"{m.group(1)} Years"
    e.min_age_years = parse_age(e.min_age_text)
    e.max_age_years = parse_age(e.max_age_text)
    for ln in sections.get("volunteers", []):
        if "no healthy" in ln.lower():
            e.healthy_volunteers = False
        elif "healthy" in ln.lower():
            e.healthy_volunteers = True
    inc, exc = sections.get("inclusion", []), sections.get("exclusion", [])
    if inc or exc:
        e.criteria_text = "\n".join(["Inclusion Criteria", *inc, "", "Exclusion Criteria", *exc])
