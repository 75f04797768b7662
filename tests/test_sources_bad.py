"""Bad input: one clear line naming file (and record), the rest still read, exit 1."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from trialkg.errors import InputError, UnsafeInputError
from trialkg.records import TrialRecord
from trialkg.sources import iter_records

BAD = Path(__file__).resolve().parent / "data" / "bad"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TRIALKG = shutil.which("trialkg") or "trialkg"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRIALKG, *args], capture_output=True, text=True, check=False)


@pytest.mark.parametrize(("name", "kind", "words"), [
    ("not_a_trial_record.txt", InputError, "unknown page layout"),
    ("truncated_NCT06382129.json", InputError, "not valid JSON"),
    ("malformed_NCT04126811.xml", InputError, "malformed XML"),
    ("entities_billion_laughs.xml", UnsafeInputError, "entity"),
    ("external_entity.xml", UnsafeInputError, "entity"),
    ("unknown_layout_from_002.txt", InputError, "unknown page layout"),
    ("malformed_nct_NCT06382129.json", InputError, "malformed NCT id"),
])
def test_bad_file_gives_one_located_error(name: str, kind: type, words: str) -> None:
    (err,) = list(iter_records([BAD / name]))
    assert isinstance(err, kind)
    assert words in str(err)
    assert err.file == str(BAD / name)


def test_malformed_nct_in_batch_names_record_and_keeps_others() -> None:
    results = list(iter_records([BAD / "malformed_nct_in_search_page_keytruda.json"]))
    ok = [r.id for r in results if isinstance(r, TrialRecord)]
    (err,) = [r for r in results if isinstance(r, InputError)]
    assert ok == ["NCT05431270", "NCT04795661"]
    assert err.record == 1 and "NCT0359005" in str(err) and "nctId" in str(err)
    assert "[record 1]" in str(err)


def test_cli_reports_each_bad_file_and_still_prints_the_good_ones() -> None:
    # The files whose only record is bad, plus the search page with one bad record
    # (the rest of tests/data/bad is exercised by tests/test_reliability_inputs.py).
    bad = sorted(str(BAD / n) for n in (
        "entities_billion_laughs.xml", "external_entity.xml", "malformed_NCT04126811.xml",
        "malformed_nct_NCT06382129.json", "malformed_nct_in_search_page_keytruda.json",
        "not_a_trial_record.txt", "truncated_NCT06382129.json", "unknown_layout_from_002.txt"))
    proc = run("parse", *bad, str(SEEDS / next(p.name for p in SEEDS.glob("002_*"))), "--format", "tsv")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("trialkg: error:")]
    assert len(errors) == len(bad)  # one line per bad file (the batch file: its one bad record)
    for path in bad:
        assert any(path in ln for ln in errors), path
    out = proc.stdout.splitlines()
    assert out[0].startswith("id\t")
    ids = {ln.split("\t")[0] for ln in out[1:]}
    assert ids == {"NCT03890068", "NCT05431270", "NCT04795661"}


def test_cli_clean_input_exits_zero() -> None:
    proc = run("parse", str(SEEDS), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    import json

    views = json.loads(proc.stdout)
    assert len(views) == 5
    assert {v["source"]["format"] for v in views} == {"page-ctgov", "page-classic", "page-aggregator"}


def test_missing_path_is_reported() -> None:
    proc = run("parse", "does/not/exist.json")
    assert proc.returncode == 1
    assert "does/not/exist.json" in proc.stderr and "Traceback" not in proc.stderr


def test_binary_garbage_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "garbage.txt"
    p.write_bytes(bytes(range(256)) * 4)
    (err,) = list(iter_records([p]))
    assert isinstance(err, InputError) and "UTF-8" in str(err)


def test_wrong_types_inside_a_study_are_warnings(tmp_path: Path) -> None:
    import json

    s = json.loads((Path(__file__).parent / "data" / "ctgov" / "NCT06382129.json").read_bytes())
    s["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = {"oops": 1}
    s["protocolSection"]["conditionsModule"] = "Lung cancer"
    p = tmp_path / "s.json"
    p.write_text(json.dumps(s), encoding="utf-8")
    (rec,) = list(iter_records([p]))
    assert isinstance(rec, TrialRecord) and rec.enrollment is None
    assert {w.code for w in rec.warnings} >= {"bad-type"}
