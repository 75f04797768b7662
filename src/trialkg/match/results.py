"""A verdict and its reasons: one ``Reason`` per criterion (or registry limit), one
``MatchResult`` per trial, as ``trialkg match`` prints them (docs/matching.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trialkg.knowledge import diseases
from trialkg.match.logic import Outcome, Verdict
from trialkg.match.rank import sort_key


@dataclass
class Reason:
    criterion: str
    text: str
    outcome: Outcome
    section: str
    why: str
    undecidable: str | None = None  # tkg:undecidableReason of the criterion, when it has one

    def to_dict(self) -> dict[str, Any]:
        out = {"criterion": self.criterion, "text": self.text, "outcome": self.outcome,
               "section": self.section, "why": self.why}
        if self.undecidable:
            out["undecidable"] = self.undecidable
        return out


@dataclass
class MatchResult:
    trial: str
    title: str | None
    verdict: Verdict
    reasons: list[Reason]
    fit: int = diseases.FIT_UNKNOWN  # how the patient's diagnoses stand to the trial's conditions

    @property
    def unmet(self) -> list[Reason]:
        return [r for r in self.reasons if r.outcome == "unmet"]

    @property
    def unknown(self) -> list[Reason]:
        return [r for r in self.reasons if r.outcome == "unknown"]

    @property
    def met(self) -> list[Reason]:
        return [r for r in self.reasons if r.outcome == "met"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "trial": self.trial,
            "title": self.title,
            "verdict": self.verdict,
            "unmet": len(self.unmet),
            "unknown": len(self.unknown),
            "met": len(self.met),
            "condition_fit": diseases.FIT_NAMES[self.fit],
            "reasons": [r.to_dict() for r in self.reasons],
        }

    def sort_key(self) -> tuple[Any, ...]:
        """The ranking key (``rank.sort_key``)."""
        return sort_key(self)


def verdict_of(reasons: list[Reason]) -> Verdict:
    """Only an unmet reason excludes; an unknown one leaves the trial possible."""
    if any(r.outcome == "unmet" for r in reasons):
        return "excluded"
    if any(r.outcome == "unknown" for r in reasons):
        return "possible"
    return "eligible"
