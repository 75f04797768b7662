"""Reader for trial pages saved as text: three layouts, detected, never guessed.

- ``page-ctgov``: the ClinicalTrials.gov study-page text export ("NCT ID: ...", section
  headings each followed by a one-line explanation; values with or without labels).
- ``page-classic``: the classic tabular page ("ClinicalTrials.gov Identifier: ...",
  ``Label: | value |`` rows, an arm/intervention table).
- ``page-aggregator``: a third-party listing that lost its NCT id, title and
  intervention list; it gets a content-derived id and interventions inferred from the
  drugs its text names.

A text that matches no layout is an ``InputError`` ("unknown page layout").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from trialkg.errors import InputError, TrialKGError
from trialkg.records import (
    Arm,
    Contact,
    Intervention,
    Official,
    Outcome,
    Provenance,
    Reference,
    ResponsibleParty,
    SecondaryId,
    Site,
    Sponsor,
    TrialRecord,
)
from trialkg.sources._common import (
    NCT_IN_TEXT,
    Result,
    check_nct,
    derived_id,
    finish_record,
    iter_whole_file,
    sha256_hex,
)
from trialkg.sources.dates import DateProblem, parse_age, parse_date, parse_date_text
from trialkg.sources.enums import lookup, normalise, normalise_phases
from trialkg.sources.guards import not_utf8, parse_count, to_utf8

LAYOUTS = ("page-ctgov", "page-classic", "page-aggregator")


def iter_records(source: str | Path | IO[bytes], *, name: str | None = None) -> Iterator[Result]:
    """The record of one page file (path or binary stream)."""
    return iter_whole_file(source, name, read_bytes)


def read_bytes(data: bytes, *, file: str, member: str | None = None) -> Iterator[Result]:
    try:
        text = to_utf8(data, file=file).decode("utf-8")
    except UnicodeDecodeError as exc:
        yield InputError(not_utf8(exc), file=file)
        return
    except TrialKGError as exc:
        yield exc
        return
    try:
        yield parse_page(text, file=file, sha256=sha256_hex(data), member=member)
    except TrialKGError as exc:
        yield exc.located(file=file)  # type: ignore[misc]


def detect_layout(text: str) -> str:
    """Which of the three layouts ``text`` is; an unknown layout is an InputError."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    head = lines[:8]
    has = set(lines)
    if any(ln.startswith("NCT ID:") for ln in head) and (
        "Basic Information" in has or "Eligibility Criteria" in has):
        return "page-ctgov"
    if any("ClinicalTrials.gov Identifier:" in ln for ln in lines[:20]) and (
        any(ln.startswith("Recruitment Status") for ln in lines) or "- Tabular View" in has):
        return "page-classic"
    lower = {ln.lower() for ln in lines}
    if "inclusion criteria" in lower and "exclusion criteria" in lower and (
        "status and phase" in lower or "data sourced from clinicaltrials.gov" in lower):
        return "page-aggregator"
    raise InputError("unknown page layout (expected a ClinicalTrials.gov study page, the classic "
                     "tabular page or the aggregator page)", field="layout")


def parse_page(text: str, *, file: str, sha256: str, member: str | None = None) -> TrialRecord:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    layout = detect_layout(text)
    prov = Provenance(file=file, format=layout, sha256=sha256, layout=layout, member=member)  # type: ignore[arg-type]
    parser = {"page-ctgov": _parse_ctgov, "page-classic": _parse_classic,
              "page-aggregator": _parse_aggregator}[layout]
    rec = parser(text, prov)
    _link_single_arm(rec)
    return finish_record(rec)


def _link_single_arm(rec: TrialRecord) -> None:
    """A page's only arm receives every intervention (one group: everyone gets them)."""
    if len(rec.arms) == 1 and not rec.arms[0].intervention_names:
        label = rec.arms[0].label
        for iv in rec.interventions:
            if label not in iv.arm_labels:
                iv.arm_labels.append(label)


def _new_record(nct: str | None, text: str, prov: Provenance) -> TrialRecord:
    if nct is None:
        return TrialRecord(id=derived_id(text), nct_id=None, provenance=prov)
    return TrialRecord(id=nct, nct_id=nct, provenance=prov)


# ---------------------------------------------------------------------------
# Small shared parsers
# ---------------------------------------------------------------------------

