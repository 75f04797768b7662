"""The reader guards (``trialkg.sources.guards``) through the CLI, one small case each
(its entry point run in the test process: tests/cli_support.py).

Each bad record is built beside good ones (copies of the real NCT06382129 with other
ids): a record that cannot be stored at all is rejected alone, naming file, record and
field; a bad field is dropped with a warning and the record kept; the rest is built.
"""

from __future__ import annotations

import copy
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cli_support import run as in_process

HERE = Path(__file__).resolve().parent
STUDY = json.loads((HERE / "data" / "ctgov" / "NCT06382129.json").read_text(encoding="utf-8"))


def study(nct: str, **modules: Any) -> dict[str, Any]:
    s = copy.deepcopy(STUDY)
    s["protocolSection"]["identificationModule"]["nctId"] = nct
    for key, value in modules.items():
        if key == "derivedSection":
            s[key] = value
        else:
            s["protocolSection"][key] = value
    return s


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = in_process(*args, cwd=cwd, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def build(tmp: Path, *sources: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = run("build", "--store", str(tmp / "store"), "--format", "json", "-j", "1", *sources, cwd=tmp, env=env)
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else {})


def rejected(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return summary["rejected"]


def write_json(path: Path, doc: Any) -> str:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path.name


def test_deeply_nested_json_file_is_rejected_and_the_batch_is_built(tmp_path: Path) -> None:
    (tmp_path / "d.json").write_text("[" * 1100 + "]" * 1100)
    good = write_json(tmp_path / "good.json", study("NCT00000011"))
    proc, summary = build(tmp_path, "d.json", good)
    assert proc.returncode == 1
    (r,) = rejected(summary)
    assert r["file"] == "d.json" and "nested deeper" in r["reason"] and r["field"]
    assert summary["trial_ids"] == ["NCT00000011"]


def test_deep_study_in_json_lines_rejects_that_line_only(tmp_path: Path) -> None:
    """Nesting under the interpreter's limit but past MAX_DEPTH: the field path is named."""
    deep: Any = "x"
    for _ in range(200):
        deep = {"k": deep}
    lines = [study("NCT00000021"), study("NCT00000022", descriptionModule={"briefSummary": deep}),
             study("NCT00000023")]
    (tmp_path / "s.jsonl").write_text("\n".join(json.dumps(s) for s in lines) + "\n")
    proc, summary = build(tmp_path, "s.jsonl")
    assert proc.returncode == 1
    (r,) = rejected(summary)
    assert r["file"] == "s.jsonl" and r["record"] == 1
    assert r["field"].startswith("protocolSection.descriptionModule.briefSummary.k.k")
    assert sorted(summary["trial_ids"]) == ["NCT00000021", "NCT00000023"]


def test_field_over_the_statement_buffer_is_dropped_and_no_record_lost(tmp_path: Path) -> None:
    """A 17 MiB summary (pyoxigraph refuses statements over 16 MiB) at line 81 of 100 lines."""
    lines = []
    for n in range(100):
        s = study(f"NCT{n + 100:08d}")
        if n == 80:
            s["protocolSection"]["descriptionModule"] = {"briefSummary": "a" * (17 * 1024 * 1024)}
        lines.append(json.dumps(s))
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n")
    proc, summary = build(tmp_path, "big.jsonl")
    assert proc.returncode == 0, proc.stderr
    assert summary["trials"] == 100
    assert any(w.startswith("NCT00000180: protocolSection.briefSummary:") or
               ("NCT00000180" in w and "field limit" in w) for w in summary["warnings"])


def test_bad_fields_are_dropped_with_a_warning_and_the_record_kept(tmp_path: Path) -> None:
    """PubMed and MeSH ids with a space or '>', a lone surrogate, a 5,000-digit count, NaN
    coordinates: each field dropped with a warning naming it; the record built."""
    s = study("NCT00000031",
              referencesModule={"references": [{"pmid": "123 456", "citation": "A."},
                                               {"pmid": "99>", "citation": "B."},
                                               {"pmid": "31234567", "citation": "C."}]},
              contactsLocationsModule={"locations": [{"facility": "Site A", "city": "Oslo",
                                                      "geoPoint": {"lat": float("nan"), "lon": 10.7}},
                                                     {"facility": "Site B", "city": "Bergen",
                                                      "geoPoint": {"lat": 60.39, "lon": 5.32}}]},
              derivedSection={"conditionBrowseModule": {"meshes": [{"id": "D0 01943", "term": "Breast Neoplasms"},
                                                                   {"id": "D009369>", "term": "Neoplasms"}]}})
    s["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": 0, "type": "ESTIMATED"}
    text = json.dumps(s, allow_nan=True)
    text = text.replace('"count": 0', '"count": ' + "9" * 5000)
    text = text.replace('"Site B"', '"Site \\ud800B"')
    (tmp_path / "bad_fields.json").write_text(text)
    proc, summary = build(tmp_path, "bad_fields.json")
    assert proc.returncode == 0, proc.stderr
    assert summary["trial_ids"] == ["NCT00000031"]
    warned = "\n".join(summary["warnings"])
    for fragment in ("references[0].pmid", "references[1].pmid", "condition_mesh[0].id", "condition_mesh[1].id",
                     "enrollmentInfo.count", "sites[0].geo", "sites[1].facility"):
        assert fragment in warned, (fragment, warned)
    assert "31234567" not in warned
    assert run("validate", "--store", str(tmp_path / "store"), cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_with_or_without_bom_is_read(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "u.json").write_bytes(json.dumps(study("NCT00000041")).encode(encoding))
    proc, summary = build(tmp_path, "u.json")
    assert proc.returncode == 0, proc.stderr
    assert summary["trial_ids"] == ["NCT00000041"]


def test_non_utf8_file_is_named(tmp_path: Path) -> None:
    s = study("NCT00000042")
    s["protocolSection"]["identificationModule"]["briefTitle"] = "Étude"
    (tmp_path / "l.json").write_bytes(json.dumps(s).replace("\\u00c9", "É").encode("latin-1"))
    proc, summary = build(tmp_path, "l.json")
    (r,) = rejected(summary)
    assert r["file"] == "l.json" and "not UTF-8 text: byte 0xc9" in r["reason"]


@pytest.mark.parametrize("digits", ["０００００００１", "٠٠٠٠٠٠٠١", "۰۰۰۰۰۰۰۱"])
def test_nct_id_in_non_ascii_digits_is_rejected(tmp_path: Path, digits: str) -> None:
    """Full-width, Arabic-Indic and Eastern Arabic-Indic digits match ``\\d``; ids take [0-9] only."""
    bad = write_json(tmp_path / "bad.json", study("NCT" + digits))
    good = write_json(tmp_path / "good.json", study("NCT00000001"))
    proc, summary = build(tmp_path, bad, good)
    assert proc.returncode == 1
    (r,) = rejected(summary)
    assert r["field"] == "protocolSection.identificationModule.nctId" and "malformed NCT id" in r["reason"]
    assert summary["trial_ids"] == ["NCT00000001"]


def test_zip_member_names_cannot_forge_output_and_odd_members_are_reported(tmp_path: Path) -> None:
    forged = "e\n\x1b[2J\x1b[32mtrialkg: built 999 trials OK.json"
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("NCT00000052.json", json.dumps(study("NCT00000052")))
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as zf:
        zf.writestr(forged, "{ not json")
        zf.writestr("..\\..\\x.json", json.dumps(study("NCT00000053")))
        zf.writestr("../y.json", json.dumps(study("NCT00000054")))
        zf.writestr("nested/inner.zip", inner.read_bytes())
        zf.writestr("ok/NCT00000051.json", json.dumps(study("NCT00000051")))
    inner.unlink()
    proc = run("build", "--store", str(tmp_path / "store"), "--format", "json", "-j", "1", "a.zip", cwd=tmp_path)
    assert proc.returncode == 1
    for stream in (proc.stdout, proc.stderr):
        assert "\x1b" not in stream
        assert not any(line.startswith("trialkg: built") for line in stream.splitlines())
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("trialkg: rejected: ")]
    assert len(lines) == 4, proc.stderr
    assert any("a.zip!e\\n\\x1b[2J\\x1b[32mtrialkg: built 999 trials OK.json: not valid JSON" in ln for ln in lines)
    assert sum("climbs out of the archive" in ln for ln in lines) == 2
    assert any("a.zip!nested/inner.zip: zip inside a zip not read" in ln for ln in lines)
    assert json.loads(proc.stdout)["trials"] == 1


def test_directory_symlink_is_reported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "real").mkdir(parents=True)
    write_json(data / "real" / "NCT00000061.json", study("NCT00000061"))
    (data / "link").symlink_to(data / "real", target_is_directory=True)
    proc, summary = build(tmp_path, "data")
    assert proc.returncode == 1
    (r,) = rejected(summary)
    assert r["file"] == "data/link" and "directory symlink not followed" in r["reason"]
    assert summary["trial_ids"] == ["NCT00000061"]


@pytest.mark.parametrize("value", ["inf", "-1", "nan", "lots"])
def test_bad_member_limit_is_a_usage_error(tmp_path: Path, value: str) -> None:
    write_json(tmp_path / "good.json", study("NCT00000071"))
    proc = run("build", "--store", str(tmp_path / "store"), "good.json", cwd=tmp_path,
               env={"TRIALKG_MAX_MEMBER_MB": value})
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"trialkg: error: TRIALKG_MAX_MEMBER_MB must be a positive number of MiB, "
                                   f"got {value!r}")


def test_record_of_a_hundred_thousand_criteria_items_is_capped(tmp_path: Path) -> None:
    """The criteria stage parses at most TRIALKG_MAX_CRITERIA items (warned); memory and time
    are then bounded by the cap, not the input (benchmarks/bench_budget.py measures it)."""
    s = study("NCT00000081")
    s["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n" + "".join(f"* item {n}\n" for n in range(3000)))
    write_json(tmp_path / "many.json", s)
    proc, summary = build(tmp_path, "many.json", env={"TRIALKG_MAX_CRITERIA": "1000"})
    assert proc.returncode == 0, proc.stderr
    assert any("3000 criteria items; the first 1000 are parsed" in w for w in summary["warnings"])
