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

The analysis reads the pattern text itself (``_Parser`` below): literals, escapes,
classes, groups (capturing, named, non-capturing, scoped flags, lookarounds),
alternation and quantifiers. What it cannot read (a verbose pattern, a conditional
group) makes it give up, so the gate stays open; it never guesses a literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

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


def _parsed(pattern: str, flags: int) -> tuple[list[_Item], bool] | None:
    """The items of ``pattern`` and whether it ignores case, or None when it is unreadable."""
    try:
        parser = _Parser(pattern, flags)
        items = parser.alternation()
        if parser.pos != len(pattern):
            return None
    except _Unreadable:
        return None
    return items, bool(parser.flags & re.IGNORECASE)


def required_literals(pattern: str, flags: int = 0) -> tuple[Requirement, ...] | None:
    """Literals one of which every match of ``pattern`` contains, or None."""
    parsed = _parsed(pattern, flags)
    got = _seq(*parsed) if parsed else None
    return tuple(sorted(got)) if got else None


class _Unreadable(Exception):
    """A construct the analysis does not read: the pattern is not gated."""


# Parsed items: ("lit", char) | ("opaque", source) | ("zero", None) | ("group", (add, remove, items))
# | ("branch", [items, ...]) | ("repeat", (min, item)). Opaque items match text the
# analysis cannot name: one character of a class ("[a-z]", "\d", "."; ``source`` is
# how the pattern writes it) or, with ``source`` None, a backreference; zero-width
# ones match no text ("^", "\b").
_Item = tuple[str, Any]
_OPAQUE_ESCAPES = frozenset("dDwWsS")
_ZERO_ESCAPES = frozenset("bBAZ")
_CHAR_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
_FLAG_LETTERS = {"i": re.IGNORECASE, "a": re.ASCII, "u": re.UNICODE, "m": re.MULTILINE,
                 "s": re.DOTALL, "x": re.VERBOSE, "L": re.LOCALE}


