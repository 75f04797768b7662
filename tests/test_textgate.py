"""The literal gates read regex syntax themselves: what each construct requires, and
that a gate never skips a pattern that matches (real criteria lines, both settings)."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest

import trialkg.criteria.parse  # noqa: F401 - builds the gated patterns of the criteria rules
import trialkg.knowledge.biomarkers  # noqa: F401 - and of the biomarker rules
from trialkg import textgate
from trialkg.textgate import Gated, passes, required_groups, required_literals

DATA = Path(__file__).parent / "data" / "criteria"


@pytest.mark.parametrize("pattern, flags, need", [
    (r"neutrophils?", 0, (("neutrophil", False),)),
    (r"(?i)ANC\b", 0, (("anc", True),)),
    (r"\bplatelets?\s*(?:count)?", 2, (("platelet", True),)),  # re.IGNORECASE is 2
    (r"(?:ECOG|Eastern Cooperative)", 0, (("ECOG", False), ("Eastern Cooperative", False))),
    (r"(?<![\w-])HbA1c(?![\w])", 0, (("HbA1c", False),)),  # lookarounds require nothing
    (r"[A-Z]{2,}\d+", 0, None),  # classes only
    (r"x*y?", 0, None),  # nothing required
    (r"(?:gr)+ade\.", 0, (("ade.", False),)),
    (r"a\x41\u00e9b", 0, (("aA", False),)),  # escapes; a non-ASCII char ends a run
    (r"(?#comment)abc", 0, None),  # not read: never gated
    (r"abc", 64, None),  # re.VERBOSE: not read
])
def test_required_literals(pattern: str, flags: int, need: tuple | None) -> None:
    assert required_literals(pattern, flags) == need


def test_no_gate_skips_a_pattern_that_matches_a_real_criteria_line() -> None:
    lines = [ln for p in sorted(DATA.glob("*.txt")) for ln in p.read_text(encoding="utf-8").splitlines() if ln]
    gated = [g for g in gc.get_objects() if isinstance(g, Gated) and g.need is not None]
    assert len(gated) > 100
    for g in gated:
        for line in lines:
            if g.rx.search(line):
                assert passes(g.need, line) and g.can_match(line), (g.pattern, line)


def test_the_literal_scan_finds_exactly_the_literals_in_the_text() -> None:
    """One trie scan per text stands for a substring test per literal: same set, on real
    criteria lines and on texts where literals overlap or nest ("anc" in "ancillary")."""
    lines = [ln for p in sorted(DATA.glob("*.txt")) for ln in p.read_text(encoding="utf-8").splitlines() if ln]
    lines += ["ancillary ANC", "neutrophilsneutrophil", "t", "", "HbA1c≥7%", "x" * 50]
    # parts of a text scanned just before: the part's literals are read from the whole's
    lines += ["ancillary ANC", "ancillary", "cillary AN", "neutrophils", "ANC"]
    lines += [ln[: len(ln) // 2] for ln in lines[:40]] + [ln[3:] for ln in lines[:40]]
    words = textgate._LITERALS.words
    assert len(words) > 100
    for line in lines:
        got = textgate.found(line)
        if got is not None:
            low = line.lower()
            assert got == {w for w in words if w in low}, line


def test_required_groups_are_each_required() -> None:
    rx = r"^(?P<cond>[^.;]{3,300}?)\s+(?:(?:may|can)\s+only\s+be\s+(?:enrolled|eligible)\s+if|(?:is|are)\s+(?:enrolled|eligible)\s+only\s+if)\s+(?P<body>.+)$"
    groups = required_groups(rx, re.IGNORECASE)
    assert groups is not None and groups[0] == required_literals(rx, re.IGNORECASE)
    assert (("only", True),) in groups and (("eligible", True), ("enrolled", True)) in groups
    g = Gated(rx, re.IGNORECASE)
    assert not g.can_match("Patients are eligible if they consent")  # no "only"
    assert g.can_match("Patients with GBM are eligible only if resected")
    assert required_groups(r"x*y?") is None


@pytest.mark.parametrize("pattern, flags, guard", [
    (r"(?:at least|≥|>=)\s*\d", 0, "(?=[>a≥])"),
    (r"(?<![\w-])(?:ANC|neutrophils?)\b", 0, "(?=[An])"),  # lookbehinds and \b match no text
    (r"(?:the\s+)?ULN", 0, r"(?=[Ut])"),  # an optional part and what follows it
    (r"[-+]?\d+|pos\w*", 0, r"(?=[\dp]|[-+])"),  # a class with "-" at its edge stays apart
    (r"[^a-z]x|[a-c]y", 0, None),  # a negated class: too many to name
    (r"[\w-]+ing", 0, None),
    (r"[]a]x|[-b]y|[c-]z", 0, r"(?=[-b]|[]a]|[c-])"),  # edge "]" and "-" keep their classes apart
    (r"x*y?", 0, None),  # can match empty
    (r"\w+ing", 0, None),  # a word character: too many to name
    (r".x", 0, None),
    (r"(a)\1", 0, "(?=[a])"),
    (r"\1?b", 0, None),  # a backreference first
    (r"(?i:ab)c", 0, None),  # scoped flags: not named
    (r"^\W*no\b|\bnot\b", 0, "(?=[n]|^)"),  # a branch at the start of the text only
    (r"^abc", 0, None),  # the whole pattern at the start: tried there only already
    (r"^abc|x", re.MULTILINE, "(?=[ax])"),  # "^" after every line break
    (r"abc", 64, None),  # re.VERBOSE: not read
])
def test_first_guard(pattern: str, flags: int, guard: str | None) -> None:
    assert textgate.first_guard(pattern, flags) == guard


def test_a_guarded_pattern_finds_what_the_pattern_finds() -> None:
    """The first-character lookahead changes no match, no group, on the real criteria
    lines each gated pattern of the rules runs on (global flags at the start stay at the
    start)."""
    lines = [ln for p in sorted(DATA.glob("*.txt")) for ln in p.read_text(encoding="utf-8").splitlines() if ln]
    lines += ["Age ≥ 18", "ANC>1.5", "18 - 70 years", "K", "\u212a", "\u017f", "\u0130", ""]
    gated = [g for g in gc.get_objects() if isinstance(g, Gated) and g.rx.pattern != g.source]
    assert len(gated) > 100
    for g in gated:
        plain = re.compile(g.source, g.rx.flags)
        for line in filter(g.can_match, lines):
            assert [(m.span(), m.groups()) for m in g.rx.finditer(line)] == \
                [(m.span(), m.groups()) for m in plain.finditer(line)], (g.source, line)
    rx = textgate.guarded(re.compile(r"(?i)\bfoo|bar"))
    assert rx.pattern == r"(?i)(?=[bf])(?:\bfoo|bar)" and rx.search("a BAR").span() == (2, 5)


def test_a_class_of_one_character_folds_case_as_the_character() -> None:
    """The lookahead names a pattern's first literals in a class; under IGNORECASE a class
    matches the same characters as the literal, the non-ASCII folds too (Kelvin sign,
    long s, dotted and dotless i)."""
    every = "".join(chr(c) for c in range(0x3000))
    for ch in "abdefghiklmnostuyz<>=≥≤":
        assert set(re.findall(re.escape(ch), every, re.I)) == set(re.findall(f"[{re.escape(ch)}]", every, re.I)), ch
