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
from collections.abc import Callable, Iterator
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
from trialkg.sources._common import Result, assign, check_nct, finish_record, sha256_hex
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


# -- converters: (the module's fields, the registry key) -> the record's value -----------

Convert = Callable[[_Fields, str], Any]


def _text(f: _Fields, key: str) -> str | None:
    return f.str(key)


def _texts(f: _Fields, key: str) -> list[str]:
    return f.strs(key)


def _flag(f: _Fields, key: str) -> bool | None:
    return f.bool(key)


def _count(f: _Fields, key: str) -> int | None:
    return f.int(key)


def _enum(table: str, field: str | None = None) -> Convert:
    """A value of the enum ``table`` (sources/enums.py); an unknown one is kept and warned
    about under ``field`` (default: the key)."""
    return lambda f, key: normalise(table, f.str(key), f.record, field or key)


def _enums(table: str, field: str | None = None) -> Convert:
    return lambda f, key: [normalise(table, s, f.record, field or key) or s for s in f.strs(key)]


def _phases(f: _Fields, key: str) -> list[str]:
    return normalise_phases(f.strs(key), f.record)


def _date(f: _Fields, key: str) -> Any:
    """A ``{"date": ..., "type": ACTUAL|ESTIMATED}`` struct."""
    ds = f.sub(key)
    dtype = normalise("date_type", ds.str("type"), f.record, f"{key}.type")
    return parse_date(ds.str("date"), date_type=dtype, record=f.record, field=key)


def _years(text_field: str) -> Convert:
    """Years of the age text the table has already read into ``eligibility.<text_field>``."""
    return lambda f, key: parse_age(getattr(f.record.eligibility, text_field), record=f.record, field=key)


def _each(build: Callable[[_Fields], Any]) -> Convert:
    """One record object per item of a list of objects; ``build`` returns None to skip one."""
    return lambda f, key: [x for x in (build(item) for item in f.objects(key)) if x is not None]


def _sponsor(role: str, class_field: str) -> Callable[[_Fields], Sponsor | None]:
    return lambda s: Sponsor(name=s.str("name") or "", role=role, sponsor_class=normalise(
        "agency_class", s.str("class"), s.record, class_field)) if s.str("name") else None


def _lead_sponsor(f: _Fields, key: str) -> list[Sponsor]:
    lead = _sponsor("lead", "leadSponsor.class")(f.sub(key))
    return [lead] if lead else []


def _responsible_party(f: _Fields, key: str) -> ResponsibleParty | None:
    rp = f.sub(key)
    if not rp.obj:
        return None
    return ResponsibleParty(
        type=normalise("responsible_party", rp.str("type"), rp.record, "responsibleParty.type"),
        investigator_name=rp.str("investigatorFullName") or rp.str("oldNameTitle"),
        investigator_title=rp.str("investigatorTitle"),
        investigator_affiliation=rp.str("investigatorAffiliation") or rp.str("oldOrganization"),
    )


def _arm(a: _Fields) -> Arm | None:
    if not a.str("label"):
        a.record.warn(a.path, "arm without a label skipped", code="missing-field")
        return None
    return Arm(label=a.str("label") or "", type=normalise("arm_type", a.str("type"), a.record, "armGroups.type"),
               description=a.str("description"), intervention_names=a.strs("interventionNames"))


def _intervention(iv: _Fields) -> Intervention | None:
    if not iv.str("name"):
        iv.record.warn(iv.path, "intervention without a name skipped", code="missing-field")
        return None
    return Intervention(
        name=iv.str("name") or "",
        type=normalise("intervention_type", iv.str("type"), iv.record, "interventions.type"),
        description=iv.str("description"), other_names=iv.strs("otherNames"),
        arm_labels=iv.strs("armGroupLabels"))


def _outcome(kind: str) -> Callable[[_Fields], Outcome | None]:
    return lambda o: Outcome(measure=o.str("measure") or "", kind=kind,  # type: ignore[arg-type]
                             description=o.str("description"), time_frame=o.str("timeFrame")) \
        if o.str("measure") else None


def _official(o: _Fields) -> Official | None:
    if not o.str("name"):
        return None
    return Official(name=o.str("name") or "",
                    role=normalise("official_role", o.str("role"), o.record, "overallOfficials.role"),
                    affiliation=o.str("affiliation"))


def _site(loc: _Fields) -> Site:
    geo = loc.sub("geoPoint")
    lat, lon = geo.float("lat"), geo.float("lon")
    return Site(
        facility=loc.str("facility"), city=loc.str("city"), state=loc.str("state"),
        zip=loc.str("zip"), country=loc.str("country"),
        status=normalise("recruitment_status", loc.str("status"), loc.record, "locations.status"),
        geo=GeoPoint(lat, lon) if lat is not None and lon is not None else None,
        contacts=[_contact(c) for c in loc.objects("contacts")])


def _contact(c: _Fields) -> Contact:
    return Contact(name=c.str("name"), role=c.str("role"), phone=c.str("phone"), email=c.str("email"))


def _reference(r: _Fields) -> Reference:
    return Reference(pmid=r.str("pmid"), citation=r.str("citation"),
                     type=normalise("reference_type", r.str("type"), r.record, "references.type"))


def _mesh(m: _Fields) -> dict[str, str] | None:
    return {"id": m.str("id") or "", "term": m.str("term") or ""} if m.str("term") else None


# -- the mapping: API v2 field (path in the study object) -> record field, converter ---------
# Read in this order, so that warnings come in the order of the study object.