_PARTICIPANTS = re.compile(r"^([0-9][0-9,]*)\s+participants?\b", re.IGNORECASE | re.ASCII)
# "70 participants in 1 patient group", "120 participants in 2 patient groups" (aggregator pages)
_GROUPS = re.compile(r"\bparticipants?\s+in\s+([0-9]+)\s+(?:patient\s+)?groups?\b", re.IGNORECASE | re.ASCII)
_AGE_LINE = re.compile(r"^\d+(?:\.\d+)?\s+(?:years?|months?|weeks?|days?)$", re.IGNORECASE)


def _is_date(s: str) -> bool:
    try:
        parse_date_text(s)
    except DateProblem:
        return bool(re.match(r"^\d{4}-\d{2}-\d{2}$", s.strip()))
    return True


def _yes_no(s: str | None) -> bool | None:
    if s is None:
        return None
    return {"yes": True, "no": False, "accepts healthy volunteers": True}.get(s.strip().lower())


def _address(text: str) -> tuple[str | None, str | None, str | None, str | None]:
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


# ---------------------------------------------------------------------------
# page-ctgov: the study page text export
# ---------------------------------------------------------------------------

CTGOV_HEADINGS = (
    "Study Results", "Basic Information", "Brief Summary", "Related Clinical Trials",
    "Detailed Description", "Conditions", "Keywords", "Study Design", "Study Groups",
    "Interventions", "Other Intervention Names", "Eligibility Criteria", "Sponsors",
    "Collaborators", "Responsible Party", "Principal Investigators", "Investigators",
    "Locations", "Countries", "Central Contacts", "Facility Contacts", "References",
    "Other Identifiers", "More Related Trials", "Outcome Measures", "Primary Outcomes",
    "Secondary Outcomes",
)
_EXPLANATION = re.compile(
    r"^(Get|Review|Explore|Dive|See|Understand|Learn|Discover|Check|Meet|Identify|Reach|Find|"
    r"Additional|Browse|Read|View|The study team)\b.*[.!]$"
)
_BASIC_LABELS = {
    "Recruitment Status": "status", "Overall Status": "status", "Clinical Phase": "phase",
    "Study Phase": "phase", "Total Enrollment": "enrollment", "Enrollment": "enrollment",
    "Study Classification": "study_type", "Study Type": "study_type",
    "Study Start Date": "start_date", "Start Date": "start_date",
    "Primary Completion Date": "primary_completion_date",
    "Study Completion Date": "completion_date", "Completion Date": "completion_date",
    "Enrollment Type": "enrollment_type",
}
_DESIGN_LABELS = {
    "Allocation Method": "allocation", "Allocation": "allocation",
    "Intervention Model": "intervention_model", "Primary Study Purpose": "primary_purpose",
    "Primary Purpose": "primary_purpose", "Blinding Strategy": "masking", "Masking": "masking",
    "Observational Model": "observational_model", "Time Perspective": "time_perspective",
}
_ELIG_LABELS = {
    "Minimum Eligible Age": "min", "Maximum Eligible Age": "max", "Eligible Sex": "sex",
    "Accepts Healthy Volunteers": "hv", "Sex": "sex", "Minimum Age": "min", "Maximum Age": "max",
}


def _ctgov_sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The header lines and each section's raw lines (explanation line dropped)."""
    sections: dict[str, list[str]] = {}
    header: list[str] = []
    current = header
    i = 0
    stripped = [ln.strip() for ln in lines]
    while i < len(lines):
        s = stripped[i]
        if s in CTGOV_HEADINGS:
            j = i + 1
            while j < len(lines) and not stripped[j]:
                j += 1
            if j < len(lines) and (_EXPLANATION.match(stripped[j]) or stripped[j] in CTGOV_HEADINGS
                                   or s == "Study Results"):
                current = sections.setdefault(s, [])
                i = j + 1 if _EXPLANATION.match(stripped[j]) else j
                continue
        current.append(lines[i])
        i += 1
    return header, sections


def _nonblank(lines: list[str]) -> list[str]:
    return [ln.strip() for ln in lines if ln.strip()]


