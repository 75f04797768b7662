"""Results as rows: the summary table ``trialkg match`` prints, one trial's reasons, and
the verdict counts it logs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trialkg.match.results import MatchResult

COLUMNS = ("trial", "verdict", "unmet", "unknown", "title", "deciding")
REASON_COLUMNS = ("criterion", "section", "outcome", "text", "why")
VERDICTS = ("eligible", "possible", "excluded")


def summary_rows(results: Iterable[MatchResult]) -> list[dict[str, Any]]:
    """One row per trial; ``deciding`` lists what excludes it, or what is not known."""
    rows = []
    for r in results:
        deciding = r.unmet if r.verdict == "excluded" else r.unknown
        rows.append({
            "trial": r.trial,
            "verdict": r.verdict,
            "unmet": len(r.unmet),
            "unknown": len(r.unknown),
            "title": r.title,
            "deciding": [f"{x.criterion}: {x.text}" + (f" [{x.undecidable}]" if x.undecidable else "")
                         for x in deciding],
        })
    return rows


def reason_rows(results: Iterable[MatchResult]) -> list[dict[str, Any]]:
    """Every reason of every result, as ``REASON_COLUMNS`` rows."""
    return [reason.to_dict() for r in results for reason in r.reasons]


def verdict_counts(results: Iterable[MatchResult]) -> dict[str, int]:
    counts = dict.fromkeys(VERDICTS, 0)
    for r in results:
        counts[r.verdict] += 1
    return counts
