"""``page-ctgov``: the ClinicalTrials.gov study-page text export ("NCT ID: ...", section
headings each followed by a one-line explanation; values with or without labels)."""

from __future__ import annotations

import re

from trialkg.records import (
    Arm,
    Intervention,
    Official,
    Provenance,
    Reference,
    ResponsibleParty,
    SecondaryId,
    Site,
    Sponsor,
    TrialRecord,
)
from trialkg.sources._common import check_nct
from trialkg.sources.dates import DateProblem, parse_age, parse_date, parse_date_text
from trialkg.sources.enums import lookup, normalise, normalise_phases
from trialkg.sources.guards import parse_count
from trialkg.sources.pages.shared import PARTICIPANTS, address, contacts, new_record, yes_no

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



_AGE_LINE = re.compile(r"^\d+(?:\.\d+)?\s+(?:years?|months?|weeks?|days?)$", re.IGNORECASE)


def _is_date(s: str) -> bool:
    try:
        parse_date_text(s)
    except DateProblem:
        return bool(re.match(r"^\d{4}-\d{2}-\d{2}$", s.strip()))
    return True



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


def parse(text: str, prov: Provenance) -> TrialRecord:
    header, sec = _ctgov_sections(text.split("\n"))
    head = _nonblank(header)
    nct_line = next((ln for ln in head if ln.startswith("NCT ID:")), None)
    nct = check_nct(nct_line.split(":", 1)[1] if nct_line else None, file=prov.file, record=None,
                    field="NCT ID")
    rec = new_record(nct, text, prov)
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
    rec.central_contacts = contacts(_nonblank(sec.get("Central Contacts", [])))
    facility_contacts = contacts(_nonblank(sec.get("Facility Contacts", [])))
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
        m = PARTICIPANTS.match(ln)
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
        elif label == "hv" or (label is None and yes_no(s) is not None):
            e.healthy_volunteers = yes_no(s)
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
            site.city, site.state, site.zip, site.country = address(ln)
        else:
            site = Site(facility=ln)
            rec.sites.append(site)




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