def _parse_ctgov(text: str, prov: Provenance) -> TrialRecord:
    header, sec = _ctgov_sections(text.split("\n"))
    head = _nonblank(header)
    nct_line = next((ln for ln in head if ln.startswith("NCT ID:")), None)
    nct = check_nct(nct_line.split(":", 1)[1] if nct_line else None, file=prov.file, record=None,
                    field="NCT ID")
    rec = _new_record(nct, text, prov)
    title_lines = [ln for ln in head if not re.match(r"^(NCT ID|Last Updated):", ln)]
    rec.brief_title = title_lines[0] if title_lines else None
    for ln in head:
        if ln.startswith("Last Updated:"):
            rec.last_update = parse_date(ln.split(":", 1)[1], record=rec, field="Last Updated")
            prov.retrieved = rec.last_update.value if rec.last_update else None

    _ctgov_basic(rec, _nonblank(sec.get("Basic Information", [])))
    rec.brief_summary = _paragraphs(sec.get("Brief Summary", []))
    rec.detailed_description = _paragraphs(sec.get("Detailed Description", []))
    rec.conditions = _nonblank(sec.get("Conditions", []))
    rec.keywords = _nonblank(sec.get("Keywords", []))
    _ctgov_design(rec, _nonblank(sec.get("Study Design", [])))
    _ctgov_interventions(rec, _nonblank(sec.get("Interventions", [])))
    _ctgov_arms(rec, _nonblank(sec.get("Study Groups", [])))
    others = _nonblank(sec.get("Other Intervention Names", []))
    if others:
        if len(rec.interventions) == 1:
            rec.interventions[0].other_names.extend(others)
        else:
            rec.warn("otherNames", "other intervention names not attributable to one intervention: "
                     + "; ".join(others), code="unattributed")
    _ctgov_eligibility(rec, sec.get("Eligibility Criteria", []))
    _ctgov_sponsors(rec, _nonblank(sec.get("Sponsors", []) + sec.get("Collaborators", [])))
    _ctgov_responsible(rec, _nonblank(sec.get("Responsible Party", [])))
    _ctgov_officials(rec, _nonblank(sec.get("Principal Investigators", []) + sec.get("Investigators", [])))
    _ctgov_sites(rec, _nonblank(sec.get("Locations", [])))
    if not rec.sites:
        for country in _nonblank(sec.get("Countries", [])):
            rec.warn("locations", f"country {country} listed without a site", code="country-only")
    rec.central_contacts = _contacts(_nonblank(sec.get("Central Contacts", [])))
    facility_contacts = _contacts(_nonblank(sec.get("Facility Contacts", [])))
    if facility_contacts:
        if len(rec.sites) == 1:
            rec.sites[0].contacts.extend(facility_contacts)
        else:
            rec.warn("facilityContacts", f"{len(facility_contacts)} facility contacts not attributable "
                     "to one site", code="unattributed")
    _ctgov_references(rec, _nonblank(sec.get("References", [])))
    _ctgov_identifiers(rec, _nonblank(sec.get("Other Identifiers", [])))
    return rec


def _paragraphs(lines: list[str]) -> str | None:
    paras = _nonblank(lines)
    return "\n\n".join(paras) or None


def _ctgov_basic(rec: TrialRecord, lines: list[str]) -> None:
    label: str | None = None
    loose_dates: list[str] = []
    for ln in lines:
        if ln in _BASIC_LABELS:
            label = _BASIC_LABELS[ln]
            continue
        m = _PARTICIPANTS.match(ln)
        if m:
            rec.enrollment = parse_count(m.group(1), rec, "enrollment")
            t = re.search(r"\b(ACTUAL|ESTIMATED|Actual|Estimated|Anticipated)\b", ln)
            rec.enrollment_type = normalise("date_type", t.group(1)) if t else rec.enrollment_type
        elif label in ("start_date", "primary_completion_date", "completion_date") and _is_date(ln):
            setattr(rec, label, parse_date(ln, record=rec, field=label))
        elif _is_date(ln):
            loose_dates.append(ln)
        elif label == "enrollment_type" or (label is None and lookup("date_type", ln)):
            rec.enrollment_type = normalise("date_type", ln, rec, "enrollmentType")
        elif (label in (None, "status")) and lookup("status", ln) and rec.status is None:
            rec.status = lookup("status", ln)
        elif (label in (None, "study_type")) and lookup("study_type", ln):
            rec.study_type = lookup("study_type", ln)
        elif label in (None, "phase") and normalise_phases(ln) and all(
                lookup("phase", p) for p in normalise_phases(ln)):
            rec.phases.extend(p for p in normalise_phases(ln) if p not in rec.phases)
        elif label == "status":
            rec.status = normalise("status", ln, rec, "overallStatus")
        elif label == "phase":
            rec.phases.extend(normalise_phases(ln, rec))
        elif label == "study_type":
            rec.study_type = normalise("study_type", ln, rec, "studyType")
        else:
            rec.warn("basicInformation", f"unrecognised line {ln!r} kept out", code="unparsed")
        label = None if label in ("start_date", "primary_completion_date", "completion_date") else label
    # Unlabelled dates come in page order: start, [primary completion,] completion.
    slots = {1: ["start_date"], 2: ["start_date", "completion_date"],
             3: ["start_date", "primary_completion_date", "completion_date"]}.get(len(loose_dates))
    if slots is None and loose_dates:
        rec.warn("basicInformation", f"{len(loose_dates)} unlabelled dates not attributable: "
                 + ", ".join(loose_dates), code="unattributed")
        return
    for slot, value in zip(slots or [], loose_dates, strict=False):
        if getattr(rec, slot) is None:
            setattr(rec, slot, parse_date(value, record=rec, field=slot))