P = "protocolSection."
FIELDS: tuple[tuple[str, str, Convert], ...] = (
    (P + "identificationModule.orgStudyIdInfo.id", "org_study_id", _text),
    (P + "identificationModule.secondaryIdInfos", "secondary_ids", _each(
        lambda s: SecondaryId(id=s.str("id") or "", type=s.str("type"), domain=s.str("domain"))
        if s.str("id") else None)),
    (P + "identificationModule.briefTitle", "brief_title", _text),
    (P + "identificationModule.officialTitle", "official_title", _text),
    (P + "identificationModule.acronym", "acronym", _text),
    (P + "statusModule.overallStatus", "status", _enum("status")),
    (P + "statusModule.whyStopped", "why_stopped", _text),
    (P + "statusModule.startDateStruct", "start_date", _date),
    (P + "statusModule.primaryCompletionDateStruct", "primary_completion_date", _date),
    (P + "statusModule.completionDateStruct", "completion_date", _date),
    (P + "statusModule.studyFirstPostDateStruct", "first_posted", _date),
    (P + "statusModule.lastUpdatePostDateStruct", "last_update", _date),
    (P + "sponsorCollaboratorsModule.leadSponsor", "sponsors", _lead_sponsor),
    (P + "sponsorCollaboratorsModule.collaborators", "sponsors", _each(
        _sponsor("collaborator", "collaborators.class"))),
    (P + "sponsorCollaboratorsModule.responsibleParty", "responsible_party", _responsible_party),
    (P + "descriptionModule.briefSummary", "brief_summary", _text),
    (P + "descriptionModule.detailedDescription", "detailed_description", _text),
    (P + "conditionsModule.conditions", "conditions", _texts),
    (P + "conditionsModule.keywords", "keywords", _texts),
    (P + "designModule.studyType", "study_type", _enum("study_type")),
    (P + "designModule.phases", "phases", _phases),
    (P + "designModule.designInfo.allocation", "design.allocation", _enum("allocation")),
    (P + "designModule.designInfo.interventionModel", "design.intervention_model", _enum("intervention_model")),
    (P + "designModule.designInfo.primaryPurpose", "design.primary_purpose", _enum("primary_purpose")),
    (P + "designModule.designInfo.observationalModel", "design.observational_model",
     _enum("observational_model")),
    (P + "designModule.designInfo.timePerspective", "design.time_perspective", _enum("time_perspective")),
    (P + "designModule.designInfo.maskingInfo.masking", "design.masking", _enum("masking")),
    (P + "designModule.enrollmentInfo.count", "enrollment", _count),
    (P + "designModule.enrollmentInfo.type", "enrollment_type", _enum("date_type", "enrollmentInfo.type")),
    (P + "armsInterventionsModule.armGroups", "arms", _each(_arm)),
    (P + "armsInterventionsModule.interventions", "interventions", _each(_intervention)),
    (P + "outcomesModule.primaryOutcomes", "outcomes", _each(_outcome("primary"))),
    (P + "outcomesModule.secondaryOutcomes", "outcomes", _each(_outcome("secondary"))),
    (P + "outcomesModule.otherOutcomes", "outcomes", _each(_outcome("other"))),
    (P + "eligibilityModule.eligibilityCriteria", "eligibility.criteria_text", _text),
    (P + "eligibilityModule.healthyVolunteers", "eligibility.healthy_volunteers", _flag),
    (P + "eligibilityModule.sex", "eligibility.sex", _enum("sex")),
    (P + "eligibilityModule.genderBased", "eligibility.gender_based", _flag),
    (P + "eligibilityModule.minimumAge", "eligibility.min_age_text", _text),
    (P + "eligibilityModule.maximumAge", "eligibility.max_age_text", _text),
    (P + "eligibilityModule.minimumAge", "eligibility.min_age_years", _years("min_age_text")),
    (P + "eligibilityModule.maximumAge", "eligibility.max_age_years", _years("max_age_text")),
    (P + "eligibilityModule.stdAges", "eligibility.std_ages", _enums("standard_age", "stdAges")),
    (P + "contactsLocationsModule.centralContacts", "central_contacts", _each(_contact)),
    (P + "contactsLocationsModule.overallOfficials", "officials", _each(_official)),
    (P + "contactsLocationsModule.locations", "sites", _each(_site)),
    (P + "referencesModule.references", "references", _each(_reference)),
    ("derivedSection.conditionBrowseModule.meshes", "condition_mesh", _each(_mesh)),
    ("derivedSection.interventionBrowseModule.meshes", "intervention_mesh", _each(_mesh)),
)


def study_to_record(study: Any, prov: Provenance) -> TrialRecord:
    """Map one API v2 study object (``FIELDS``); the NCT id must be present and well formed."""
    if isinstance(study, dict) and "Study" in study and "protocolSection" not in study:
        study = study["Study"]
    if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
        raise InputError("not an API v2 study object (no 'protocolSection')",
                         file=prov.file, record=prov.index, field="protocolSection")
    ident = study["protocolSection"].get("identificationModule")
    nct = check_nct(ident.get("nctId") if isinstance(ident, dict) else None, file=prov.file,
                    record=prov.index, field="protocolSection.identificationModule.nctId")
    rec = TrialRecord(id=nct, nct_id=nct, provenance=prov)
    modules = {"": _Fields(rec, study, "")}
    for source, target, convert in FIELDS:
        parent, _, key = source.rpartition(".")
        assign(rec, target, convert(_module(modules, parent), key))
    return finish_record(rec)


def _module(modules: dict[str, _Fields], path: str) -> _Fields:
    """The object at ``path``, each read once (a wrong type is warned about once)."""
    if path not in modules:
        parent, _, key = path.rpartition(".")
        modules[path] = _module(modules, parent).sub(key)
    return modules[path]


def read_text(text: str, *, file: str = "<text>") -> list[Result]:
    """Convenience for tests and callers holding a string."""
    return list(read_stream(io.BytesIO(text.encode("utf-8")), file=file))
