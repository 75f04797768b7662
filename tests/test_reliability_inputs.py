"""Hostile and broken inputs through the CLI: one exact line each, nothing lost.

Every case builds a bad file together with a good record (``trialkg build`` on a temp
``--store``, run from ``tests/data/bad`` so paths print as given) and checks the exact
``trialkg: rejected:`` line on stderr (file, record, field), the exit code, the same
location in the JSON summary, and with ``trialkg list`` that every good record of the
batch was built. The commands run through the CLI's entry point in the test process
(tests/cli_support.py); builds with parsing processes (``-j 2``) run the installed
script. The corpus and how each file was cut from a real record:
``tests/data/bad/README.md``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cli_support import run as in_process

from trialkg.errors import InputError, UnsafeInputError
from trialkg.sources import iter_records

HERE = Path(__file__).resolve().parent
BAD = HERE / "data" / "bad"
CTGOV = HERE / "data" / "ctgov"
GOOD = "../ctgov/NCT06171568.json"  # a real record built beside every bad file
GOOD_ID = "NCT06171568"
TRIALKG = shutil.which("trialkg") or "trialkg"


def trialkg(*args: str, cwd: Path = BAD) -> subprocess.CompletedProcess[str]:
    return in_process(*args, cwd=cwd)


def build(store: Path, *sources: str, jobs: int = 1, cwd: Path = BAD) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    args = ("build", "--store", str(store), "--format", "json", "-j", str(jobs), *sources)
    if jobs == 1:
        proc = trialkg(*args, cwd=cwd)
    else:  # the pool of parsing processes, started by the installed script
        proc = subprocess.run([TRIALKG, *args], capture_output=True, text=True, check=False, cwd=cwd, timeout=600)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, json.loads(proc.stdout)


def listed(store: Path) -> dict[str, dict[str, Any]]:
    proc = trialkg("list", "--store", str(store), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return {row["id"]: row for row in json.loads(proc.stdout)}


def show(store: Path, trial: str) -> dict[str, Any]:
    proc = trialkg("show", "--store", str(store), trial, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def rejected_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [ln.removeprefix("trialkg: rejected: ") for ln in proc.stderr.splitlines()
            if ln.startswith("trialkg: rejected: ")]


LAYOUT = ("layout: unknown page layout (expected a ClinicalTrials.gov study page, "
          "the classic tabular page or the aggregator page)")
NO_ENTITIES = "XML with a DOCTYPE or entity declaration refused (entity expansion is unsafe)"

# file -> (exact rejected line, (file, record, field) in the JSON summary, good ids it also holds)
REJECTS: dict[str, tuple[str, tuple[str, int | None, str | None], list[str]]] = {
    "truncated_NCT06382129.json": (
        "truncated_NCT06382129.json: not valid JSON (truncated?): Unterminated string starting at: "
        "line 54 column 30 (char 1597)",
        ("truncated_NCT06382129.json", None, None), []),
    "wrong_shape_search_page_keytruda.json": (
        "wrong_shape_search_page_keytruda.json [record 1]: protocolSection: not an API v2 study object "
        "(no 'protocolSection')",
        ("wrong_shape_search_page_keytruda.json", 1, "protocolSection"), ["NCT05431270", "NCT04795661"]),
    "broken_line_keytruda.jsonl": (
        "broken_line_keytruda.jsonl [record 1]: line 2: not valid JSON: Invalid control character at column 1017",
        ("broken_line_keytruda.jsonl", 1, None), ["NCT05431270", "NCT04795661"]),
    "broken_member_keytruda.zip": (
        "broken_member_keytruda.zip!NCT04795661.json: cannot read zip member: Error -3 while decompressing "
        "data: invalid literal/lengths set",
        ("broken_member_keytruda.zip!NCT04795661.json", None, None), ["NCT05431270"]),
    "zip_bomb_NCT06382129.zip": (
        "zip_bomb_NCT06382129.zip!bomb.json: zip member declares 1073741826 bytes, over the 67108864-byte "
        "limit (set TRIALKG_MAX_MEMBER_MB)",
        ("zip_bomb_NCT06382129.zip!bomb.json", None, None), ["NCT06382129"]),
    "entities_billion_laughs.xml": (
        f"entities_billion_laughs.xml: {NO_ENTITIES}", ("entities_billion_laughs.xml", None, None), []),
    "external_entity.xml": (f"external_entity.xml: {NO_ENTITIES}", ("external_entity.xml", None, None), []),
    "malformed_NCT04126811.xml": (
        "malformed_NCT04126811.xml: malformed XML: no element found: line 58, column 104",
        ("malformed_NCT04126811.xml", None, None), []),
    "latin1_NCT06382129.json": (
        "latin1_NCT06382129.json: not UTF-8 text: byte 0xe9 at offset 257 (invalid continuation byte); "
        "save the file as UTF-8",
        ("latin1_NCT06382129.json", None, None), []),
    "unknown_layout_from_002.txt": (f"unknown_layout_from_002.txt: {LAYOUT}",
                                    ("unknown_layout_from_002.txt", None, "layout"), []),
    "not_a_trial_record.txt": (f"not_a_trial_record.txt: {LAYOUT}", ("not_a_trial_record.txt", None, "layout"), []),
    "malformed_nct_NCT06382129.json": (
        "malformed_nct_NCT06382129.json: protocolSection.identificationModule.nctId: malformed NCT id "
        "'NCT-6382129' (expected NCT followed by 8 digits)",
        ("malformed_nct_NCT06382129.json", None, "protocolSection.identificationModule.nctId"), []),
    "malformed_nct_in_search_page_keytruda.json": (
        "malformed_nct_in_search_page_keytruda.json [record 1]: protocolSection.identificationModule.nctId: "
        "malformed NCT id 'NCT0359005' (expected NCT followed by 8 digits)",
        ("malformed_nct_in_search_page_keytruda.json", 1, "protocolSection.identificationModule.nctId"),
        ["NCT05431270", "NCT04795661"]),
}


@pytest.mark.parametrize("name", sorted(REJECTS))
def test_bad_file_is_one_exact_line_and_the_batch_is_built(tmp_path: Path, name: str) -> None:
    line, (file, record, field), good_ids = REJECTS[name]
    proc, summary = build(tmp_path / "store", name, GOOD)
    assert proc.returncode == 1
    assert rejected_lines(proc) == [line]
    (rej,) = summary["rejected"]
    assert (rej["file"], rej["record"], rej["field"]) == (file, record, field)
    assert rej["message"] == line
    assert set(listed(tmp_path / "store")) == {GOOD_ID, *good_ids}


def test_entities_are_never_expanded(tmp_path: Path) -> None:
    """XXE and billion laughs are refused before parsing, so nothing of them is stored."""
    proc, _ = build(tmp_path / "store", "external_entity.xml", "entities_billion_laughs.xml", GOOD)
    assert proc.returncode == 1
    export = trialkg("export", "--store", str(tmp_path / "store"), "--format", "nquads")
    assert export.returncode == 0
    assert "root:" not in export.stdout and "lollol" not in export.stdout
    assert "NCT00000001" not in export.stdout and "NCT00000002" not in export.stdout


@pytest.mark.parametrize("variant", ["doctype_after_70kb_comment", "utf16_doctype"])
def test_entities_hidden_from_the_quick_scan_are_still_refused(tmp_path: Path, variant: str) -> None:
    """The DOCTYPE scan looks at the first 64 KiB of bytes; defusedxml (forbid_dtd) is the second wall."""
    xml = (BAD / "entities_billion_laughs.xml").read_text(encoding="utf-8")
    decl, rest = xml.split("\n", 1)
    if variant == "doctype_after_70kb_comment":
        data = (decl + "\n<!--" + "x" * 70_000 + "-->\n" + rest).encode("utf-8")
    else:
        data = xml.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    path = tmp_path / f"{variant}.xml"
    path.write_bytes(data)
    (err,) = list(iter_records([path]))
    assert err.file == str(path)
    # UTF-16 is transcoded to UTF-8 first (sources.guards), so the byte scan sees the DOCTYPE
    assert isinstance(err, UnsafeInputError) and ("DTD" in str(err) or "DOCTYPE" in str(err))


def test_lying_zip_member_is_refused(tmp_path: Path) -> None:
    """A member whose header declares fewer bytes than it holds is caught while streaming."""
    path = tmp_path / "lying.zip"
    study = (CTGOV / "NCT06382129.json").read_bytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("NCT06382129.json", study)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("NCT06382129.json")
    # Patch the declared (uncompressed) size in the central directory to a small number.
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24:cd + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    results = list(iter_records([path], max_member=info.file_size * 2))
    assert [type(r) for r in results] in ([InputError], [UnsafeInputError])
    assert results[0].file == f"{path}!NCT06382129.json"


def _build_one(tmp_path: Path, name: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], dict[str, Any]]:
    proc, summary = build(tmp_path / "store", name, GOOD)
    assert proc.returncode == 0, proc.stderr
    assert set(listed(tmp_path / "store")) == {"NCT06382129", GOOD_ID}
    return proc, summary, show(tmp_path / "store", "NCT06382129")


def test_unknown_enum_values_are_kept_and_warned(tmp_path: Path) -> None:
    _, summary, view = _build_one(tmp_path, "unknown_enums_NCT06382129.json")
    assert "NCT06382129: overallStatus: unknown status value 'PAUSED_FOR_REVIEW' kept as written" in summary["warnings"]
    assert "NCT06382129: phases: unknown phase value 'PHASE5' kept as written" in summary["warnings"]
    assert view["status"] == "PAUSED_FOR_REVIEW" and view["phases"] == ["PHASE3", "PHASE5"]
    # SHACL names the value no table knows: validate exits 1, it does not crash.
    proc = trialkg("validate", "--store", str(tmp_path / "store"))
    assert proc.returncode == 1 and "PHASE5" in proc.stdout


def test_impossible_date_is_dropped_and_partial_dates_keep_their_precision(tmp_path: Path) -> None:
    _, summary, view = _build_one(tmp_path, "bad_dates_NCT06382129.json")
    assert "NCT06382129: startDateStruct: impossible date '2019-02-30'" in summary["warnings"]
    assert view["start_date"] is None
    assert view["primary_completion_date"] == "2025" and view["completion_date"] == "2026-12"
    assert trialkg("validate", "--store", str(tmp_path / "store")).returncode == 0


def test_negative_enrollment_is_dropped_with_a_warning(tmp_path: Path) -> None:
    _, summary, view = _build_one(tmp_path, "negative_enrollment_NCT06382129.json")
    assert "NCT06382129: enrollment: negative enrollment -698 is impossible; dropped" in summary["warnings"]
    assert view["enrollment"] is None
    assert trialkg("validate", "--store", str(tmp_path / "store")).returncode == 0


# -- the same NCT id twice in one batch: the later record in input order wins ----------


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("order", ["original-first", "duplicate-first"])
def test_duplicate_id_later_record_wins_with_a_warning(tmp_path: Path, order: str, jobs: int) -> None:
    first, second = "../ctgov/NCT06382129.json", "duplicate_NCT06382129.json"
    if order == "duplicate-first":
        first, second = second, first
    proc, summary = build(tmp_path / "store", first, GOOD, second, jobs=jobs)
    assert proc.returncode == 0, proc.stderr
    assert summary["trials"] == 2
    # The same last update and the same size: the later record in input order (trialkg.versions)
    assert (f"NCT06382129: two versions, kept {second} over {first} "
            "(the same last update and size: the later record in input order)") in summary["warnings"]
    rows = listed(tmp_path / "store")
    assert set(rows) == {"NCT06382129", GOOD_ID}
    assert rows["NCT06382129"]["source"] == second
    expected_title = json.loads((BAD / second).read_text(encoding="utf-8"))["protocolSection"][
        "identificationModule"]["briefTitle"]
    assert rows["NCT06382129"]["title"] == expected_title
    # Exactly one trial node and one title: nothing of the first record is left behind.
    nq = trialkg("export", "--store", str(tmp_path / "store"), "--format", "nquads").stdout
    titles = [ln for ln in nq.splitlines()
              if ln.startswith("<https://w3id.org/trialkg/resource/trial/NCT06382129> <http://purl.org/dc/terms/title>")]
    assert len(titles) == 1 and json.dumps(expected_title)[1:-1] in titles[0]


# -- big records, generated from real ones -----------------------------------------------


def _one_megabyte_criteria(path: Path) -> int:
    """NCT06382129 with its inclusion items repeated to 1 MB; returns the item count."""
    study = json.loads((CTGOV / "NCT06382129.json").read_text(encoding="utf-8"))
    el = study["protocolSection"]["eligibilityModule"]
    head, rest = el["eligibilityCriteria"].split("\n", 1)
    body, exclusion = rest.split("Exclusion Criteria")
    el["eligibilityCriteria"] = head + "\n" + body * (1_000_000 // len(body) + 1) + "Exclusion Criteria" + exclusion
    assert len(el["eligibilityCriteria"].encode("utf-8")) > 1_000_000
    path.write_text(json.dumps(study), encoding="utf-8")
    return len(re.findall(r"^\s*\d+\.\s", el["eligibilityCriteria"], re.MULTILINE))


def _five_thousand_sites(path: Path) -> None:
    """NCT06171568 with its one real site repeated as 5,000 numbered sites."""
    study = json.loads((CTGOV / "NCT06171568.json").read_text(encoding="utf-8"))
    cl = study["protocolSection"]["contactsLocationsModule"]
    site = cl["locations"][0]
    cl["locations"] = [dict(copy.deepcopy(site), facility=f"{site['facility']} #{i}") for i in range(5000)]
    path.write_text(json.dumps(study), encoding="utf-8")


@pytest.mark.slow
def test_one_megabyte_eligibility_and_five_thousand_sites_build(tmp_path: Path) -> None:
    items = _one_megabyte_criteria(tmp_path / "big_criteria_NCT06382129.json")
    _five_thousand_sites(tmp_path / "many_sites_NCT06171568.json")
    proc, summary = build(tmp_path / "store", "big_criteria_NCT06382129.json", "many_sites_NCT06171568.json",
                          str(CTGOV / "search_keytruda_limit3_20260811.json"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert set(listed(tmp_path / "store")) == {"NCT06382129", "NCT06171568", "NCT05431270", "NCT03590054",
                                               "NCT04795661"}
    sites = show(tmp_path / "store", "NCT06171568")["sites"]
    assert len(sites) == 5000 and len({s["facility"] for s in sites}) == 5000
    criteria = show(tmp_path / "store", "NCT06382129")["eligibility"]["criteria"]
    assert len(criteria) == items
    assert sum(len(c["text"]) for c in criteria) > 900_000  # the text is kept, not truncated
