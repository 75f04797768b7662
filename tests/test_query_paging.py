"""Results that stream and page: rows are handed on as the engine finds them, and
``--limit``/``--offset`` cut them in the engine's order without a global sort."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from trialkg import queries as q
from trialkg.cli import output
from trialkg.pipeline import build
from trialkg.store import TrialStore

ROOT = Path(__file__).resolve().parents[1]
# Stored queries whose answer grows with the store, with parameters that give many rows.
LONG_ANSWERS = [
    ("sites-by-country", {}),
    ("trials-by-target", {"target": "VEGFR"}),
    ("trials-by-sponsor", {}),
    ("lab-thresholds", {}),
    ("trials-for-patient", {"age": "45", "ecog": "1"}),
]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    tmp = tmp_path_factory.mktemp("paging")
    source = generate.write_zip(tmp / "trials.zip", 200, seed=11)
    build([source], store_path=tmp / "store", jobs=1, quiet=True)
    return tmp / "store"


@pytest.fixture(scope="module")
def store(store_dir: Path) -> TrialStore:
    return TrialStore(store_dir, read_only=True)


def stream(store: TrialStore, name: str, params: dict[str, str], **kw) -> q.ResultStream:
    query = q.get_stored_query(name)
    return q.stream_local(query, q.bind_params(query, params), store, **kw)


def test_unordered_drops_only_the_top_level_order_of_ungrouped_queries() -> None:
    for query in q.stored_queries():
        text = q.unordered(query.text)
        grouped = "GROUP BY" in query.text.rsplit("}", 1)[1]
        if grouped:
            assert text == query.text, query.name
        else:
            assert "ORDER BY" not in text.rsplit("}", 1)[1], query.name
            # ORDER BY inside sub-selects and comments stays
            assert text.count("ORDER BY") == query.text.count("ORDER BY") - 1, query.name
    assert q.unordered("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5") == "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"


@pytest.mark.parametrize(("name", "params"), LONG_ANSWERS)
def test_unordered_answer_is_the_same_rows(store: TrialStore, name: str, params: dict[str, str]) -> None:
    ordered = list(stream(store, name, params).rows)
    assert len(ordered) > 20, "the case should have a long answer"
    assert Counter(stream(store, name, params, ordered=False).rows) == Counter(ordered)


@pytest.mark.parametrize(("name", "params"), LONG_ANSWERS)
def test_pages_cover_the_answer_once(store: TrialStore, name: str, params: dict[str, str]) -> None:
    whole = list(stream(store, name, params, ordered=False).rows)
    size = max(1, len(whole) // 7)
    pages = []
    for offset in range(0, len(whole) + size, size):
        pages.extend(stream(store, name, params, limit=size, offset=offset, ordered=False).rows)
    assert pages == whole  # the engine's order is the same on every run
    assert list(stream(store, name, params, limit=0, ordered=False).rows) == []


def test_rows_are_printed_before_the_next_is_read(store: TrialStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's printer writes each row (csv) or the first screen (table) while the
    engine's iterator still holds the rest."""
    events: list[str] = []

    class Recorder(io.StringIO):
        def write(self, text: str) -> int:
            events.append("write")
            return super().write(text)

    def pulled(records):
        for r in records:
            events.append("pull")
            yield r

    monkeypatch.setattr(sys, "stdout", Recorder())
    result = stream(store, "sites-by-country", {}, ordered=False)
    assert iter(result.rows) is result.rows  # an iterator, not a list
    output.emit_rows(pulled(result.text_records()), result.columns, "csv")
    first_pull = events.index("pull")
    assert events[first_pull + 1] == "write"  # row 1 printed before row 2 is read
    events.clear()
    result = stream(store, "sites-by-country", {}, ordered=False)
    output.emit_rows(pulled(result.text_records()), result.columns, "table")
    pulls_before_first_write = events.index("write")
    assert pulls_before_first_write == output.TABLE_SAMPLE_ROWS  # the first screen, not the whole answer
    assert events.count("pull") > output.TABLE_SAMPLE_ROWS


def trialkg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from trialkg.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_limit_offset_count(store: TrialStore, store_dir: Path) -> None:
    whole = [[v or "" for v in r.values()] for r in stream(store, "sites-by-country", {}, ordered=False).text_records()]
    page = trialkg("query", "sites-by-country", "--limit", "5", "--offset", "10", "--format", "csv", "--store", str(store_dir))
    assert page.returncode == 0, page.stderr
    assert list(csv.reader(io.StringIO(page.stdout)))[1:] == whole[10:15]
    count = trialkg("query", "sites-by-country", "--count", "--format", "csv", "--store", str(store_dir))
    assert count.stdout.splitlines() == ["count", str(len(whole))]
    ordered = [[v or "" for v in r.values()] for r in stream(store, "sites-by-country", {}).text_records()]
    first = trialkg("query", "sites-by-country", "--limit", "3", "--sorted", "--format", "csv", "--store", str(store_dir))
    assert list(csv.reader(io.StringIO(first.stdout)))[1:] == ordered[:3]
