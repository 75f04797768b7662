"""``trialkg queries`` and ``trialkg query`` as a user runs them (real subprocesses)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path


def trialkg(*args: str, stdin: str | None = None, store: Path | None = None) -> subprocess.CompletedProcess:
    extra = ["--store", str(store)] if store is not None else []
    return subprocess.run([sys.executable, "-c", "from trialkg.cli import main; main()", *args, *extra],
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_queries_lists_name_title_params() -> None:
    result = trialkg("queries", "--format", "json")
    assert result.returncode == 0, result.stderr
    listed = {q["name"]: q for q in json.loads(result.stdout)}
    assert listed["trials-for-patient"]["params"][1] == {
        "name": "ecog", "type": "integer", "required": True, "description": "ECOG performance status, 0 to 5"}
    tsv = trialkg("queries", "--format", "tsv").stdout.splitlines()
    assert tsv[0] == "name\ttitle\tparams"
    assert "trials-by-target\tTrials by target\ttarget (string, required)" in tsv


def test_query_formats(seed_store: Path) -> None:
    result = trialkg("query", "sites-by-country", "-p", "country", "China", "--format", "csv", store=seed_store)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["trial"] for r in rows} == {"NCT04072042", "NCT04126811", "NCT03890068"}
    assert "3 rows" in result.stderr
    rows = json.loads(trialkg("query", "lab-thresholds", "-p", "analyte", "neutrophils", "--format", "json", store=seed_store).stdout)
    assert {"trial": "NCT03890068", "analyte": "neutrophils", "comparator": ">=", "value": 1.5, "unit": "10*9/L", "relative_to": None} in rows
    limited = trialkg("-q", "query", "lab-thresholds", "--limit", "2", "--format", "tsv", store=seed_store)
    assert len(limited.stdout.splitlines()) == 3 and limited.stderr == ""


def test_query_from_stdin_and_file(seed_store: Path, tmp_path: Path) -> None:
    text = "SELECT ?id WHERE { ?t <https://w3id.org/trialkg/ontology#nctId> ?id } ORDER BY ?id"
    result = trialkg("query", "-", "--format", "tsv", stdin=text, store=seed_store)
    assert result.stdout.split() == ["id", "NCT03890068", "NCT04072042", "NCT04126811", "NCT06110650"]
    f = tmp_path / "count.rq"
    f.write_text("# title: Count trials\n# params: none\nSELECT (COUNT(?t) AS ?n) WHERE { ?t a <https://w3id.org/trialkg/ontology#Trial> }")
    assert json.loads(trialkg("query", str(f), "--format", "json", store=seed_store).stdout) == [{"n": 5}]


def test_usage_errors_are_one_line_exit_2(seed_store: Path) -> None:
    cases = [
        (["query", "trials-by-target"], "needs target (string, required)"),
        (["query", "trials-by-target", "-p", "target", "KDR", "-p", "gene", "KDR"], "unknown parameter 'gene'"),
        (["query", "trials-admitting-ecog", "-p", "ecog", "two"], "expected an integer"),
        (["query", "trials-by-targets", "-p", "target", "KDR"], "did you mean 'trials-by-target'"),
        (["query", "-"], "SPARQL syntax error"),
    ]
    for args, message in cases:
        result = trialkg(*args, stdin="SELECT WHERE {", store=seed_store)
        assert result.returncode == 2, args
        assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_missing_store_is_an_error(tmp_path: Path) -> None:
    result = trialkg("query", "biomarker-arms", store=tmp_path / "none")
    assert result.returncode == 2 and "no store at" in result.stderr