def _ctgov_design(rec: TrialRecord, lines: list[str]) -> None:
    order = ["allocation", "intervention_model", "primary_purpose", "masking",
             "observational_model", "time_perspective"]
    label: str | None = None
    for ln in lines:
        if ln in _DESIGN_LABELS:
            label = _DESIGN_LABELS[ln]
            continue
        kinds = [label] if label else [k for k in order if getattr(rec.design, k) is None]
        for kind in kinds:
            value = lookup(kind, ln)
            if value is not None:
                setattr(rec.design, kind, value)
                break
        else:
            if label:
                setattr(rec.design, label, normalise(label, ln, rec, label))
            else:
                rec.warn("studyDesign", f"unrecognised design value {ln!r}", code="unparsed")
        label = None


_GROUP_TYPE = re.compile(r"^Group Type\s+(\S.*)$")
_IV_TYPE = re.compile(r"^Intervention Type\s+(\S.*)$")


def _looks_like_name(line: str) -> bool:
    return len(line) <= 80 and not line.rstrip().endswith((".", ";", ":"))


def _ctgov_interventions(rec: TrialRecord, lines: list[str]) -> None:
    if any(_IV_TYPE.match(ln) for ln in lines):
        block: list[str] = []
        for ln in lines:
            m = _IV_TYPE.match(ln)
            if m:
                if block:
                    rec.interventions.append(Intervention(
                        name=block[0], description="\n\n".join(block[1:]) or None,
                        type=normalise("intervention_type", m.group(1), rec, "interventionType")))
                elif rec.interventions:
                    rec.interventions[-1].type = normalise("intervention_type", m.group(1), rec, "interventionType")
                block = []
            else:
                block.append(ln)
        if block and rec.interventions and rec.interventions[-1].description is None:
            rec.interventions[-1].description = "\n\n".join(block)
        elif block:
            rec.interventions.append(Intervention(name=block[0], description="\n\n".join(block[1:]) or None))
        return
    for ln in lines:
        if _looks_like_name(ln) or not rec.interventions:
            rec.interventions.append(Intervention(name=ln))
        else:
            iv = rec.interventions[-1]
            iv.description = f"{iv.description}\n\n{ln}" if iv.description else ln


