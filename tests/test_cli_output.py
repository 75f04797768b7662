"""One output convention for every command that prints data (docs/cli.md): --format
table|json|csv|tsv (plus jsonl for rows), JSON by default when stdout is not a terminal,
data on stdout and counts on stderr."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trialkg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
PATIENT = ROOT / "tests" / "data" / "patients" / "fit_45_male.json"
CRITERIA = ROOT / "examples" / "criteria.txt"


def _commands(store: Path) -> dict[str, list[str]]:
    s = ["--store", str(store)]
    return {
        "list": ["list", *s],
        "show": ["show", "NCT04072042", *s],
        "stats": ["stats", *s],
        "validate": ["validate", *s],
        "queries": ["queries"],
        "query": ["query", "trials-by-target", "-p", "target", "VEGFR", *s],
        "match": ["match", str(PATIENT), *s],
        "criteria": ["criteria", str(CRITERIA)],
        "parse": ["parse", str(ROOT / "seeds")],
        "analyze": ["analyze", *s],
    }


def _run(args: list[str]):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


@pytest.mark.parametrize("name", ["list", "show", "stats", "validate", "queries", "query", "match",
                                  "criteria", "parse", "analyze"])
def test_every_data_command_defaults_to_json_when_piped_and_takes_each_format(seed_store: Path, name: str) -> None:
    args = _commands(seed_store)[name]
    piped = _run(args)
    assert piped.exit_code in (0, 1), piped.output
    doc = json.loads(piped.stdout)
    assert doc or doc == []
    for fmt in ("table", "json", "csv", "tsv"):
        out = _run([*args, "--format", fmt])
        assert out.exit_code in (0, 1), (fmt, out.output)
        assert out.stdout.strip(), fmt
    rows = list(csv.reader(io.StringIO(_run([*args, "--format", "csv"]).stdout)))
    assert len({len(r) for r in rows}) == 1, "every csv row has the header's columns"


@pytest.mark.parametrize("name", ["list", "stats", "validate", "queries", "query", "match", "criteria",
                                  "parse", "analyze"])
def test_row_commands_write_one_json_object_per_line(seed_store: Path, name: str) -> None:
    out = _run([*_commands(seed_store)[name], "--format", "jsonl"])
    lines = out.stdout.splitlines()
    assert lines and all(isinstance(json.loads(ln), dict) for ln in lines)


def test_show_as_tsv_gives_one_field_value_row_per_key_of_the_trial_view(seed_store: Path) -> None:
    out = _run(["show", "NCT04072042", "--store", str(seed_store), "--format", "tsv"])
    rows = list(csv.reader(io.StringIO(out.stdout), delimiter="\t"))
    view = json.loads(_run(["show", "NCT04072042", "--store", str(seed_store)]).stdout)
    assert rows[0] == ["field", "value"] and [r[0] for r in rows[1:]] == list(view)


def test_counts_go_to_stderr_not_into_the_data(seed_store: Path) -> None:
    out = _run(["query", "trials-by-target", "-p", "target", "VEGFR", "--store", str(seed_store)])
    assert "rows" in out.stderr and "rows" not in out.stdout
    json.loads(out.stdout)


def test_validate_keeps_human_as_the_table_report(seed_store: Path) -> None:
    human = _run(["validate", "--store", str(seed_store), "--format", "human"])
    table = _run(["validate", "--store", str(seed_store), "--format", "table"])
    assert human.stdout == table.stdout and "conforms" in table.stdout
