"""Every vendored registry record (tests/data/ctgov_corpus: classic XML, API v2 JSON and
search pages, oncology and not) builds into one store that has no SHACL violation: what the
criteria parser, the normaliser and the mapping write for real records is what the shapes
allow."""

from __future__ import annotations

from pathlib import Path

from trialkg.pipeline import build
from trialkg.store import TrialStore
from trialkg.validate import validate_store


def test_the_whole_vendored_corpus_builds_without_a_violation(ctgov_corpus: Path, tmp_path: Path) -> None:
    build([str(ctgov_corpus)], store_path=tmp_path / "store", replace=True, jobs=1, quiet=True)
    store = TrialStore(tmp_path / "store", read_only=True)
    report = validate_store(store)
    violations = [(f.trial, f.focus.rsplit("/criterion/", 1)[-1], f.shape, f.value)
                  for f in report.findings if f.severity == "Violation"]
    assert report.graphs > 70
    assert violations == []
