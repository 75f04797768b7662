"""Reader for the classic ClinicalTrials.gov XML (``<clinical_study>``, the legacy bulk export).

Parsed with defusedxml and a DOCTYPE ban: a file declaring entities or a DTD is refused
with ``UnsafeInputError`` (no entity expansion, no external fetches). Legacy spellings
(``Phase 1/Phase 2``, ``Anticipated``, ``None (Open Label)``) are mapped to API v2 values
through ``sources.enums``.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any
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
from trialkg.sources._common import (
    Result,
    assign,
    check_nct,
    finish_record,
    iter_whole_file,
    sha256_hex,
)
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


# -- converters: (the <clinical_study> element, the registry path, the record) -> value ------

Convert = Callable[[Element, str, TrialRecord], Any]


def _one(el: Element, path: str, rec: TrialRecord) -> str | None:
    return _text(el, path)


def _many(el: Element, path: str, rec: TrialRecord) -> list[str]:
    return _all(el, path)


def _paragraphs(el: Element, path: str, rec: TrialRecord) -> str | None:
    return _block(el, path)


def _lines(el: Element, path: str, rec: TrialRecord) -> str | None:
    return _lines_block(el, path)


def _enum(table: str) -> Convert:
    """A value of the enum ``table`` (sources/enums.py); an unknown one is kept and warned
    about under the element's name."""
    return lambda el, path, rec: normalise(table, _text(el, path), rec, path.rsplit("/", 1)[-1])


def _dated(el: Element, path: str, rec: TrialRecord) -> object:
    return _date(el, path, rec)


def _phases(el: Element, path: str, rec: TrialRecord) -> list[str]:
    return normalise_phases(_text(el, path), rec, "phase")


def _yes_no(el: Element, path: str, rec: TrialRecord) -> bool | None:
    value = _text(el, path)
    return None if value is None else value.lower() == "yes"


def _healthy_volunteers(el: Element, path: str, rec: TrialRecord) -> bool | None:
    value = _text(el, path)
    return None if value is None else {"yes": True, "no": False, "accepts healthy volunteers": True}.get(value.lower())


def _years(text_field: str) -> Convert:
    """Years of the age text the table has already read into ``eligibility.<text_field>``."""
    return lambda el, path, rec: parse_age(getattr(rec.eligibility, text_field), record=rec,
                                           field=path.rsplit("/", 1)[-1])


def _enrollment(el: Element, path: str, rec: TrialRecord) -> int | None:
    text = _text(el, path)
    return parse_count(text, rec, "enrollment") if text else None


def _enrollment_type(el: Element, path: str, rec: TrialRecord) -> str | None:
    node = el.find(path)
    return normalise("date_type", node.get("type"), rec, "enrollment/@type") if _text(node) else None


def _each(build: Callable[[Element, TrialRecord], Any]) -> Convert:
    """One record object per element at ``path``; ``build`` returns None to skip one."""
    return lambda el, path, rec: [x for x in (build(n, rec) for n in el.findall(path)) if x is not None]


def _first(build: Callable[[Element, TrialRecord], Any]) -> Convert:
    """Like ``_each``, for the first element at ``path`` only (a field the record has once)."""
    def convert(el: Element, path: str, rec: TrialRecord) -> list[Any]:
        node = el.find(path)
        value = None if node is None else build(node, rec)
        return [] if value is None else [value]
    return convert


def _mesh(node: Element, rec: TrialRecord) -> dict[str, str] | None:
    term = _text(node)
    return {"id": "", "term": term} if term else None


def _outcome(kind: str) -> Callable[[Element, TrialRecord], Outcome | None]:
    def build(o: Element, rec: TrialRecord) -> Outcome | None:
        measure = _text(o, "measure")
        return Outcome(measure=measure, kind=kind,  # type: ignore[arg-type]
                       description=_text(o, "description"), time_frame=_text(o, "time_frame")) if measure else None
    return build


def _arm(a: Element, rec: TrialRecord) -> Arm | None:
    label = _text(a, "arm_group_label")
    if not label:
        return None
    return Arm(label=label, type=normalise("arm_type", _text(a, "arm_group_type"), rec, "arm_group_type"),
               description=_text(a, "description"))


def _intervention(iv: Element, rec: TrialRecord) -> Intervention | None:
    name = _text(iv, "intervention_name")
    if not name:
        return None
    return Intervention(
        name=name, type=normalise("intervention_type", _text(iv, "intervention_type"), rec, "intervention_type"),
        description=_text(iv, "description"), other_names=_all(iv, "other_name"),
        arm_labels=_all(iv, "arm_group_label"))


def _sponsor(role: str) -> Callable[[Element, TrialRecord], Sponsor | None]:
    def build(s: Element, rec: TrialRecord) -> Sponsor | None:
        if not _text(s, "agency"):
            return None
        return Sponsor(name=_text(s, "agency") or "", role=role,
                       sponsor_class=normalise("agency_class", _text(s, "agency_class"), rec, "agency_class"))
    return build


def _responsible_party(el: Element, path: str, rec: TrialRecord) -> ResponsibleParty | None:
    rp = el.find(path)
    if rp is None:
        return None
    return ResponsibleParty(
        type=normalise("responsible_party", _text(rp, "responsible_party_type"), rec, "responsible_party_type"),
        investigator_name=_text(rp, "investigator_full_name") or _text(rp, "name_title"),
        investigator_title=_text(rp, "investigator_title"),
        investigator_affiliation=_text(rp, "investigator_affiliation") or _text(rp, "organization"),
    )


def _person(el: Element) -> str:
    return " ".join(filter(None, (_text(el, "first_name"), _text(el, "middle_name"), _text(el, "last_name"))))


