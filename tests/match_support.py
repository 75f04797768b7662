"""What the criteria and matcher tests share: find a criterion of a built trial by a
fragment of its text, and the matcher's outcome on it for one patient."""

from __future__ import annotations

from typing import Any

from trialkg.match import Criterion, match_store, parse_patient
from trialkg.store import TrialStore


def criterion(trials: dict[str, Any], nct: str, fragment: str) -> Criterion:
    """The one criterion of trial ``nct`` whose text holds ``fragment``."""
    found = [c for c in trials[nct].criteria if fragment in c.text]
    assert len(found) == 1, (nct, fragment, [c.text[:60] for c in found])
    return found[0]


def outcome(store: TrialStore, nct: str, crit: Criterion, patient: dict[str, Any]) -> str:
    """met / unmet / unknown / n/a of ``crit`` for the patient document ``patient``."""
    (result,) = match_store(store, parse_patient(patient), nct)
    return next(r.outcome for r in result.reasons if r.criterion == crit.id)