class _Parser:
    """A reader of Python regular-expression syntax, enough to find required literals."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.p = pattern
        self.pos = 0
        self.flags = flags
        if flags & re.VERBOSE:
            raise _Unreadable
        m = re.match(r"\(\?([aiLmsux]+)\)", pattern)
        if m:  # global inline flags at the start: (?i)
            for ch in m.group(1):
                self.flags |= _FLAG_LETTERS[ch]
            if self.flags & re.VERBOSE:
                raise _Unreadable
            self.pos = m.end()

    def peek(self) -> str | None:
        return self.p[self.pos] if self.pos < len(self.p) else None

    def alternation(self) -> list[_Item]:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else [("branch", branches)]

    def sequence(self) -> list[_Item]:
        items: list[_Item] = []
        while (ch := self.peek()) is not None and ch not in "|)":
            atom = self.atom()
            items.append(self.quantified(atom))
        return items

    def quantified(self, atom: _Item) -> _Item:
        ch = self.peek()
        low: int | None = None
        if ch in ("*", "?"):
            low = 0
            self.pos += 1
        elif ch == "+":
            low = 1
            self.pos += 1
        elif ch == "{":
            m = re.compile(r"\{(\d*)(,?)(\d*)\}").match(self.p, self.pos)
            if m and (m.group(1) or m.group(3)):
                low = int(m.group(1) or 0)
                self.pos = m.end()
        if low is None:
            return atom
        if self.peek() in ("?", "+"):  # lazy or possessive
            self.pos += 1
        if atom[0] == "zero":
            raise _Unreadable
        return ("repeat", (low, atom))

    def atom(self) -> _Item:
        ch = self.p[self.pos]
        self.pos += 1
        if ch == "\\":
            return self.escape()
        if ch == "[":
            start = self.pos - 1
            self.skip_class()
            return ("opaque", self.p[start:self.pos])
        if ch == "(":
            return self.group()
        if ch == ".":
            return ("opaque", None)
        if ch in "^$":
            return ("zero", ch)
        if ch in "*+?{" and ch != "{":
            raise _Unreadable  # a quantifier with nothing before it
        return ("lit", ch)

    def escape(self) -> _Item:
        ch = self.peek()
        if ch is None:
            raise _Unreadable
        self.pos += 1
        if ch in _OPAQUE_ESCAPES:  # classes
            return ("opaque", "\\" + ch)
        if ch.isdigit():  # backreferences, octal
            return ("opaque", None)
        if ch in _ZERO_ESCAPES:
            return ("zero", None)
        if ch in _CHAR_ESCAPES:
            return ("lit", _CHAR_ESCAPES[ch])
        if ch in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[ch]
            digits = self.p[self.pos:self.pos + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise _Unreadable
            self.pos += width
            return ("lit", chr(int(digits, 16)))
        if ch.isalpha():  # \N{...} and the rest: not read
            raise _Unreadable
        return ("lit", ch)

    def skip_class(self) -> None:
        """Move past ``[...]`` (a leading ``^`` or ``]`` and escapes included)."""
        if self.peek() == "^":
            self.pos += 1
        if self.peek() == "]":
            self.pos += 1
        while (ch := self.peek()) != "]":
            if ch is None:
                raise _Unreadable
            self.pos += 2 if ch == "\\" else 1
        self.pos += 1

    def group(self) -> _Item:
        add = remove = 0
        zero = False
        if self.p.startswith("?", self.pos):
            m = re.compile(r"\?(?:P<\w+>|<\w+>|:|([aiLmsux]*)(?:-([imsx]+))?:|(=|!|<=|<!)|(>))").match(self.p, self.pos)
            if m is None:
                raise _Unreadable  # (?#...), (?P=name), (?(1)...)
            self.pos = m.end()
            for ch in m.group(1) or "":
                add |= _FLAG_LETTERS[ch]
            for ch in m.group(2) or "":
                remove |= _FLAG_LETTERS[ch]
            zero = m.group(3) is not None  # lookarounds match no text of their own
            if (add | remove) & re.VERBOSE:
                raise _Unreadable
        body = self.alternation()
        if self.peek() != ")":
            raise _Unreadable
        self.pos += 1
        return ("zero", None) if zero else ("group", (add, remove, body))


def _joined(items: list[_Item], ci: bool) -> Iterator[tuple[str, Any]]:
    """The items of a sequence with each run of ASCII literals joined into one requirement:
    ``("run", requirement)`` for a run, the item itself for the rest."""
    run: list[str] = []
    for kind, value in items:
        if kind == "lit" and ord(value) < 128:
            run.append(value)
            continue
        if len(run) >= _MIN_LEN:
            yield "run", _literal("".join(run), ci)
        run = []
        yield kind, value
    if len(run) >= _MIN_LEN:
        yield "run", _literal("".join(run), ci)


def _literal(text: str, ci: bool) -> Requirement:
    return (text.lower() if ci else text, ci)


def _seq(items: list[_Item], ci: bool) -> set[Requirement] | None:
    """The best requirement of a sequence: its longest literal run or a required part."""
    options: list[set[Requirement]] = []
    for kind, value in _joined(items, ci):
        sub = {value} if kind == "run" else _required(kind, value, ci)
        if sub:
            options.append(sub)
    if not options:
        return None
    # The most selective option: the one whose shortest literal is longest.
    return max(options, key=lambda s: (min(len(x) for x, _ in s), -len(s)))


def _required(kind: str, value: Any, ci: bool) -> set[Requirement] | None:
    """What one non-literal item requires: a group's sequence, every branch, a repeated part."""
    if kind == "group":
        add, remove, body = value
        return _seq(body, (ci or bool(add & re.IGNORECASE)) and not (remove & re.IGNORECASE))
    if kind == "branch":
        branches = [_seq(b, ci) for b in value]
        return set().union(*branches) if branches and all(branches) else None  # type: ignore[arg-type]
    if kind == "repeat" and value[0] >= 1:
        return _seq([value[1]], ci)
    return None


def required_groups(pattern: str, flags: int = 0) -> tuple[tuple[Requirement, ...], ...] | None:
    """Every requirement of ``pattern`` a match must meet at once, the one
    ``required_literals`` gives first: "(?:may|can) only be (?:enrolled|eligible) if"
    needs "only", one of "enrolled" / "eligible" and "if", each a group. None: no gate."""
    parsed = _parsed(pattern, flags)
    if parsed is None:
        return None
    items, ci = parsed
    best = _seq(items, ci)
    if not best:
        return None
    first = frozenset(best)
    rest = sorted({g for g in _all_seq(items, ci) if g != first}, key=_selectivity, reverse=True)
    return tuple(tuple(sorted(g)) for g in [first, *rest[: _MAX_GROUPS - 1]])


