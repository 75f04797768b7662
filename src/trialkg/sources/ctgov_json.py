"""Reader for ClinicalTrials.gov API v2 JSON.

Accepts one study object, a search page (``{"studies": [...], "nextPageToken": ...}``),
a JSON array of studies, and JSON lines (one study per line, streamed line by line so a
big export never sits in memory). Field-filtered responses (``fields=``) simply lack
modules; every module is optional. A study that cannot be read yields an
``InputError`` naming the file, record index and field, and the others go on.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from trialkg.errors import InputError, TrialKGError
from trialkg.records import (
    Arm,
    Contact,
    GeoPoint,
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
from trialkg.sources._common import Result, check_nct, finish_record, sha256_hex
from trialkg.sources.dates import parse_age, parse_date
from trialkg.sources.enums import normalise, normalise_phases
from trialkg.sources.guards import check_depth, load_json, not_utf8, parse_count


def iter_records(source: str | Path | IO[bytes], *, name: str | None = None) -> Iterator[Result]:
    """Records of one JSON file (path or binary stream); ``name`` is how to report it."""
    if isinstance(source, (str, Path)):
        file = name or str(source)
        try:
            with open(source, "rb") as fh:
                yield from read_stream(fh, file=file)
        except OSError as exc:
            yield InputError(f"cannot open: {exc.strerror or exc}", file=file)
        return
    yield from read_stream(source, file=name or getattr(source, "name", "<stream>"))


def read_stream(stream: IO[bytes], *, file: str, member: str | None = None) -> Iterator[Result]:
    """One JSON document, or JSON lines when the first line is a whole object and more follow."""
    first = stream.readline()
    try:
        first_doc = load_json(first) if first.strip() else None
    except (ValueError, UnicodeDecodeError, TrialKGError):
        first_doc = None
    if isinstance(first_doc, dict):
        blanks = b""
        nxt = stream.readline()
        while nxt and not nxt.strip():
            blanks += nxt
            nxt = stream.readline()
        if not nxt:  # a single-line document
            yield from read_bytes(first + blanks, file=file, member=member)
            return
        yield from _read_lines(itertools.chain([first, nxt], stream), file=file, member=member)
        return
    data = first + stream.read()
    yield from read_bytes(data, file=file, member=member)


def _read_lines(lines: Iterator[bytes], *, file: str, member: str | None) -> Iterator[Result]:
    """JSON lines, streamed: each record's sha256 is of its own line."""
    index = 0
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = load_json(line)
        except UnicodeDecodeError as exc:
            yield InputError(f"line {lineno}: {not_utf8(exc)}", file=file, record=index)
            index += 1
            continue
        except TrialKGError as exc:
            yield InputError(f"line {lineno}: {exc.message}", file=file, record=index, field=exc.field)
            index += 1
            continue
        except ValueError as exc:
            where = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            msg = exc.msg.removesuffix(" at") if isinstance(exc, json.JSONDecodeError) else str(exc)
            yield InputError(f"line {lineno}: not valid JSON: {msg}{where}", file=file, record=index)
            index += 1
            continue
        studies = doc["studies"] if isinstance(doc, dict) and isinstance(doc.get("studies"), list) else [doc]
        for study in studies:  # a line may hold a whole search page
            prov = Provenance(file=file, format="ctgov-json", sha256=sha256_hex(line.strip()),
                              layout="jsonl", index=index, member=member)
            yield _one(study, prov)
            index += 1


