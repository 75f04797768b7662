"""Reader for the classic ClinicalTrials.gov XML (``<clinical_study>``, the legacy bulk export).

Parsed with defusedxml and a DOCTYPE ban: a file declaring entities or a DTD is refused
with ``UnsafeInputError`` (no entity expansion, no external fetches). Legacy spellings
(``Phase 1/Phase 2``, ``Anticipated``, ``None (Open Label)``) are mapped to API v2 values
through ``sources.enums``.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from trialkg.errors import InputError, TrialKGError, UnsafeInputError
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
from trialkg.sources._common import Result, check_nct, finish_record, iter_whole_file, sha256_hex
from trialkg.sources.dates import parse_age, parse_date
from trialkg.sources.enums import normalise, normalise_phases
from trialkg.sources.guards import parse_count


def iter_records(source: str | Path | IO[bytes], *, name: str | None = None) -> Iterator[Result]:
    """The record of one XML file (path or binary stream)."""
    return iter_whole_file(source, name, read_bytes)


def read_bytes(data: bytes, *, file: str, member: str | None = None) -> Iterator[Result]:
    try:
        root = parse_safely(data, file=file)
        prov = Provenance(file=file, format="ctgov-xml", sha256=sha256_hex(data),
                          layout="clinical_study", member=member)
        yield study_to_record(root, prov)
    except TrialKGError as exc:
        yield exc.located(file=file)  # type: ignore[misc]


def parse_safely(data: bytes, *, file: str) -> Element:
    """The root element; DOCTYPE, entities and external references are refused."""
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", data[:65536], re.IGNORECASE):
        raise UnsafeInputError("XML with a DOCTYPE or entity declaration refused (entity expansion is unsafe)",
                               file=file)
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeInputError(f"unsafe XML refused: {exc}", file=file) from None
    except ParseError as exc:
        raise InputError(f"malformed XML: {exc}", file=file) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"malformed XML: {exc}", file=file) from None
    if root.tag != "clinical_study":
        raise InputError(f"not a classic ClinicalTrials.gov record: root element <{root.tag}>, "
                         "expected <clinical_study>", file=file)
    return root


def _text(el: Element | None, path: str | None = None) -> str | None:
    if el is None:
        return None
    node = el.find(path) if path else el
    if node is None:
        return None
    text = "".join(node.itertext()).strip()
    return " ".join(text.split()) or None


def _all(el: Element, path: str) -> list[str]:
    return [t for t in (_text(n) for n in el.findall(path)) if t]


def _block(el: Element, path: str) -> str | None:
    """A ``textblock``: paragraphs kept, the hard line wraps inside each joined."""
    node = el.find(path)
    if node is None:
        return None
    raw = textwrap.dedent("".join(node.itertext()).replace("\r\n", "\n")).strip()
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", raw)]
    return "\n\n".join(p for p in paras if p) or None


def _lines_block(el: Element, path: str) -> str | None:
    """A ``textblock`` with its lines kept (criteria: list markers start lines)."""
    node = el.find(path)
    if node is None:
        return None
    raw = "".join(node.itertext()).replace("\r\n", "\n")
    lines = textwrap.dedent(raw.strip("\n")).splitlines()
    return "\n".join(ln.rstrip() for ln in lines).strip() or None


def _date(el: Element, tag: str, rec: TrialRecord) -> object:
    node = el.find(tag)
    if node is None:
        return None
    dtype = normalise("date_type", node.get("type"), rec, f"{tag}/@type")
    return parse_date(_text(node), date_type=dtype, record=rec, field=tag)


def study_to_record(root: Element, prov: Provenance) -> TrialRecord:
    nct = check_nct(_text(root, "id_info/nct_id"), file=prov.file, record=prov.index, field="id_info/nct_id")
    rec = TrialRecord(id=nct, nct_id=nct, provenance=prov)
    download = _text(root, "required_header/download_date")
    if download:
        m = re.search(r"on (\w+ \d{1,2}, \d{4})", download)
        d = parse_date(m.group(1)) if m else None
        prov.retrieved = d.value if d else None

    rec.org_study_id = _text(root, "id_info/org_study_id")
    rec.secondary_ids = [SecondaryId(id=s) for s in _all(root, "id_info/secondary_id")]
    rec.brief_title = _text(root, "brief_title")
    rec.official_title = _text(root, "official_title")
    rec.acronym = _text(root, "acronym")
    rec.status = normalise("status", _text(root, "overall_status"), rec, "overall_status")
    rec.why_stopped = _text(root, "why_stopped")
    rec.start_date = _date(root, "start_date", rec)  # type: ignore[assignment]
    rec.primary_completion_date = _date(root, "primary_completion_date", rec)  # type: ignore[assignment]
    rec.completion_date = _date(root, "completion_date", rec)  # type: ignore[assignment]
    rec.first_posted = _date(root, "study_first_posted", rec)  # type: ignore[assignment]
    rec.last_update = _date(root, "last_update_posted", rec)  # type: ignore[assignment]
    rec.phases = normalise_phases(_text(root, "phase"), rec, "phase")
    rec.study_type = normalise("study_type", _text(root, "study_type"), rec, "study_type")

    d = root.find("study_design_info")
    if d is not None:
        rec.design.allocation = normalise("allocation", _text(d, "allocation"), rec, "allocation")
        rec.design.intervention_model = normalise("intervention_model", _text(d, "intervention_model"),
                                                  rec, "intervention_model")
        rec.design.primary_purpose = normalise("primary_purpose", _text(d, "primary_purpose"), rec,
                                               "primary_purpose")
        rec.design.masking = normalise("masking", _text(d, "masking"), rec, "masking")
        rec.design.observational_model = normalise("observational_model", _text(d, "observational_model"),
                                                   rec, "observational_model")
        rec.design.time_perspective = normalise("time_perspective", _text(d, "time_perspective"), rec,
                                                "time_perspective")

    enr = root.find("enrollment")
    if enr is not None and _text(enr):
        txt = _text(enr) or ""
        rec.enrollment = parse_count(txt, rec, "enrollment")
        rec.enrollment_type = normalise("date_type", enr.get("type"), rec, "enrollment/@type")

    rec.brief_summary = _block(root, "brief_summary/textblock")
    rec.detailed_description = _block(root, "detailed_description/textblock")
    rec.conditions = _all(root, "condition")
    rec.keywords = _all(root, "keyword")
    rec.condition_mesh = [{"id": "", "term": t} for t in _all(root, "condition_browse/mesh_term")]
    rec.intervention_mesh = [{"id": "", "term": t} for t in _all(root, "intervention_browse/mesh_term")]

    for kind in ("primary", "secondary", "other"):
        for o in root.findall(f"{kind}_outcome"):
            measure = _text(o, "measure")
            if measure:
                rec.outcomes.append(Outcome(measure=measure, kind=kind,  # type: ignore[arg-type]
                                            description=_text(o, "description"), time_frame=_text(o, "time_frame")))

    for a in root.findall("arm_group"):
        label = _text(a, "arm_group_label")
        if label:
            rec.arms.append(Arm(label=label, type=normalise("arm_type", _text(a, "arm_group_type"), rec,
                                                            "arm_group_type"),
                                description=_text(a, "description")))
    for iv in root.findall("intervention"):
        name = _text(iv, "intervention_name")
        if name:
            rec.interventions.append(Intervention(
                name=name, type=normalise("intervention_type", _text(iv, "intervention_type"), rec,
                                          "intervention_type"),
                description=_text(iv, "description"), other_names=_all(iv, "other_name"),
                arm_labels=_all(iv, "arm_group_label")))

    el = root.find("eligibility")
    if el is not None:
        e = rec.eligibility
        e.criteria_text = _lines_block(el, "criteria/textblock")
        e.sex = normalise("sex", _text(el, "gender"), rec, "gender")
        gb = _text(el, "gender_based")
        e.gender_based = None if gb is None else gb.lower() == "yes"
        e.min_age_text = _text(el, "minimum_age")
        e.max_age_text = _text(el, "maximum_age")
        e.min_age_years = parse_age(e.min_age_text, record=rec, field="minimum_age")
        e.max_age_years = parse_age(e.max_age_text, record=rec, field="maximum_age")
        hv = _text(el, "healthy_volunteers")
        if hv is not None:
            e.healthy_volunteers = {"yes": True, "no": False, "accepts healthy volunteers": True}.get(hv.lower())

    lead = root.find("sponsors/lead_sponsor")
    if lead is not None and _text(lead, "agency"):
        rec.sponsors.append(Sponsor(name=_text(lead, "agency") or "", role="lead",
                                    sponsor_class=normalise("agency_class", _text(lead, "agency_class"), rec,
                                                            "agency_class")))
    for c in root.findall("sponsors/collaborator"):
        if _text(c, "agency"):
            rec.sponsors.append(Sponsor(name=_text(c, "agency") or "", role="collaborator",
                                        sponsor_class=normalise("agency_class", _text(c, "agency_class"), rec,
                                                                "agency_class")))
    rp = root.find("responsible_party")
    if rp is not None:
        rec.responsible_party = ResponsibleParty(
            type=normalise("responsible_party", _text(rp, "responsible_party_type"), rec, "responsible_party_type"),
            investigator_name=_text(rp, "investigator_full_name") or _text(rp, "name_title"),
            investigator_title=_text(rp, "investigator_title"),
            investigator_affiliation=_text(rp, "investigator_affiliation") or _text(rp, "organization"),
        )
    for o in root.findall("overall_official"):
        name = " ".join(filter(None, (_text(o, "first_name"), _text(o, "middle_name"), _text(o, "last_name"))))
        if name:
            rec.officials.append(Official(name=name, role=normalise("official_role", _text(o, "role"), rec, "role"),
                                          affiliation=_text(o, "affiliation")))
    for tag in ("overall_contact", "overall_contact_backup"):
        c = root.find(tag)
        if c is not None:
            rec.central_contacts.append(_contact(c))
    for loc in root.findall("location"):
        addr = "facility/address/"
        contacts = [_contact(c) for t in ("contact", "contact_backup") for c in loc.findall(t)]
        rec.sites.append(Site(
            facility=_text(loc, "facility/name"), city=_text(loc, addr + "city"),
            state=_text(loc, addr + "state"), zip=_text(loc, addr + "zip"),
            country=_text(loc, addr + "country"),
            status=normalise("recruitment_status", _text(loc, "status"), rec, "location/status"),
            contacts=contacts))
    for tag, rtype in (("reference", "BACKGROUND"), ("results_reference", "RESULT")):
        for r in root.findall(tag):
            rec.references.append(Reference(pmid=_text(r, "PMID"), citation=_text(r, "citation"), type=rtype))
    return finish_record(rec)


def _contact(el: Element) -> Contact:
    name = " ".join(filter(None, (_text(el, "first_name"), _text(el, "middle_name"), _text(el, "last_name"))))
    return Contact(name=name or None, role=_text(el, "role"), phone=_text(el, "phone"), email=_text(el, "email"))