_MAX_GROUPS = 8  # a gate tests at most this many groups


def _selectivity(group: frozenset[Requirement]) -> tuple[int, int]:
    return min(len(x) for x, _ in group), -len(group)


def _all_seq(items: list[_Item], ci: bool) -> list[frozenset[Requirement]]:
    """Every requirement of a sequence: each literal run and each required part's own."""
    groups: list[frozenset[Requirement]] = []
    for kind, value in _joined(items, ci):
        if kind == "run":
            groups.append(frozenset({value}))
        else:
            groups.extend(_all_required(kind, value, ci))
    return groups


def _all_required(kind: str, value: Any, ci: bool) -> list[frozenset[Requirement]]:
    """Every requirement of one non-literal item. Of an alternation: per requirement of
    its first branch, that one joined with the same one of every other branch, or with
    that branch's most selective one."""
    if kind == "group":
        add, remove, body = value
        return _all_seq(body, (ci or bool(add & re.IGNORECASE)) and not (remove & re.IGNORECASE))
    if kind == "repeat" and value[0] >= 1:
        return _all_seq([value[1]], ci)
    if kind != "branch":
        return []
    per = [_all_seq(b, ci) for b in value]
    if not per or not all(per):
        return []
    out = []
    for g in per[0]:
        joined = set(g)
        for other in per[1:]:
            joined |= g if g in other else max(other, key=_selectivity)
        out.append(frozenset(joined))
    return out


# ---------------------------------------------------------------- first characters
#
# A regex search tries its pattern at every position of the text. A pattern whose
# matches can only start at a few characters ("≥", "at least", "more than" ... start
# with one of "<>=≥≤abdefghilmnosuy") runs faster behind a lookahead naming them: at
# every other position the lookahead fails at once, and it never fails where the
# pattern would match, so the matches are the same.

# first atoms that name too many characters to be worth a lookahead
_WIDE_ATOMS = frozenset({"\\w", "\\W", "\\S", "\\D"})


def _first_atoms(items: list[_Item], flags: int) -> tuple[set[str], bool] | None:
    """The one-character atoms (as written) a match of ``items`` can start with ("^" for
    a match at the start of the text only), and whether it can match empty; None when
    they cannot be named."""
    atoms: set[str] = set()
    for kind, value in items:
        if kind == "zero":
            if value == "^" and not flags & re.MULTILINE:
                atoms.add("^")
                return atoms, False
            continue
        if kind == "lit":
            atoms.add(re.escape(value))
            return atoms, False
        if kind == "opaque":
            if value is None:
                return None
            atoms.add(value)
            return atoms, False
        got = _first_atoms_of(kind, value, flags)
        if got is None:
            return None
        atoms |= got[0]
        if not got[1]:
            return atoms, False
    return atoms, True


def _first_atoms_of(kind: str, value: Any, flags: int) -> tuple[set[str], bool] | None:
    if kind == "group":
        add, remove, body = value
        return None if add or remove else _first_atoms(body, flags)
    if kind == "branch":
        atoms: set[str] = set()
        empty = False
        for b in value:
            got = _first_atoms(b, flags)
            if got is None:
                return None
            atoms |= got[0]
            empty = empty or got[1]
        return atoms, empty
    if kind == "repeat":
        got = _first_atoms([value[1]], flags)
        return None if got is None else (got[0], got[1] or value[0] == 0)
    return None