def read_bytes(data: bytes, *, file: str, member: str | None = None) -> Iterator[Result]:
    """Records of a whole JSON document: a study, a search page or an array."""
    try:
        doc = load_json(data)
    except UnicodeDecodeError as exc:
        yield InputError(not_utf8(exc), file=file)
        return
    except TrialKGError as exc:
        yield exc.located(file=file)
        return
    except ValueError as exc:
        msg = str(exc)
        truncated = msg.startswith("Unterminated string") or ("Expecting" in msg and _near_end(exc, data))
        hint = " (truncated?)" if truncated else ""
        yield InputError(f"not valid JSON{hint}: {msg}", file=file)
        return
    digest = sha256_hex(data)
    if isinstance(doc, dict) and isinstance(doc.get("studies"), list):
        studies, layout = doc["studies"], "search-page"
    elif isinstance(doc, list):
        studies, layout = doc, "array"
    elif isinstance(doc, dict) and ("protocolSection" in doc or "Study" in doc):
        studies, layout = [doc], "study"
    elif isinstance(doc, dict) and "FullStudiesResponse" in doc:
        yield InputError("legacy API v1 'FullStudiesResponse' envelope: fetch the study from API v2",
                         file=file)
        return
    else:
        yield InputError("not a ClinicalTrials.gov API v2 study, search page or array "
                         "(no 'protocolSection' or 'studies')", file=file)
        return
    for index, study in enumerate(studies):
        prov = Provenance(file=file, format="ctgov-json", sha256=digest, layout=layout,
                          index=index if layout != "study" else None, member=member)
        yield _one(study, prov)


def _near_end(exc: ValueError, data: bytes) -> bool:
    pos = getattr(exc, "pos", None)
    return pos is not None and pos >= len(data.rstrip()) - 1


def _one(study: Any, prov: Provenance) -> Result:
    where = prov.index
    try:
        check_depth(study)
        return study_to_record(study, prov)
    except TrialKGError as exc:
        return exc.located(file=prov.file, record=where)  # type: ignore[return-value]
    except (TypeError, AttributeError, ValueError, KeyError) as exc:
        return InputError(f"unexpected structure: {type(exc).__name__}: {exc}",
                          file=prov.file, record=where)


# ---------------------------------------------------------------------------
# study object -> TrialRecord
# ---------------------------------------------------------------------------


class _Fields:
    """Type-checked access to one module: a wrong type is a warning, never a crash."""

    def __init__(self, record: TrialRecord, obj: Any, path: str) -> None:
        self.record = record
        self.obj = obj if isinstance(obj, dict) else {}
        self.path = path
        if obj is not None and not isinstance(obj, dict):
            record.warn(path, f"expected an object, got {type(obj).__name__}; ignored", code="bad-type")

    def sub(self, key: str) -> _Fields:
        return _Fields(self.record, self.obj.get(key), f"{self.path}.{key}" if self.path else key)

    def _get(self, key: str, kinds: tuple[type, ...], what: str) -> Any:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) and bool not in kinds:
            value = None
        if value is None or not isinstance(value, kinds):
            self.record.warn(f"{self.path}.{key}", f"expected {what}, got {type(self.obj.get(key)).__name__}; ignored",
                             code="bad-type")
            return None
        return value

    def str(self, key: str) -> str | None:
        value = self._get(key, (str, int, float), "a string")
        return None if value is None else str(value).strip() or None

    def int(self, key: str) -> int | None:
        value = self.obj.get(key)
        if isinstance(value, str):  # "250", or a number too long to be a count (guards.BigNumber)
            return parse_count(value, self.record, f"{self.path}.{key}")
        return self._get(key, (int,), "an integer")

    def bool(self, key: str) -> bool | None:
        value = self.obj.get(key)
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
            return value.lower() in ("true", "yes")
        return self._get(key, (bool,), "true/false")

    def float(self, key: str) -> float | None:
        value = self._get(key, (int, float), "a number")
        return None if value is None else float(value)

    def list(self, key: str) -> list[Any]:
        return self._get(key, (list,), "a list") or []

    def strs(self, key: str) -> list[str]:
        return [str(v).strip() for v in self.list(key) if isinstance(v, (str, int, float)) and str(v).strip()]

    def objects(self, key: str) -> list[_Fields]:
        out = []
        for i, item in enumerate(self.list(key)):
            out.append(_Fields(self.record, item, f"{self.path}.{key}[{i}]"))
        return out


