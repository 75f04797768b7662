"""The version rule (trialkg.versions) and trial replacement, through the CLI's entry
point (run in the test process: tests/cli_support.py).

Real records: NCT02513394 as the 2020 classic XML (233 sites) and its 2023 API v2 JSON
(437 sites); NCT06382129's full record and a field-filtered search hit of it holding
only ``minimumAge`` (what ``fields=NCTId,MinimumAge`` returns).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_support import run as in_process

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "ctgov_corpus"
XML, JSON_V2 = "NCT02513394.xml", "NCT02513394.json"
FULL = "NCT06382129.json"


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    shutil.copy(CORPUS / XML, tmp_path / XML)
    shutil.copy(CORPUS / JSON_V2, tmp_path / JSON_V2)
    shutil.copy(HERE / "data" / "ctgov" / FULL, tmp_path / FULL)
    hit = {"studies": [{"protocolSection": {"identificationModule": {"nctId": "NCT06382129"},
                                            "eligibilityModule": {"minimumAge": "18 Years"}}}]}
    (tmp_path / "hit_minimum_age.json").write_text(json.dumps(hit), encoding="utf-8")
    return tmp_path


def trialkg(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = in_process(*args, cwd=cwd)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def build(cwd: Path, *sources: str, jobs: int = 1) -> dict[str, Any]:
    proc = trialkg(cwd, "build", "--store", "store", "--format", "json", "-j", str(jobs), *sources)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def show(cwd: Path, trial: str) -> dict[str, Any]:
    proc = trialkg(cwd, "show", "--store", "store", trial, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def validate_exit(cwd: Path) -> int:
    return trialkg(cwd, "validate", "--store", "store").returncode


@pytest.mark.parametrize("order", [(XML, JSON_V2), (JSON_V2, XML)], ids=["xml-first", "json-first"])
def test_newest_last_update_is_kept_whatever_the_order(inputs: Path, order: tuple[str, str]) -> None:
    summary = build(inputs, *order)
    assert summary["trials"] == 1
    assert (f"NCT02513394: two versions, kept {JSON_V2} over {XML} "
            "(last updated 2023-06-15, the other 2020-03-09)") in summary["warnings"]
    view = show(inputs, "NCT02513394")
    assert len(view["sites"]) == 437
    assert validate_exit(inputs) == 0


@pytest.mark.parametrize("order", [(FULL, "hit_minimum_age.json"), ("hit_minimum_age.json", FULL)],
                         ids=["full-first", "hit-first"])
def test_thin_search_hit_never_replaces_the_full_record(inputs: Path, order: tuple[str, str]) -> None:
    summary = build(inputs, *order)
    (warning,) = [w for w in summary["warnings"] if "two versions" in w]
    assert warning.startswith(f"NCT06382129: two versions, kept {FULL} over hit_minimum_age.json "
                              "(the same last update, ")
    view = show(inputs, "NCT06382129")
    assert view["interventions"] and view["title"] and view["enrollment"] == 698


def test_every_sequence_of_rebuilds_validates(inputs: Path) -> None:
    """Each build of a trial from another format replaces every fact its old version put
    anywhere, the entities graph's facts about its organisations included (the XML and
    the JSON give NSABP Foundation different agency classes)."""
    for source in (XML, JSON_V2, XML, JSON_V2, FULL, "hit_minimum_age.json"):
        build(inputs, source)
        assert validate_exit(inputs) == 0, source
    assert len(show(inputs, "NCT02513394")["sites"]) == 437
    export = trialkg(inputs, "export", "--store", "store", "--format", "nquads").stdout
    nsabp = [ln for ln in export.splitlines()
             if ln.startswith("<https://w3id.org/trialkg/resource/org/nsabp-foundation-inc> "
                              "<https://w3id.org/trialkg/ontology#agencyClass>")]
    assert len(nsabp) == 1


def test_older_version_does_not_replace_the_stored_one(inputs: Path) -> None:
    build(inputs, JSON_V2)
    summary = build(inputs, XML)
    assert (f"NCT02513394: two versions, kept the version in the store over {XML} "
            "(last updated 2023-06-15, the other 2020-03-09)") in summary["warnings"]
    assert len(show(inputs, "NCT02513394")["sites"]) == 437