def _ctgov_arms(rec: TrialRecord, lines: list[str]) -> None:
    labelled = any(_GROUP_TYPE.match(ln) for ln in lines)
    names = {iv.name for iv in rec.interventions}
    descriptions = {iv.description for iv in rec.interventions if iv.description}
    pending: list[str] = []
    current: Arm | None = None
    after_iv = False

    def flush() -> Arm | None:
        nonlocal pending
        if not pending:
            return current
        arm = Arm(label=pending[0], description="\n\n".join(pending[1:]) or None)
        rec.arms.append(arm)
        pending = []
        return arm

    for i, ln in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if m := _GROUP_TYPE.match(ln):
            current = flush()
            if current is not None:
                current.type = normalise("arm_type", m.group(1), rec, "armGroupType")
            after_iv = False
            continue
        if m := _IV_TYPE.match(ln):
            after_iv = True
            continue
        if labelled:
            is_iv = bool(_IV_TYPE.match(nxt))
        else:  # a known intervention name, unless it is an arm label equal to it
            is_iv = ln in names and (bool(pending) or (
                current is not None and (nxt in descriptions or nxt in names or not nxt)))
        if is_iv:
            current = flush()
            if current is None:
                current = Arm(label=ln)
                rec.arms.append(current)
            current.intervention_names.append(ln)
            if ln not in names:
                rec.interventions.append(Intervention(name=ln))
                names.add(ln)
            after_iv = True
            continue
        if after_iv and (ln in descriptions or (labelled and not _looks_like_name(ln)
                                                 and not pending)):
            if labelled and ln not in descriptions:
                # An intervention described only under its arm.
                iv = next((x for x in rec.interventions if x.name == current.intervention_names[-1]), None) \
                    if current and current.intervention_names else None
                if iv is not None and iv.description is None:
                    iv.description = ln
            continue
        after_iv = False
        pending.append(ln)
    flush()


def _ctgov_eligibility(rec: TrialRecord, raw: list[str]) -> None:
    stripped = [ln.strip() for ln in raw]
    cut = len(raw)
    for i, s in enumerate(stripped):
        if s in _ELIG_LABELS:
            cut = i
            break
    else:  # unlabelled: trailing age / sex / yes-no lines
        j = len(raw)
        while j > 0 and (not stripped[j - 1] or _AGE_LINE.match(stripped[j - 1])
                         or stripped[j - 1] in ("ALL", "FEMALE", "MALE", "Yes", "No")):
            j -= 1
        cut = j
    criteria = "\n".join(raw[:cut]).strip("\n")
    e = rec.eligibility
    e.criteria_text = criteria or None
    tail = [s for s in stripped[cut:] if s]
    label: str | None = None
    ages: list[str] = []
    for s in tail:
        if s in _ELIG_LABELS:
            label = _ELIG_LABELS[s]
            continue
        if label == "min" or (label is None and _AGE_LINE.match(s)):
            if label == "min":
                e.min_age_text = s
            else:
                ages.append(s)
        elif label == "max":
            e.max_age_text = s
        elif label == "sex" or (label is None and lookup("sex", s)):
            e.sex = normalise("sex", s, rec, "sex")
        elif label == "hv" or (label is None and _yes_no(s) is not None):
            e.healthy_volunteers = _yes_no(s)
        label = None
    if ages:
        e.min_age_text = ages[0]
        if len(ages) >= 2:
            e.max_age_text = ages[1]
        else:
            rec.warn("minimumAge", "one unlabelled age read as the minimum age", code="assumed")
    e.min_age_years = parse_age(e.min_age_text, record=rec, field="minimumAge")
    e.max_age_years = parse_age(e.max_age_text, record=rec, field="maximumAge")


def _ctgov_sponsors(rec: TrialRecord, lines: list[str]) -> None:
    roles_given = False
    for ln in lines:
        if m := re.match(r"^Sponsor Role\s+(\w+)$", ln):
            roles_given = True
            if rec.sponsors:
                rec.sponsors[-1].role = "lead" if m.group(1).lower() == "lead" else "collaborator"
        elif lookup("agency_class", ln) and rec.sponsors and ln.isupper():
            rec.sponsors[-1].sponsor_class = lookup("agency_class", ln)
        else:
            rec.sponsors.append(Sponsor(name=ln, role="collaborator"))
    if not roles_given and rec.sponsors:
        rec.sponsors[0].role = "lead"
    rec.sponsors.sort(key=lambda s: s.role != "lead")


def _ctgov_responsible(rec: TrialRecord, lines: list[str]) -> None:
    if not lines:
        return
    rp = ResponsibleParty()
    rest: list[str] = []
    for ln in lines:
        if m := re.match(r"^Responsibility Role\s+(\S+)$", ln):
            rp.type = normalise("responsible_party", m.group(1), rec, "responsibleParty.type")
        else:
            rest.append(ln)
    if rest and rp.type != "SPONSOR":
        rp.investigator_name = rest[0]
        rp.investigator_title = "; ".join(rest[1:]) or None
    rec.responsible_party = rp