def first_guard(pattern: str, flags: int = 0) -> str | None:
    """A lookahead that holds wherever a match of ``pattern`` can start (one character
    class of the characters every match starts with), or None when those characters
    cannot be named or are too many (a match can be empty, start with "." or "\\w")."""
    try:
        parser = _Parser(pattern, flags)
        items = parser.alternation()
    except _Unreadable:
        return None
    got = _first_atoms(items, parser.flags) if parser.pos == len(pattern) else None
    # (a pattern that only matches at the start is tried there only: no lookahead)
    if got is None or got[1] or got[0] <= {"^"} or any(_wide(atom) for atom in got[0]):
        return None
    merged = []
    alone = ["^"] if "^" in got[0] else []
    for atom in sorted(got[0] - {"^"}):
        if not atom.startswith("["):
            merged.append(atom)  # a literal or "\\d", "\\s"
        elif _mergeable(atom[1:-1]):
            merged.append(atom[1:-1])
        else:
            alone.append(atom)
    alts = (["[" + "".join(merged) + "]"] if merged else []) + sorted(alone, key=lambda a: a == "^")
    return "(?=" + "|".join(alts) + ")"


def _wide(atom: str) -> bool:
    """Whether a first atom names most characters ("\\w", "[^,;]", "[\\w-]")."""
    return atom.startswith("[^") or any(w in atom for w in _WIDE_ATOMS)


def _mergeable(content: str) -> bool:
    """Whether a class's content means the same inside a larger class: not negated, and
    no "]" or "-" at its edges (they would close the class or make a range)."""
    return bool(content) and content[0] not in "^]-" and not content.endswith("-")


