"""The reading of one item that the rules share, in the order ``rules.RULES`` runs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from trialkg.criteria.rules.binding import Mention, find_variables
from trialkg.criteria.rules.comparisons import Comparison, find_comparisons


@dataclass
class Reading:
    """One item's text and what the rules run so far have read in it.

    A claim (``rules.CLAIMS``) reads a scale whose numbers are no thresholds of a variable
    ("ECOG 0-1", "NYHA class III"): it keeps its constraints in ``claims`` and its spans
    in ``claimed``, where no comparison is read. Each rule of ``rules.RULES`` then returns
    its constraints, which the parser appends to ``found`` in that order.
    """

    text: str
    section: str
    context: str | None
    claimed: list[tuple[int, int]] = field(default_factory=list)
    claims: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    found: list[dict[str, Any]] = field(default_factory=list)
    # indexes of the comparisons an age or life-expectancy rule has taken
    used: set[int] = field(default_factory=set)
    # the numeric constraints (labs, vitals, scales): their conditions are no disease states
    numeric: list[dict[str, Any]] = field(default_factory=list)
    # spans already read as a disease state or a threshold's condition
    state_spans: list[tuple[int, int]] = field(default_factory=list)
    histology: list[dict[str, Any]] = field(default_factory=list)

    @cached_property
    def comparisons(self) -> list[Comparison]:
        """Every threshold of the text outside the claimed spans, left to right."""
        return [c for c in find_comparisons(self.text) if not any(a <= c.start < b for a, b in self.claimed)]

    @cached_property
    def mentions(self) -> list[Mention]:
        """Every variable named in the text."""
        return find_variables(self.text)