def study_to_record(study: Any, prov: Provenance) -> TrialRecord:
    """Map one API v2 study object; the NCT id must be present and well formed."""
    if isinstance(study, dict) and "Study" in study and "protocolSection" not in study:
        study = study["Study"]
    if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
        raise InputError("not an API v2 study object (no 'protocolSection')",
                         file=prov.file, record=prov.index, field="protocolSection")
    ps = study["protocolSection"]
    ident = ps.get("identificationModule")
    nct = check_nct(ident.get("nctId") if isinstance(ident, dict) else None, file=prov.file,
                    record=prov.index, field="protocolSection.identificationModule.nctId")
    rec = TrialRecord(id=nct, nct_id=nct, provenance=prov)
    root = _Fields(rec, ps, "protocolSection")

    idm = root.sub("identificationModule")
    rec.org_study_id = idm.sub("orgStudyIdInfo").str("id")
    rec.secondary_ids = [SecondaryId(id=s.str("id") or "", type=s.str("type"), domain=s.str("domain"))
                         for s in idm.objects("secondaryIdInfos") if s.str("id")]
    rec.brief_title = idm.str("briefTitle")
    rec.official_title = idm.str("officialTitle")
    rec.acronym = idm.str("acronym")

    st = root.sub("statusModule")
    rec.status = normalise("status", st.str("overallStatus"), rec, "overallStatus")
    rec.why_stopped = st.str("whyStopped")
    for attr, key in (("start_date", "startDateStruct"),
                      ("primary_completion_date", "primaryCompletionDateStruct"),
                      ("completion_date", "completionDateStruct"),
                      ("first_posted", "studyFirstPostDateStruct"),
                      ("last_update", "lastUpdatePostDateStruct")):
        ds = st.sub(key)
        dtype = normalise("date_type", ds.str("type"), rec, f"{key}.type")
        setattr(rec, attr, parse_date(ds.str("date"), date_type=dtype, record=rec, field=key))

    sp = root.sub("sponsorCollaboratorsModule")
    lead = sp.sub("leadSponsor")
    if lead.str("name"):
        rec.sponsors.append(Sponsor(name=lead.str("name") or "", role="lead",
                                    sponsor_class=normalise("agency_class", lead.str("class"), rec,
                                                            "leadSponsor.class")))
    for c in sp.objects("collaborators"):
        if c.str("name"):
            rec.sponsors.append(Sponsor(name=c.str("name") or "", role="collaborator",
                                        sponsor_class=normalise("agency_class", c.str("class"), rec,
                                                                "collaborators.class")))
    rp = sp.sub("responsibleParty")
    if rp.obj:
        rec.responsible_party = ResponsibleParty(
            type=normalise("responsible_party", rp.str("type"), rec, "responsibleParty.type"),
            investigator_name=rp.str("investigatorFullName") or rp.str("oldNameTitle"),
            investigator_title=rp.str("investigatorTitle"),
            investigator_affiliation=rp.str("investigatorAffiliation") or rp.str("oldOrganization"),
        )

    desc = root.sub("descriptionModule")
    rec.brief_summary = desc.str("briefSummary")
    rec.detailed_description = desc.str("detailedDescription")

    cond = root.sub("conditionsModule")
    rec.conditions = cond.strs("conditions")
    rec.keywords = cond.strs("keywords")

    des = root.sub("designModule")
    rec.study_type = normalise("study_type", des.str("studyType"), rec, "studyType")
    rec.phases = normalise_phases(des.strs("phases"), rec)
    info = des.sub("designInfo")
    rec.design.allocation = normalise("allocation", info.str("allocation"), rec, "allocation")
    rec.design.intervention_model = normalise("intervention_model", info.str("interventionModel"),
                                              rec, "interventionModel")
    rec.design.primary_purpose = normalise("primary_purpose", info.str("primaryPurpose"), rec,
                                           "primaryPurpose")
    rec.design.observational_model = normalise("observational_model", info.str("observationalModel"),
                                               rec, "observationalModel")
    rec.design.time_perspective = normalise("time_perspective", info.str("timePerspective"), rec,
                                            "timePerspective")
    rec.design.masking = normalise("masking", info.sub("maskingInfo").str("masking"), rec, "masking")
    enr = des.sub("enrollmentInfo")
    rec.enrollment = enr.int("count")
    rec.enrollment_type = normalise("date_type", enr.str("type"), rec, "enrollmentInfo.type")

    ai = root.sub("armsInterventionsModule")
    for a in ai.objects("armGroups"):
        if not a.str("label"):
            rec.warn(a.path, "arm without a label skipped", code="missing-field")
            continue
        rec.arms.append(Arm(label=a.str("label") or "",
                            type=normalise("arm_type", a.str("type"), rec, "armGroups.type"),
                            description=a.str("description"),
                            intervention_names=a.strs("interventionNames")))
    for iv in ai.objects("interventions"):
        if not iv.str("name"):
            rec.warn(iv.path, "intervention without a name skipped", code="missing-field")
            continue
        rec.interventions.append(Intervention(
            name=iv.str("name") or "",
            type=normalise("intervention_type", iv.str("type"), rec, "interventions.type"),
            description=iv.str("description"), other_names=iv.strs("otherNames"),
            arm_labels=iv.strs("armGroupLabels")))

    om = root.sub("outcomesModule")
    for key, kind in (("primaryOutcomes", "primary"), ("secondaryOutcomes", "secondary"),
                      ("otherOutcomes", "other")):
        for o in om.objects(key):
            if o.str("measure"):
                rec.outcomes.append(Outcome(measure=o.str("measure") or "", kind=kind,  # type: ignore[arg-type]
                                            description=o.str("description"), time_frame=o.str("timeFrame")))

    el = root.sub("eligibilityModule")
    e = rec.eligibility
    e.criteria_text = el.str("eligibilityCriteria")
    e.healthy_volunteers = el.bool("healthyVolunteers")
    e.sex = normalise("sex", el.str("sex"), rec, "sex")
    e.gender_based = el.bool("genderBased")
    e.min_age_text = el.str("minimumAge")
    e.max_age_text = el.str("maximumAge")
    e.min_age_years = parse_age(e.min_age_text, record=rec, field="minimumAge")
    e.max_age_years = parse_age(e.max_age_text, record=rec, field="maximumAge")
    e.std_ages = [normalise("standard_age", s, rec, "stdAges") or s for s in el.strs("stdAges")]

    cl = root.sub("contactsLocationsModule")
    rec.central_contacts = [_contact(c) for c in cl.objects("centralContacts")]
    for o in cl.objects("overallOfficials"):
        if o.str("name"):
            rec.officials.append(Official(name=o.str("name") or "",
                                          role=normalise("official_role", o.str("role"), rec, "overallOfficials.role"),
                                          affiliation=o.str("affiliation")))
    for loc in cl.objects("locations"):
        geo = loc.sub("geoPoint")
        lat, lon = geo.float("lat"), geo.float("lon")
        rec.sites.append(Site(
            facility=loc.str("facility"), city=loc.str("city"), state=loc.str("state"),
            zip=loc.str("zip"), country=loc.str("country"),
            status=normalise("recruitment_status", loc.str("status"), rec, "locations.status"),
            geo=GeoPoint(lat, lon) if lat is not None and lon is not None else None,
            contacts=[_contact(c) for c in loc.objects("contacts")]))

    for r in root.sub("referencesModule").objects("references"):
        rec.references.append(Reference(pmid=r.str("pmid"), citation=r.str("citation"),
                                        type=normalise("reference_type", r.str("type"), rec, "references.type")))

    derived = _Fields(rec, study.get("derivedSection"), "derivedSection")
    for key, target in (("conditionBrowseModule", rec.condition_mesh),
                        ("interventionBrowseModule", rec.intervention_mesh)):
        for m in derived.sub(key).objects("meshes"):
            if m.str("term"):
                target.append({"id": m.str("id") or "", "term": m.str("term") or ""})
    return finish_record(rec)


def _contact(c: _Fields) -> Contact:
    return Contact(name=c.str("name"), role=c.str("role"), phone=c.str("phone"), email=c.str("email"))


def read_text(text: str, *, file: str = "<text>") -> list[Result]:
    """Convenience for tests and callers holding a string."""
    return list(read_stream(io.BytesIO(text.encode("utf-8")), file=file))
