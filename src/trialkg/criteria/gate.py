"""Cheap literal gates in front of regexes: skip a pattern that cannot match a text.

The criteria rules run a few hundred regexes over every item (one per analyte, state,
therapy ...), and almost all of them find nothing. Each pattern is analysed once, at
import, for literal text any match must contain ("neutrophil" or "ANC" or "granulocyte"
for the neutrophil pattern). A pattern runs only when one of those literals is in the
item: a substring test in C instead of a regex scan. The gate is exact in what it
returns (it only ever skips patterns that cannot match), so outputs do not change.

Case: literals under IGNORECASE are compared with the lower-cased text; the few
non-ASCII characters that Python's ``re`` folds onto ASCII letters differently from
``str.lower`` (dotted/dotless i, long s) open every gate, and non-ASCII pattern
characters are never used as literals (their case folding is not ``str.lower``'s).
A pattern the analysis does not understand is simply never gated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

try:  # the regex parser of the standard library (private, but stable within 3.11+)
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python: no gating, same results
    _sre_parse = None

# Non-ASCII characters that ``re.IGNORECASE`` matches with ASCII letters but whose
# ``str.lower`` is not that letter (found by scanning every code point; the Kelvin sign
# lower-cases to "k" and needs no entry). Tested in tests/test_criteria_speed.py.
FOLD_TRAPS = frozenset("\u0130\u0131\u017f")

# A requirement: (literal, case_insensitive). A gate is a tuple of requirements, any
# one of which must be in the text; None means "cannot tell, always run".
Requirement = tuple[str, bool]

_enabled = True


def set_gates(enabled: bool) -> None:
    """Turn every gate on or off (off: every pattern runs, as before the gates; tests
    compare both readings)."""
    global _enabled
    _enabled = enabled


_MIN_LEN = 1  # even one capital ("H") narrows a case-sensitive pattern


def required_literals(pattern: str, flags: int = 0) -> tuple[Requirement, ...] | None:
    """Literals one of which every match of ``pattern`` contains, or None."""
    if _sre_parse is None:
        return None
    try:
        tree = _sre_parse.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - an unparsable pattern is simply not gated
        return None
    ci = bool(tree.state.flags & re.IGNORECASE)
    got = _seq(list(tree), ci)
    return tuple(sorted(got)) if got else None


def _seq(items: list[tuple[Any, Any]], ci: bool) -> set[Requirement] | None:
    """The best requirement of a sequence: its longest literal run or a required part."""
    p = _sre_parse
    options: list[set[Requirement]] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= _MIN_LEN:
            text = "".join(run)
            options.append({(text.lower() if ci else text, ci)})
        run.clear()

    for op, av in items:
        if op is p.LITERAL and av < 128:
            run.append(chr(av))
            continue
        flush()
        sub: set[Requirement] | None = None
        if op is p.SUBPATTERN:
            _group, add, remove, body = av
            inner_ci = (ci or bool(add & re.IGNORECASE)) and not (remove & re.IGNORECASE)
            sub = _seq(list(body), inner_ci)
        elif op is p.BRANCH:
            branches = [_seq(list(b), ci) for b in av[1]]
            if branches and all(branches):
                sub = set().union(*branches)  # type: ignore[arg-type]
        elif op in (p.MAX_REPEAT, p.MIN_REPEAT, getattr(p, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            sub = _seq(list(av[2]), ci)
        elif op is getattr(p, "ATOMIC_GROUP", None):
            sub = _seq(list(av), ci)
        if sub:
            options.append(sub)
    flush()
    if not options:
        return None
    # The most selective option: the one whose shortest literal is longest.
    return max(options, key=lambda s: (min(len(x) for x, _ in s), -len(s)))


@lru_cache(maxsize=64)
def _view(text: str) -> str | None:
    """``text.lower()``, or None when a fold trap makes literal tests unsafe (then every
    gate opens). Cached: every gate of an item asks for the same text."""
    if not text.isascii() and not FOLD_TRAPS.isdisjoint(text):
        return None
    return text.lower()


def passes(need: tuple[Requirement, ...] | None, text: str) -> bool:
    """Whether a pattern with requirement ``need`` can match ``text``."""
    if need is None or not _enabled:
        return True
    low = _view(text)
    if low is None:
        return True
    for lit, ci in need:
        if (lit in low) if ci else (lit in text):
            return True
    return False


class GateSet:
    """The gates of a family of patterns (all analytes, all states), opened together.

    Each distinct literal is looked up once per text, however many patterns need it.
    """

    def __init__(self, gates: Sequence[Gated]) -> None:
        self.size = len(gates)
        self.always = frozenset(i for i, g in enumerate(gates) if g.need is None)
        ci: dict[str, list[int]] = {}
        cs: dict[str, list[int]] = {}
        for i, g in enumerate(gates):
            for lit, insensitive in g.need or ():
                (ci if insensitive else cs).setdefault(lit, []).append(i)
        self._ci = list(ci.items())
        self._cs = list(cs.items())

    def open(self, text: str) -> list[int]:
        """Indices (ascending) of the patterns that may match ``text``."""
        low = _view(text) if _enabled else None
        if low is None:
            return list(range(self.size))
        hits = set(self.always)
        for lit, idx in self._ci:
            if lit in low:
                hits.update(idx)
        for lit, idx in self._cs:
            if lit in text:
                hits.update(idx)
        return sorted(hits)


class Gated:
    """A compiled pattern with its literal gate; the same match methods, or nothing."""

    __slots__ = ("rx", "need")

    def __init__(self, pattern: str | re.Pattern[str], flags: int = 0) -> None:
        self.rx = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        self.need = required_literals(self.rx.pattern, self.rx.flags)

    @property
    def pattern(self) -> str:
        return self.rx.pattern

    def can_match(self, text: str) -> bool:
        return passes(self.need, text)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        if not passes(self.need, text):
            return None
        return self.rx.search(text, pos) if endpos is None else self.rx.search(text, pos, endpos)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if not passes(self.need, text):
            return iter(())
        return self.rx.finditer(text)

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.rx.match(text, pos)

    def sub(self, repl: Any, text: str) -> str:
        if not passes(self.need, text):
            return text
        return self.rx.sub(repl, text)