def _ctgov_officials(rec: TrialRecord, lines: list[str]) -> None:
    for ln in lines:
        if m := re.match(r"^Role:\s*(\S+)$", ln):
            if rec.officials:
                rec.officials[-1].role = normalise("official_role", m.group(1), rec, "overallOfficials.role")
        elif rec.officials and rec.officials[-1].role and rec.officials[-1].affiliation is None:
            rec.officials[-1].affiliation = ln
        else:
            rec.officials.append(Official(name=ln))


def _ctgov_sites(rec: TrialRecord, lines: list[str]) -> None:
    site: Site | None = None
    for ln in lines:
        if m := re.match(r"^Site Status\s+(\S+)$", ln):
            if site:
                site.status = normalise("recruitment_status", m.group(1), rec, "locations.status")
        elif site is not None and site.city is None and "," in ln:
            site.city, site.state, site.zip, site.country = _address(ln)
        else:
            site = Site(facility=ln)
            rec.sites.append(site)


_PHONE = re.compile(r"^(?:Phone:\s*)?(\+?[\d][\d\s().\-/ext]{4,})$")


def _contacts(lines: list[str]) -> list[Contact]:
    out: list[Contact] = []
    for ln in lines:
        if m := re.match(r"^Role:\s*(\S+)$", ln):
            if out:
                out[-1].role = m.group(1)
        elif (m := _PHONE.match(ln)) and out:
            out[-1].phone = m.group(1).strip()
        elif ln.startswith("Email:") and out:
            email = ln.split(":", 1)[1].strip()
            out[-1].email = email if "@" in email and "protected" not in email else None
        elif "@" in ln and " " not in ln and out:
            out[-1].email = ln
        else:
            out.append(Contact(name=ln))
    return out


def _ctgov_references(rec: TrialRecord, lines: list[str]) -> None:
    for ln in lines:
        if m := re.match(r"^Reference Type\s+(\S+)$", ln):
            if rec.references:
                rec.references[-1].type = normalise("reference_type", m.group(1), rec, "references.type")
        elif m := re.match(r"^PMID:\s*(\d+)", ln):
            if rec.references and rec.references[-1].pmid is None:
                rec.references[-1].pmid = m.group(1)
            else:
                rec.references.append(Reference(pmid=m.group(1)))
        else:
            rec.references.append(Reference(citation=ln))


def _ctgov_identifiers(rec: TrialRecord, lines: list[str]) -> None:
    blocks: list[dict[str, str]] = []
    for ln in lines:
        if m := re.match(r"^Identifier (Type|Source):\s*(.*)$", ln):
            if blocks:
                blocks[-1][m.group(1).lower()] = m.group(2).strip()
        else:
            blocks.append({"id": ln})
    for b in blocks:
        if b.get("source") == "org_study_id" and rec.org_study_id is None:
            rec.org_study_id = b["id"]
        else:
            t = b.get("type")
            rec.secondary_ids.append(SecondaryId(id=b["id"], type=None if t in (None, "-") else t,
                                                 domain=b.get("source")))


# ---------------------------------------------------------------------------
# page-classic: the classic tabular page
# ---------------------------------------------------------------------------

_ROW = re.compile(r"^(?P<label>[A-Z][^|:]{1,70}?)\s*:\s*\|\s*(?P<value>.*?)\s*\|?\s*$")
_ARM_LINE = re.compile(
    r"^(Experimental|Active Comparator|Placebo Comparator|Sham Comparator|No Intervention|Other):\s*(.+)$")
_IV_LINE = re.compile(
    r"^(Drug|Biological|Procedure|Radiation|Device|Behavioral|Genetic|Dietary Supplement|"
    r"Combination Product|Diagnostic Test|Other):\s*(.+?)\s*\|?\s*$")
_IV_IN_CELL = re.compile(
    r"(Drug|Biological|Procedure|Radiation|Device|Behavioral|Genetic|Dietary Supplement|"
    r"Combination Product|Diagnostic Test|Other):\s*")
_OUTCOME = re.compile(r"^-\s+(?P<measure>.+?)\s*\[\s*Time Frame:\s*(?P<tf>.*?)\s*\]\s*(?P<desc>.*)$")


