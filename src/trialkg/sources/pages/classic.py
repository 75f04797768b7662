"""``page-classic``: the classic tabular page ("ClinicalTrials.gov Identifier: ...",
``Label: | value |`` rows, an arm/intervention table)."""

from __future__ import annotations

import re

from trialkg.records import (
    Arm,
    Contact,
    Intervention,
    Outcome,
    Provenance,
    ResponsibleParty,
    SecondaryId,
    Site,
    Sponsor,
    TrialRecord,
)
from trialkg.sources._common import check_nct
from trialkg.sources.dates import parse_age, parse_date
from trialkg.sources.enums import lookup, normalise, normalise_phases
from trialkg.sources.guards import parse_count
from trialkg.sources.pages.shared import PARTICIPANTS, address, new_record, yes_no

_ROW = re.compile(r"^(?P<label>[A-Z][^|:]{1,70}?)\s*:\s*\|\s*(?P<value>.*?)\s*\|?\s*$")
_ARM_LINE = re.compile(
    r"^(Experimental|Active Comparator|Placebo Comparator|Sham Comparator|No Intervention|Other):\s*(.+)$")
_IV_LINE = re.compile(
    r"^(Drug|Biological|Procedure|Radiation|Device|Behavioral|Genetic|Dietary Supplement|"
    r"Combination Product|Diagnostic Test|Other):\s*(.+?)\s*\|?\s*$")
_OUTCOME = re.compile(r"^-\s+(?P<measure>.+?)\s*\[\s*Time Frame:\s*(?P<tf>.*?)\s*\]\s*(?P<desc>.*)$")


# Study-design rows: record field of ``rec.design`` (and its enum table) -> row label.
_DESIGN_ROWS = (
    ("allocation", "Allocation"),
    ("intervention_model", "Intervention Model"),
    ("masking", "Masking"),
    ("primary_purpose", "Primary Purpose"),
    ("observational_model", "Observational Model"),
    ("time_perspective", "Time Perspective"),
)
# Date rows, with or without a date type before them ("Actual Study Start Date").
_DATE_ROWS = (
    ("Study Start Date", "start_date"),
    ("Primary Completion Date", "primary_completion_date"),
    ("Study Completion Date", "completion_date"),
)


def parse(text: str, prov: Provenance) -> TrialRecord:
    s = [ln.strip() for ln in text.split("\n")]
    ids = [m.group(0) for ln in s if "ClinicalTrials.gov Identifier" in ln for m in [re.search(r"NCT\S*", ln)] if m]
    raw_id = ids[0].rstrip("|").strip() if ids else None
    nct = check_nct(raw_id, file=prov.file, record=None, field="ClinicalTrials.gov Identifier")
    rec = new_record(nct, text, prov)
    rec.brief_title = next((ln for ln in s if ln), None)
    rows = _label_rows(s)
    _classic_status_and_posted(rec, s, prov)
    _classic_rows(rec, rows)
    _classic_summary(rec, s)
    _classic_conditions(rec, s)
    _classic_arms(rec, s)
    _classic_outcomes(rec, s)
    _classic_eligibility(rec, s, rows)
    _classic_contacts_sites(rec, s)
    _classic_sponsors(rec, rows)
    other_ids = rows.get("Other Study ID Numbers")
    if other_ids:
        ids_ = [v.strip() for v in re.split(r"\s*;\s*|\s{2,}", other_ids) if v.strip()]
        rec.org_study_id = ids_[0]
        rec.secondary_ids = [SecondaryId(id=v) for v in ids_[1:]]
    return rec


def _label_rows(s: list[str]) -> dict[str, str]:
    """The ``Label: | value |`` rows, first value kept; a value may stand on the next line."""
    rows: dict[str, str] = {}
    for i, ln in enumerate(s):
        m = _ROW.match(ln)
        if not m:
            continue
        value = m.group("value").strip().rstrip("|").strip()
        if not value and i + 1 < len(s) and "|" in s[i + 1] and not _ROW.match(s[i + 1]):
            value = s[i + 1].rstrip("|").strip()
        rows.setdefault(m.group("label").strip(), value)
    return rows


def _classic_status_and_posted(rec: TrialRecord, s: list[str], prov: Provenance) -> None:
    for i, ln in enumerate(s):
        if ln.startswith("Recruitment Status") and i + 1 < len(s):
            value = ln.split(":", 1)[1].strip() if ":" in ln and ln.split(":", 1)[1].strip() else s[i + 1]
            rec.status = normalise("status", value, rec, "Recruitment Status")
        elif m := re.match(r"^(First Posted|Last Update Posted)\s*:\s*([^|]+?)\s*(Key Record Dates)?\s*\|?$", ln):
            d = parse_date(m.group(2), record=rec, field=m.group(1))
            if m.group(1) == "First Posted":
                rec.first_posted = rec.first_posted or d
            else:
                rec.last_update = rec.last_update or d
    if rec.last_update:
        prov.retrieved = rec.last_update.value


