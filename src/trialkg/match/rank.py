"""Ranking: what is known to fit first.

Verdict first (eligible, possible, excluded); then how the trial's conditions stand to
the patient's diagnoses (the patient's type named, by the trial's conditions or by an
inclusion criterion the patient meets; a related type; any tumour; not known; another
condition: ``knowledge.diseases`` fit tiers); then the share of the decided criteria that
are met, so that what is known to fit comes before what is least known.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

VERDICT_RANK = {"eligible": 0, "possible": 1, "excluded": 2}


def sort_key(result: Any) -> tuple[Any, ...]:
    """A ``MatchResult``'s place in the ranking.

    A trial without criteria in the graph has nothing known to fit and comes last of
    its group; excluded trials are ordered by condition fit too (a trial for the patient's
    type that one criterion rules out before a trial for another disease), then by how
    many criteria count against.
    """
    rank = VERDICT_RANK[result.verdict]
    met, unknown = len(result.met), len(result.unknown)
    no_criteria = any(r.criterion == "criteria" for r in result.reasons)
    share = 0.0 if no_criteria or not met + unknown else met / (met + unknown)
    if rank == 2:
        return (rank, result.fit, len(result.unmet), -share, result.trial)
    return (rank, result.fit, -round(share, 6), -met, result.trial)


def sort_results(results: Iterable[Any]) -> list[Any]:
    """Eligible, possible, excluded; within each, what is known to fit first (``sort_key``)."""
    return sorted(results, key=sort_key)


def decidable_share(results: Iterable[Any]) -> tuple[int, int]:
    """(decided criteria, all criteria) over results: how much the graph let the matcher decide."""
    decided = total = 0
    for r in results:
        for reason in r.reasons:
            total += 1
            decided += reason.outcome != "unknown"
    return decided, total