def _parse_classic(text: str, prov: Provenance) -> TrialRecord:
    lines = [ln.rstrip() for ln in text.split("\n")]
    s = [ln.strip() for ln in lines]
    ids = [m.group(0) for ln in s if "ClinicalTrials.gov Identifier" in ln for m in [re.search(r"NCT\S*", ln)] if m]
    raw_id = ids[0].rstrip("|").strip() if ids else None
    nct = check_nct(raw_id, file=prov.file, record=None, field="ClinicalTrials.gov Identifier")
    rec = _new_record(nct, text, prov)
    rec.brief_title = next((ln for ln in s if ln), None)

    rows: dict[str, str] = {}
    for i, ln in enumerate(s):
        m = _ROW.match(ln)
        if not m:
            continue
        value = m.group("value").strip().rstrip("|").strip()
        if not value and i + 1 < len(s) and "|" in s[i + 1] and not _ROW.match(s[i + 1]):
            value = s[i + 1].rstrip("|").strip()
        rows.setdefault(m.group("label").strip(), value)

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

    rec.official_title = rows.get("Official Title") or None
    rec.acronym = rows.get("Acronym") or None
    rec.study_type = normalise("study_type", rows.get("Study Type"), rec, "Study Type")
    for label, value in rows.items():
        if label.endswith("Enrollment"):
            m = _PARTICIPANTS.match(value)
            if m:
                rec.enrollment = parse_count(m.group(1), rec, "enrollment")
                rec.enrollment_type = lookup("date_type", label.split()[0]) if " " in label else None
        for suffix, attr in (("Study Start Date", "start_date"),
                             ("Primary Completion Date", "primary_completion_date"),
                             ("Study Completion Date", "completion_date")):
            if label.endswith(suffix):
                dtype = lookup("date_type", label.split()[0]) if label != suffix else None
                setattr(rec, attr, parse_date(value, date_type=dtype, record=rec, field=label))
    rec.design.allocation = normalise("allocation", rows.get("Allocation"), rec, "Allocation")
    rec.design.intervention_model = normalise("intervention_model", rows.get("Intervention Model"), rec,
                                              "Intervention Model")
    rec.design.masking = normalise("masking", rows.get("Masking"), rec, "Masking")
    rec.design.primary_purpose = normalise("primary_purpose", rows.get("Primary Purpose"), rec,
                                           "Primary Purpose")
    rec.design.observational_model = normalise("observational_model", rows.get("Observational Model"),
                                               rec, "Observational Model")
    rec.design.time_perspective = normalise("time_perspective", rows.get("Time Perspective"), rec,
                                            "Time Perspective")

    _classic_summary(rec, s)
    _classic_conditions(rec, s)
    _classic_arms(rec, s)
    for ln in s:
        if m := _OUTCOME.match(ln):
            rec.outcomes.append(Outcome(measure=m.group("measure"), kind="other",
                                        time_frame=m.group("tf") or None, description=m.group("desc") or None))
    if rec.outcomes:
        rec.warn("outcomes", "the page does not say which outcomes are primary or secondary",
                 code="outcome-kind-lost")
    _classic_eligibility(rec, s, rows)
    _classic_contacts_sites(rec, s)

    for label, value in rows.items():
        if label == "Sponsor" and value:
            rec.sponsors.append(Sponsor(name=value, role="lead"))
        elif label in ("Collaborator", "Collaborators") and value:
            rec.sponsors.extend(Sponsor(name=v.strip(), role="collaborator") for v in value.split(";") if v.strip())
    rp = rows.get("Responsible Party")
    if rp:
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
    other_ids = rows.get("Other Study ID Numbers")
    if other_ids:
        ids_ = [v.strip() for v in re.split(r"\s*;\s*|\s{2,}", other_ids) if v.strip()]
        rec.org_study_id = ids_[0]
        rec.secondary_ids = [SecondaryId(id=v) for v in ids_[1:]]
    return rec


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
    e.healthy_volunteers = _yes_no(rows.get("Accepts Healthy Volunteers"))
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
            city, state, zip_, country = _address(cells[0])
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


# ---------------------------------------------------------------------------
# page-aggregator: third-party listing without NCT id
# ---------------------------------------------------------------------------

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


def _parse_aggregator(text: str, prov: Provenance) -> TrialRecord:
    ncts = NCT_IN_TEXT.findall(text)
    nct = ncts[0] if ncts and len(set(ncts)) == 1 else None
    rec = _new_record(nct, text, prov)
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
        m = _PARTICIPANTS.match(ln)
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
    contact = sections.get("contact", [])
    if contact:
        rec.central_contacts = _contacts(contact)
    return rec