def _classic_rows(rec: TrialRecord, rows: dict[str, str]) -> None:
    """Titles, study type, enrolment, dates and design from the label rows."""
    rec.official_title = rows.get("Official Title") or None
    rec.acronym = rows.get("Acronym") or None
    rec.study_type = normalise("study_type", rows.get("Study Type"), rec, "Study Type")
    for label, value in rows.items():
        if label.endswith("Enrollment"):
            m = PARTICIPANTS.match(value)
            if m:
                rec.enrollment = parse_count(m.group(1), rec, "enrollment")
                rec.enrollment_type = lookup("date_type", label.split()[0]) if " " in label else None
        for suffix, attr in _DATE_ROWS:
            if label.endswith(suffix):
                dtype = lookup("date_type", label.split()[0]) if label != suffix else None
                setattr(rec, attr, parse_date(value, date_type=dtype, record=rec, field=label))
    for attr, label in _DESIGN_ROWS:
        setattr(rec.design, attr, normalise(attr, rows.get(label), rec, label))


def _classic_outcomes(rec: TrialRecord, s: list[str]) -> None:
    for ln in s:
        if m := _OUTCOME.match(ln):
            rec.outcomes.append(Outcome(measure=m.group("measure"), kind="other",
                                        time_frame=m.group("tf") or None, description=m.group("desc") or None))
    if rec.outcomes:
        rec.warn("outcomes", "the page does not say which outcomes are primary or secondary",
                 code="outcome-kind-lost")


def _classic_sponsors(rec: TrialRecord, rows: dict[str, str]) -> None:
    """Sponsor and collaborator rows; a Responsible Party row names an investigator, or the
    sponsor (then the lead sponsor when no Sponsor row does)."""
    for label, value in rows.items():
        if label == "Sponsor" and value:
            rec.sponsors.append(Sponsor(name=value, role="lead"))
        elif label in ("Collaborator", "Collaborators") and value:
            rec.sponsors.extend(Sponsor(name=v.strip(), role="collaborator") for v in value.split(";") if v.strip())
    rp = rows.get("Responsible Party")
    if not rp:
        return
    parts = [p.strip() for p in rp.split(",") if p.strip()]
    if len(parts) >= 2:
        rec.responsible_party = ResponsibleParty(
            type="PRINCIPAL_INVESTIGATOR", investigator_name=parts[0],
            investigator_title=", ".join(parts[1:-1]) or None, investigator_affiliation=parts[-1])
    else:
        rec.responsible_party = ResponsibleParty(type="SPONSOR")
        if not any(sp.role == "lead" for sp in rec.sponsors):
            rec.sponsors.insert(0, Sponsor(name=rp, role="lead"))
            rec.warn("leadSponsor", "no Sponsor row; the lead sponsor is the organisation named as "
                     "Responsible Party", code="from-responsible-party")


def _classic_summary(rec: TrialRecord, s: list[str]) -> None:
    try:
        start = s.index("- How to Read a Study Record") + 1
    except ValueError:
        return
    end = next((i for i in range(start, len(s)) if s[i].startswith("Condition or disease")), len(s))
    paras = [ln for ln in s[start:end] if ln and not ln.startswith("- ")]
    rec.brief_summary = "\n\n".join(paras) or None


def _classic_conditions(rec: TrialRecord, s: list[str]) -> None:
    for i, ln in enumerate(s):
        if not ln.startswith("Condition or disease"):
            continue
        header = [c.strip() for c in ln.split("|")]
        j = i + 1
        if j < len(s) and set(s[j]) <= set("-|: "):
            j += 1
        while j < len(s) and s[j].count("|") >= len([h for h in header if h]) - 0:
            cells = [c.strip() for c in s[j].split("|")]
            row = dict(zip(header, cells, strict=False))
            cond = row.get("Condition or disease")
            if cond:
                rec.conditions.append(cond)
            phase = row.get("Phase")
            if phase:
                rec.phases.extend(p for p in normalise_phases(phase, rec, "Phase") if p not in rec.phases)
            j += 1
        return


