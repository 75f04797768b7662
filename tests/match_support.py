"""What the criteria and matcher tests share: a store built from vendored records, the
trials read back as the matcher reads them, a criterion of a built trial found by a
fragment of its text, and the matcher's outcome on it for one patient."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trialkg.match import Criterion, match_store, parse_patient, read_trials
from trialkg.store import TrialStore

CORPUS = Path(__file__).parent / "data" / "ctgov_corpus"


def record_path(nct: str, suffix: str = ".*") -> Path:
    """The vendored record of ``nct`` (the first by name when ``suffix`` admits several)."""
    hits = sorted(CORPUS.rglob(f"{nct}{suffix}"))
    assert hits, nct
    return hits[0]


def corpus_store(tmp_path_factory: pytest.TempPathFactory, name: str, records: list[str],
                 suffix: str = ".*") -> TrialStore:
    """A read-only store built from the vendored records of ``records``."""
    from trialkg.pipeline import build

    path = tmp_path_factory.mktemp(name) / "store"
    build([str(record_path(n, suffix)) for n in records], store_path=path, replace=True, jobs=1, quiet=True)
    return TrialStore(path, read_only=True)


def trials_by_id(store: TrialStore) -> dict[str, Any]:
    """The store's trials as the matcher reads them, by NCT id."""
    return {t.id: t for t in read_trials(store)}


def criterion(trials: dict[str, Any], nct: str, fragment: str) -> Criterion:
    """The one criterion of trial ``nct`` whose text holds ``fragment``."""
    found = [c for c in trials[nct].criteria if fragment in c.text]
    assert len(found) == 1, (nct, fragment, [c.text[:60] for c in found])
    return found[0]


def outcome(store: TrialStore, nct: str, crit: Criterion, patient: dict[str, Any]) -> str:
    """met / unmet / unknown / n/a of ``crit`` for the patient document ``patient``."""
    (result,) = match_store(store, parse_patient(patient), nct)
    return next(r.outcome for r in result.reasons if r.criterion == crit.id)
