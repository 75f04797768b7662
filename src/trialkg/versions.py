"""Which version of a trial to keep when it comes twice (docs/decisions/0007-trial-versions.md).

The rule, the same whatever the input order or ``--jobs``:

1. the newer ``lastUpdatePostDate`` wins (a 2023 API v2 record over the 2020 classic
   XML of the same trial, NCT02513394; a date known beats a date missing);
2. on the same date (or none on either side) the fuller record wins, counted in facts
   (a field-filtered search hit holding only ``minimumAge`` never replaces the full
   record of NCT06382129);
3. on a tie, the later record in input order wins.

Against a version already in the store from an earlier build only rule 1 applies: a
re-build of the same record replaces it (the code that maps it may have changed), an
older one does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from trialkg import iris
from trialkg.namespace import TKG


@dataclass(frozen=True)
class Version:
    """What the rule needs of one version of a trial."""

    file: str | None
    last_update: str | None  # ISO 8601, as precise as the source gave it
    facts: int


def newer(a: str | None, b: str | None) -> int:
    """1 when ``a`` is later than ``b``, -1 when earlier, 0 when the same or either
    lacks a date at the other's precision ("2023" against "2023-06" is the same)."""
    if a == b:
        return 0
    if a is None or b is None:
        return 1 if b is None else -1
    if a.startswith(b) or b.startswith(a):
        return 0
    return 1 if a > b else -1


def choose(old: Version, new: Version, *, stored: bool = False) -> tuple[bool, str]:
    """(keep the new version?, why) by the rule above."""
    by_date = newer(new.last_update, old.last_update)
    if by_date:
        winner, loser = (new, old) if by_date > 0 else (old, new)
        return by_date > 0, f"last updated {winner.last_update}, the other {loser.last_update or 'undated'}"
    if stored:
        return True, "the same last update: re-built"
    if new.facts != old.facts:
        winner, loser = (new, old) if new.facts > old.facts else (old, new)
        return new.facts > old.facts, f"the same last update, {winner.facts} facts against {loser.facts}"
    return True, "the same last update and size: the later record in input order"


def stored_version(store: object, trial_id: str) -> Version | None:
    """The version of ``trial_id`` in the store, or None when it has none."""
    graph = iris.trial_graph(trial_id)
    if not store.has_graph(graph):  # type: ignore[attr-defined]
        return None
    rows = list(store.query(  # type: ignore[attr-defined]
        f"SELECT ?d WHERE {{ GRAPH <{graph}> {{ <{iris.trial(trial_id)}> <{TKG.lastUpdate}> ?d }} }}"))
    last = str(rows[0]["d"].value) if rows else None
    return Version("the version in the store", last, store.count(graph))  # type: ignore[attr-defined]