def _classic_arms(rec: TrialRecord, s: list[str]) -> None:
    try:
        start = next(i for i, ln in enumerate(s) if re.match(r"^Arm\s*\|\s*Intervention/treatment", ln))
    except StopIteration:
        return
    arm: Arm | None = None
    iv: Intervention | None = None
    in_iv_cell = False
    by_name: dict[str, Intervention] = {}
    for ln in s[start + 1:]:
        if not ln or _OUTCOME.match(ln) or ln.startswith("Choosing to participate"):
            if not ln and arm is None:
                continue
            if not ln:
                continue
            break
        if set(ln) <= set("-|: "):
            if ln.strip() == "|":
                in_iv_cell = True
            continue
        if (m := _ARM_LINE.match(ln)) and not in_iv_cell:
            arm = Arm(label=m.group(2).strip(), type=normalise("arm_type", m.group(1), rec, "armGroupType"))
            rec.arms.append(arm)
            iv = None
            continue
        if in_iv_cell and (m := _IV_LINE.match(ln)):
            name = m.group(2).strip()
            iv = by_name.get(name)
            if iv is None:
                iv = Intervention(name=name, type=normalise("intervention_type", m.group(1), rec, "interventionType"))
                by_name[name] = iv
                rec.interventions.append(iv)
                iv_is_new = True
            else:
                iv_is_new = False
            if arm is not None:
                arm.intervention_names.append(name)
                iv.arm_labels.append(arm.label)
            iv_desc_allowed = iv_is_new
            continue
        if in_iv_cell and iv is not None:
            if m := re.match(r"^Other Names?:\s*(.+)$", ln):
                iv.other_names.append(m.group(1).rstrip("|").strip())
                continue
            text = ln.rstrip("|").strip().lstrip("- ").strip()
            end_cell = ln.endswith("|")
            if iv_desc_allowed and text:
                iv.description = f"{iv.description} {text}" if iv.description else text
            if end_cell:
                in_iv_cell = False
            continue
        if arm is not None:
            text = ln.rstrip("|").strip()
            if text:
                arm.description = f"{arm.description} {text}" if arm.description else text


def _classic_eligibility(rec: TrialRecord, s: list[str], rows: dict[str, str]) -> None:
    e = rec.eligibility
    ages = rows.get("Ages Eligible for Study")
    if ages:
        main, _, std = ages.partition("(")
        if m := re.match(r"^\s*(.+?)\s+to\s+(.+?)\s*$", main):
            e.min_age_text, e.max_age_text = m.group(1), m.group(2)
        elif m := re.match(r"^\s*(.+?)\s+and older\s*$", main, re.IGNORECASE):
            e.min_age_text = m.group(1)
        elif m := re.match(r"^\s*up to\s+(.+?)\s*$", main, re.IGNORECASE):
            e.max_age_text = m.group(1)
        e.std_ages = [normalise("standard_age", a, rec, "stdAges") or a
                      for a in std.rstrip(") ").split(",") if a.strip()]
        e.min_age_years = parse_age(e.min_age_text, record=rec, field="minimumAge")
        e.max_age_years = parse_age(e.max_age_text, record=rec, field="maximumAge")
    e.sex = normalise("sex", rows.get("Sexes Eligible for Study") or rows.get("Genders Eligible for Study"), rec, "sex")
    e.healthy_volunteers = yes_no(rows.get("Accepts Healthy Volunteers"))
    try:
        start = next(i for i, ln in enumerate(s) if re.match(r"^Inclusion Criteria:?$", ln, re.IGNORECASE))
    except StopIteration:
        return
    end = start + 1
    while end < len(s) and s[end] and not s[end].startswith("To learn more about this study"):
        end += 1
    e.criteria_text = "\n".join(s[start:end])


def _classic_contacts_sites(rec: TrialRecord, s: list[str]) -> None:
    try:
        start = next(i for i, ln in enumerate(s) if ln.startswith("Please refer to this study by"))
    except StopIteration:
        start = 0
    end = next((i for i in range(start, len(s)) if s[i].startswith("Responsible Party")), len(s))
    region_country: str | None = None
    region_state: str | None = None
    site: Site | None = None
    for ln in s[start:end]:
        if not ln or ln.startswith("Please refer"):
            continue
        cells = [c.strip() for c in ln.split("|")]
        if ln.startswith("Contact:"):
            c = _classic_contact(ln)
            (site.contacts if site else rec.central_contacts).append(c)
            continue
        if len(cells) >= 2 and (status := lookup("recruitment_status", cells[1])) and cells[0]:
            site = Site(facility=cells[0], status=status, country=region_country, state=region_state)
            rec.sites.append(site)
            continue
        if site is not None and site.city is None and "," in cells[0]:
            city, state, zip_, country = address(cells[0])
            site.city, site.zip = city, zip_
            site.state = state or site.state
            site.country = country or site.country
            continue
        if len(cells) >= 2 and all(not c for c in cells[1:]) and cells[0]:
            parts = [p.strip() for p in cells[0].split(",")]
            region_country = parts[0]
            region_state = parts[1] if len(parts) > 1 else None
            site = None


def _classic_contact(line: str) -> Contact:
    body = line.split(":", 1)[1]
    cells = [c.strip() for c in body.split("|") if c.strip()]
    if len(cells) == 1:  # "Name phone email" on one line
        words = cells[0].split()
        email = next((w for w in words if "@" in w), None)
        phone = next((w for w in words if re.fullmatch(r"\+?[\d\-()]{6,}", w)), None)
        name = " ".join(w for w in words if w not in (email, phone))
        return Contact(name=name or None, phone=phone, email=email)
    name = cells[0] if cells else None
    phone = next((c for c in cells[1:] if re.fullmatch(r"\+?[\d\s\-().ext]{6,}", c)), None)
    email = next((c for c in cells[1:] if "@" in c), None)
    return Contact(name=name, phone=phone, email=email)


