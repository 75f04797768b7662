"""Structured sources: every vendored ClinicalTrials.gov record, JSON containers, zips,
stdin, enumerations and dates."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from trialkg.errors import InputError, UnsafeInputError
from trialkg.records import TrialRecord
from trialkg.sources import ctgov_json, ctgov_xml, iter_records
from trialkg.sources.dates import parse_age, parse_date
from trialkg.sources.enums import normalise, normalise_phases

DATA = Path(__file__).resolve().parent / "data" / "ctgov"
TRIALKG = shutil.which("trialkg") or "trialkg"


def _titles_from_sources_md(ctgov: Path) -> dict[str, str]:
    """NCT id -> title prefix, from the corpus SOURCES.md table (cut at 90 chars)."""
    titles = {}
    for line in (ctgov / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 4 and re.fullmatch(r"NCT\d{8}", cells[2]):
            titles[cells[2]] = cells[3]
    return titles


def test_every_corpus_record_reads_with_right_id_and_title(ctgov_corpus: Path) -> None:
    ctgov = ctgov_corpus
    titles = _titles_from_sources_md(ctgov)
    files = sorted(p for p in ctgov.rglob("*") if p.suffix in (".xml", ".json"))
    assert len(files) >= 70
    seen = 0
    for path in files:
        results = list(iter_records([path]))
        errors = [r for r in results if isinstance(r, InputError)]
        assert not errors, f"{path}: {errors}"
        if path.parent.name == "search_responses_v2":
            doc = json.loads(path.read_bytes())
            expected = [s["protocolSection"]["identificationModule"] for s in doc["studies"]]
            assert [(r.id, r.title) for r in results] == [(m["nctId"], m["briefTitle"]) for m in expected]
            continue
        (rec,) = results
        assert rec.id == rec.nct_id == path.stem
        assert rec.title
        if path.stem in titles and path.parent.name != "more":
            assert rec.title.replace("（", "(").startswith(titles[path.stem].replace("（", "(")[:80]), path
        seen += 1
    assert seen >= 65


def test_directory_with_readme_and_csv_is_read(ctgov_corpus: Path) -> None:
    results = list(iter_records([ctgov_corpus]))
    assert all(isinstance(r, TrialRecord) for r in results)
    assert len(results) >= 76


def test_full_v2_json_facts() -> None:
    (rec,) = list(iter_records([DATA / "NCT06171568.json"]))
    assert rec.provenance.format == "ctgov-json" and rec.provenance.layout == "study"
    assert rec.title.startswith("Lariboisière Cognitive Assessment")
    assert rec.status and rec.status.isupper()
    assert rec.eligibility.sex in ("ALL", "FEMALE", "MALE")
    assert rec.eligibility.criteria_text


def test_field_filtered_v2_json() -> None:
    (rec,) = list(iter_records([DATA / "NCT06382129.json"]))
    assert rec.id == "NCT06382129"
    assert rec.sponsors and rec.sponsors[0].role == "lead"
    assert rec.phases and all(p.startswith("PHASE") for p in rec.phases)


def test_search_page_records_carry_their_index() -> None:
    results = list(iter_records([DATA / "search_keytruda_limit3_20260811.json"]))
    assert [r.id for r in results] == ["NCT05431270", "NCT03590054", "NCT04795661"]
    assert [r.provenance.index for r in results] == [0, 1, 2]
    assert results[0].phases == ["PHASE1", "PHASE2"]
    assert results[0].start_date.value == "2022-08-11" and results[0].completion_date.precision == "month"


def _studies() -> list[dict]:
    return json.loads((DATA / "search_keytruda_limit3_20260811.json").read_bytes())["studies"]


def test_json_lines_are_streamed(tmp_path: Path) -> None:
    path = tmp_path / "studies.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in _studies()) + "\n", encoding="utf-8")
    results = list(iter_records([path]))
    assert [r.id for r in results] == ["NCT05431270", "NCT03590054", "NCT04795661"]
    assert {r.provenance.layout for r in results} == {"jsonl"}
    assert len({r.provenance.sha256 for r in results}) == 3  # one hash per line


def test_json_array_and_single_line_study(tmp_path: Path) -> None:
    (tmp_path / "array.json").write_text(json.dumps(_studies()), encoding="utf-8")
    (tmp_path / "one.json").write_text(json.dumps(_studies()[0]), encoding="utf-8")
    assert [r.id for r in iter_records([tmp_path / "array.json"])] == ["NCT05431270", "NCT03590054",
                                                                       "NCT04795661"]
    (one,) = list(iter_records([tmp_path / "one.json"]))
    assert one.provenance.layout == "study"


def test_zip_of_bulk_download_is_read_member_by_member(tmp_path: Path) -> None:
    zpath = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for s in _studies():
            zf.writestr(f"{s['protocolSection']['identificationModule']['nctId']}.json", json.dumps(s))
        zf.writestr("NCT04126811.xml", (DATA / "NCT04126811.xml").read_bytes())
        zf.writestr("README.md", "not a record")
    results = list(iter_records([zpath]))
    assert sorted(r.id for r in results) == ["NCT03590054", "NCT04126811", "NCT04795661", "NCT05431270"]
    assert all(r.provenance.member and r.provenance.member.startswith("NCT") for r in results)


def test_zip_member_over_limit_is_refused_and_others_read(tmp_path: Path) -> None:
    zpath = tmp_path / "bomb.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.json", b"{" + b" " * 200_000 + b"}")  # compresses to almost nothing
        zf.writestr("NCT06382129.json", (DATA / "NCT06382129.json").read_bytes())
    results = list(iter_records([zpath], max_member=100_000))
    refused = [r for r in results if isinstance(r, UnsafeInputError)]
    assert len(refused) == 1 and "big.json" in refused[0].file
    assert [r.id for r in results if isinstance(r, TrialRecord)] == ["NCT06382129"]


def test_stdin_is_read() -> None:
    data = (DATA / "NCT04126811.xml").read_bytes()
    proc = subprocess.run([TRIALKG, "parse", "-", "--format", "tsv"], input=data, capture_output=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "NCT04126811" in proc.stdout.decode()


def test_jsonl_stream_reader_directly() -> None:
    text = "\n".join(json.dumps(s) for s in _studies()[:2])
    results = list(ctgov_json.read_stream(io.BytesIO(text.encode()), file="mem.jsonl"))
    assert [r.id for r in results] == ["NCT05431270", "NCT03590054"]


@pytest.mark.parametrize(("kind", "text", "value"), [
    ("phase", "Phase 2", "PHASE2"), ("phase", "PHASE2", "PHASE2"), ("phase", "N/A", "NA"),
    ("status", "Recruiting", "RECRUITING"), ("status", "Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
    ("status", "Unknown status", "UNKNOWN"), ("arm_type", "Active Comparator", "ACTIVE_COMPARATOR"),
    ("arm_type", "No Intervention", "NO_INTERVENTION"), ("intervention_type", "Diagnostic Test", "DIAGNOSTIC_TEST"),
    ("allocation", "Non-Randomized", "NON_RANDOMIZED"), ("intervention_model", "Single Group Assignment",
                                                            "SINGLE_GROUP"),
    ("masking", "Quadruple (Participant, Care Provider, Investigator, Outcomes Assessor)", "QUADRUPLE"),
    ("masking", "None (Open Label)", "NONE"), ("agency_class", "U.S. Fed", "FED"),
    ("date_type", "Anticipated", "ESTIMATED"), ("study_type", "Interventional (Clinical Trial)", "INTERVENTIONAL"),
    ("sex", "All", "ALL"), ("official_role", "Principal Investigator", "PRINCIPAL_INVESTIGATOR"),
])
def test_enum_spellings(kind: str, text: str, value: str) -> None:
    assert normalise(kind, text) == value


def test_unknown_enum_kept_and_warned() -> None:
    rec = TrialRecord(id="NCT00000000", nct_id="NCT00000000", provenance=None)  # type: ignore[arg-type]
    assert normalise("status", "Paused for lunch", rec, "overallStatus") == "Paused for lunch"
    assert rec.warnings[0].field == "overallStatus" and rec.warnings[0].code == "unknown-enum"


def test_phase_lists() -> None:
    assert normalise_phases("Phase 1/Phase 2") == ["PHASE1", "PHASE2"]
    assert normalise_phases(["PHASE2", "PHASE3"]) == ["PHASE2", "PHASE3"]
    assert normalise_phases("Early Phase 1") == ["EARLY_PHASE1"]


@pytest.mark.parametrize(("text", "value", "precision"), [
    ("June 1, 2019", "2019-06-01", "day"), ("June 2019", "2019-06", "month"), ("2019-06", "2019-06", "month"),
    ("2019", "2019", "year"), ("2019-10-30", "2019-10-30", "day"), ("Sept 5, 2020", "2020-09-05", "day"),
    ("1 June 2019", "2019-06-01", "day"), ("2020-02-29", "2020-02-29", "day"),
])
def test_dates_keep_precision(text: str, value: str, precision: str) -> None:
    d = parse_date(text)
    assert (d.value, d.precision) == (value, precision)


@pytest.mark.parametrize("text", ["2019-02-30", "February 30, 2019", "2019-13", "Smarch 2019", "soon"])
def test_impossible_dates_warn(text: str) -> None:
    rec = TrialRecord(id="NCT00000000", nct_id="NCT00000000", provenance=None)  # type: ignore[arg-type]
    assert parse_date(text, record=rec, field="startDate") is None
    assert rec.warnings and rec.warnings[0].field == "startDate"


def test_ages() -> None:
    assert parse_age("18 Years") == 18 and parse_age("6 Months") == 0.5 and parse_age("N/A") is None


def test_impossible_date_in_record_is_a_warning(tmp_path: Path) -> None:
    s = _studies()[0]
    s["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "2019-02-30"
    (tmp_path / "s.json").write_text(json.dumps(s), encoding="utf-8")
    (rec,) = list(iter_records([tmp_path / "s.json"]))
    assert rec.start_date is None
    assert any(w.code == "bad-date" and "2019-02-30" in w.message for w in rec.warnings)


@pytest.mark.parametrize("reader", [ctgov_json, ctgov_xml], ids=["json", "xml"])
def test_field_tables_name_record_fields(reader) -> None:
    """Every row of a reader's table names a field of TrialRecord (dotted into design and
    eligibility), and each registry field feeds one record field once."""
    from trialkg.records import Provenance

    rec = TrialRecord(id="NCT00000000", nct_id="NCT00000000",
                      provenance=Provenance(file="f", format="ctgov-json", sha256="0"))
    for source, target, convert in reader.FIELDS:
        obj = rec
        for part in target.split("."):
            assert hasattr(obj, part), f"{source} -> {target}: no such record field"
            obj = getattr(obj, part)
        assert callable(convert)
    pairs = [(source, target) for source, target, _ in reader.FIELDS]
    assert len(pairs) == len(set(pairs))