_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def guarded(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` behind its first-character lookahead (``first_guard``): the same matches,
    the same groups; ``rx`` itself when no guard can be named."""
    guard = first_guard(rx.pattern, rx.flags)
    if guard is None:
        return rx
    lead = _GLOBAL_FLAGS.match(rx.pattern)
    cut = lead.end() if lead else 0
    return re.compile(f"{rx.pattern[:cut]}{guard}(?:{rx.pattern[cut:]})", rx.flags)


class LiteralScan:
    """Which of a set of literals a (lower-cased) text contains, found by one scan.

    The literals of three or more characters make one trie regex (``a(?:nc|ge)|...``),
    searched from every position where the last match started: a match is the longest
    literal starting there, and every shorter literal starting there is a prefix of that
    one (both are prefixes of the same text), so the scan finds exactly the literals
    ``lit in low`` finds; the few shorter ones (they are in most texts) are tested
    directly.
    """

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words: set[str] = set(words)
        self.rx: re.Pattern[str] | None = None
        self.short: tuple[str, ...] = ()
        self.prefixes: dict[str, tuple[str, ...]] = {}

    def add(self, words: frozenset[str]) -> bool:
        """Add literals; whether any was new."""
        if words <= self.words:
            return False
        self.words |= words
        self.rx = None
        return True

    def compile(self) -> re.Pattern[str]:
        trie: dict[str, Any] = {}
        long = {w for w in self.words if len(w) >= 3}
        for w in long:
            node = trie
            for ch in w:
                node = node.setdefault(ch, {})
            node[""] = {}
        self.short = tuple(sorted(self.words - long))
        self.prefixes = {w: tuple(w[:i] for i in range(3, len(w) + 1) if w[:i] in long) for w in long}
        self.rx = re.compile(_trie_pattern(trie) or "(?!)", re.DOTALL)
        return self.rx

    def scan(self, low: str) -> frozenset[str]:
        search = (self.rx or self.compile()).search
        out = {w for w in self.short if w in low}
        m = search(low)
        while m is not None:
            out.update(self.prefixes[m.group()])
            m = search(low, m.start() + 1)
        return frozenset(out)


def _trie_pattern(node: dict[str, Any]) -> str:
    """A regex for the words of a trie, each branch's continuation tried before its end."""
    alts = [re.escape(ch) + _trie_pattern(sub) for ch, sub in sorted(node.items()) if ch]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{body})?" if "" in node else body


# Every case-insensitive literal some gate needs: each gate then tests a set instead of
# scanning the text again.
_LITERALS = LiteralScan()


# The texts scanned last (lower case) with their literals: the rules ask about parts of
# an item after the item itself (its first sentence, a clause, a window round a
# mention), and the literals of a part are those of the whole that the part holds.
# (A list rebound whole, never changed in place: a reader in another thread keeps the
# one it read.)
_RECENT: list[tuple[str, frozenset[str]]] = []
_RECENT_SIZE = 4


def _register(words: frozenset[str]) -> None:
    global _RECENT
    if _LITERALS.add(words):
        found.cache_clear()
        _RECENT = []


@lru_cache(maxsize=256)
def found(text: str) -> frozenset[str] | None:
    """The gate literals (lower case) in ``text``, or None when a fold trap makes literal
    tests unsafe (then every gate opens). Cached: every gate of an item asks for the same
    text; a part of a text scanned last tests only that text's literals."""
    global _RECENT
    if not text.isascii() and not FOLD_TRAPS.isdisjoint(text):
        return None
    low = text.lower()
    for whole, words in _RECENT:
        if low in whole:
            return frozenset([w for w in words if w in low])
    words = _LITERALS.scan(low)
    _RECENT = [(low, words), *_RECENT[: _RECENT_SIZE - 1]]
    return words


def _split(need: tuple[Requirement, ...] | None) -> tuple[frozenset[str], tuple[str, ...]]:
    """A requirement's case-insensitive literals (registered for the scan) and case-sensitive ones."""
    ci = frozenset(lit for lit, insensitive in need or () if insensitive)
    _register(ci)
    return ci, tuple(lit for lit, insensitive in need or () if not insensitive)


def _open(ci: frozenset[str], cs: tuple[str, ...], text: str) -> bool:
    """Whether a gate with literals ``ci`` / ``cs`` (one of which is required) opens for ``text``."""
    if not _enabled:
        return True
    got = found(text)
    if got is None or not ci.isdisjoint(got):
        return True
    for lit in cs:
        if lit in text:
            return True
    return False


def any_in(literals: tuple[str, ...], text: str) -> bool:
    """Whether one of ``literals`` is in ``text`` (as written)."""
    for lit in literals:
        if lit in text:
            return True
    return False


def passes(need: tuple[Requirement, ...] | None, text: str) -> bool:
    """Whether a pattern with requirement ``need`` can match ``text``."""
    if need is None:
        return True
    ci, cs = _split(need)
    return _open(ci, cs, text)


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
        _register(frozenset(ci))
        # the gates with more than one requirement group test the others once opened
        self._more = {i: g for i, g in enumerate(gates) if len(g.groups) > 1}
        self._ci = ci
        self._ci_words = frozenset(ci)
        self._cs = list(cs.items())

    def open(self, text: str) -> list[int]:
        """Indices (ascending) of the patterns that may match ``text``."""
        got = found(text) if _enabled else None
        if got is None:
            return list(range(self.size))
        hits = set(self.always)
        ci = self._ci
        for lit in self._ci_words.intersection(got):
            hits.update(ci[lit])
        for lit, idx in self._cs:
            if lit in text:
                hits.update(idx)
        more = self._more
        if hits.isdisjoint(more):
            return sorted(hits)
        return sorted(i for i in hits if i not in more or more[i]._opens(text))


class Gated:
    """A compiled pattern with its literal gate; the same match methods, or nothing.
    ``rx`` is the pattern behind its first-character lookahead (``guarded``)."""

    __slots__ = ("rx", "need", "groups", "source")

    def __init__(self, pattern: str | re.Pattern[str], flags: int = 0) -> None:
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        self.source = rx.pattern
        self.need = required_literals(rx.pattern, rx.flags)
        self.groups = tuple(_split(g) for g in required_groups(rx.pattern, rx.flags) or ())
        self.rx = guarded(rx)

    def _opens(self, text: str) -> bool:
        """Whether every requirement group has a literal in ``text``."""
        if not self.groups or not _enabled:
            return True
        got = found(text)
        if got is None:
            return True
        for ci, cs in self.groups:
            if ci.isdisjoint(got) and not (cs and any_in(cs, text)):
                return False
        return True

    @property
    def pattern(self) -> str:
        """The pattern as written (without the lookahead)."""
        return self.source

    def can_match(self, text: str) -> bool:
        return self._opens(text)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        if not self._opens(text):
            return None
        return self.rx.search(text, pos) if endpos is None else self.rx.search(text, pos, endpos)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if not self._opens(text):
            return iter(())
        return self.rx.finditer(text)

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.rx.match(text, pos)

    def sub(self, repl: Any, text: str) -> str:
        if not self._opens(text):
            return text
        return self.rx.sub(repl, text)