def _official(o: Element, rec: TrialRecord) -> Official | None:
    name = _person(o)
    if not name:
        return None
    return Official(name=name, role=normalise("official_role", _text(o, "role"), rec, "role"),
                    affiliation=_text(o, "affiliation"))


def _contact(el: Element, rec: TrialRecord | None = None) -> Contact:
    return Contact(name=_person(el) or None, role=_text(el, "role"), phone=_text(el, "phone"),
                   email=_text(el, "email"))


def _site(loc: Element, rec: TrialRecord) -> Site:
    addr = "facility/address/"
    contacts = [_contact(c) for t in ("contact", "contact_backup") for c in loc.findall(t)]
    return Site(
        facility=_text(loc, "facility/name"), city=_text(loc, addr + "city"),
        state=_text(loc, addr + "state"), zip=_text(loc, addr + "zip"),
        country=_text(loc, addr + "country"),
        status=normalise("recruitment_status", _text(loc, "status"), rec, "location/status"),
        contacts=contacts)


def _reference(rtype: str) -> Callable[[Element, TrialRecord], Reference]:
    return lambda r, rec: Reference(pmid=_text(r, "PMID"), citation=_text(r, "citation"), type=rtype)


# -- the mapping: element path under <clinical_study> -> record field, converter -------------
# Read in this order, so that warnings come in the order of the record.

FIELDS: tuple[tuple[str, str, Convert], ...] = (
    ("id_info/org_study_id", "org_study_id", _one),
    ("id_info/secondary_id", "secondary_ids", _each(lambda n, rec: SecondaryId(id=t) if (t := _text(n)) else None)),
    ("brief_title", "brief_title", _one),
    ("official_title", "official_title", _one),
    ("acronym", "acronym", _one),
    ("overall_status", "status", _enum("status")),
    ("why_stopped", "why_stopped", _one),
    ("start_date", "start_date", _dated),
    ("primary_completion_date", "primary_completion_date", _dated),
    ("completion_date", "completion_date", _dated),
    ("study_first_posted", "first_posted", _dated),
    ("last_update_posted", "last_update", _dated),
    ("phase", "phases", _phases),
    ("study_type", "study_type", _enum("study_type")),
    ("study_design_info/allocation", "design.allocation", _enum("allocation")),
    ("study_design_info/intervention_model", "design.intervention_model", _enum("intervention_model")),
    ("study_design_info/primary_purpose", "design.primary_purpose", _enum("primary_purpose")),
    ("study_design_info/masking", "design.masking", _enum("masking")),
    ("study_design_info/observational_model", "design.observational_model", _enum("observational_model")),
    ("study_design_info/time_perspective", "design.time_perspective", _enum("time_perspective")),
    ("enrollment", "enrollment", _enrollment),
    ("enrollment", "enrollment_type", _enrollment_type),
    ("brief_summary/textblock", "brief_summary", _paragraphs),
    ("detailed_description/textblock", "detailed_description", _paragraphs),
    ("condition", "conditions", _many),
    ("keyword", "keywords", _many),
    ("condition_browse/mesh_term", "condition_mesh", _each(_mesh)),
    ("intervention_browse/mesh_term", "intervention_mesh", _each(_mesh)),
    ("primary_outcome", "outcomes", _each(_outcome("primary"))),
    ("secondary_outcome", "outcomes", _each(_outcome("secondary"))),
    ("other_outcome", "outcomes", _each(_outcome("other"))),
    ("arm_group", "arms", _each(_arm)),
    ("intervention", "interventions", _each(_intervention)),
    ("eligibility/criteria/textblock", "eligibility.criteria_text", _lines),
    ("eligibility/gender", "eligibility.sex", _enum("sex")),
    ("eligibility/gender_based", "eligibility.gender_based", _yes_no),
    ("eligibility/minimum_age", "eligibility.min_age_text", _one),
    ("eligibility/maximum_age", "eligibility.max_age_text", _one),
    ("eligibility/minimum_age", "eligibility.min_age_years", _years("min_age_text")),
    ("eligibility/maximum_age", "eligibility.max_age_years", _years("max_age_text")),
    ("eligibility/healthy_volunteers", "eligibility.healthy_volunteers", _healthy_volunteers),
    ("sponsors/lead_sponsor", "sponsors", _first(_sponsor("lead"))),
    ("sponsors/collaborator", "sponsors", _each(_sponsor("collaborator"))),
    ("responsible_party", "responsible_party", _responsible_party),
    ("overall_official", "officials", _each(_official)),
    ("overall_contact", "central_contacts", _first(_contact)),
    ("overall_contact_backup", "central_contacts", _first(_contact)),
    ("location", "sites", _each(_site)),
    ("reference", "references", _each(_reference("BACKGROUND"))),
    ("results_reference", "references", _each(_reference("RESULT"))),
)


def study_to_record(root: Element, prov: Provenance) -> TrialRecord:
    """Map one ``<clinical_study>`` (``FIELDS``); the NCT id must be present and well formed."""
    nct = check_nct(_text(root, "id_info/nct_id"), file=prov.file, record=prov.index, field="id_info/nct_id")
    rec = TrialRecord(id=nct, nct_id=nct, provenance=prov)
    download = _text(root, "required_header/download_date")
    if download:
        m = re.search(r"on (\w+ \d{1,2}, \d{4})", download)
        d = parse_date(m.group(1)) if m else None
        prov.retrieved = d.value if d else None
    for path, target, convert in FIELDS:
        assign(rec, target, convert(root, path, rec))
    return finish_record(rec)
