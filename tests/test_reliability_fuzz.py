"""Property tests: no input crashes a parser; every exception is a TrialKGError.

The example count comes from the hypothesis profile (tests/conftest.py): "ci" by
default, "long" for the soak run reported in docs/reliability.md::

    HYPOTHESIS_PROFILE=long pytest tests/test_reliability_fuzz.py --hypothesis-show-statistics

Inputs are built from the pieces real records are made of (seed page lines, real
criteria lines, the drug lexicon's names and salts) mutated at random, so the fuzzer
reaches deep code rather than bouncing off the first check.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from trialkg.errors import TrialKGError
from trialkg.records import CriterionItem, Intervention, Provenance, TrialRecord

HERE = Path(__file__).resolve().parent
SEEDS = sorted((HERE.parent / "seeds").glob("*.txt"))
CRITERIA_LINES = [ln for p in sorted((HERE / "data" / "criteria").glob("*.txt"))
                  for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]


def survives(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; a TrialKGError is an allowed answer, any other exception fails the test."""
    try:
        return fn(*args, **kwargs)
    except TrialKGError as exc:
        assert str(exc)  # it can be printed as one line
        return None


# -- page readers: the five seeds, mutated line by line ------------------------------

_JUNK = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_OPS = st.sampled_from(["drop", "dup", "swap", "insert", "replace", "cut", "splice"])


@st.composite
def mutated_page(draw: st.DrawFn) -> tuple[int, str]:
    which = draw(st.integers(0, len(SEEDS) - 1))
    lines = SEEDS[which].read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(0, 12))):
        if not lines:
            break
        op = draw(_OPS)
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, draw(_JUNK))
        elif op == "replace":
            lines[i] = draw(_JUNK)
        elif op == "cut":  # a torn download: everything after a point is lost
            lines = lines[:i] + [lines[i][: draw(st.integers(0, len(lines[i])))]]
        else:  # junk spliced into the middle of a line
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(_JUNK) + lines[i][pos:]
    return which, "\n".join(lines)


@given(mutated_page())
def test_page_readers_never_crash(page: tuple[int, str]) -> None:
    from trialkg.sources import pages
    from trialkg.trialview import record_view

    _, text = page
    for result in pages.read_bytes(text.encode("utf-8"), file="fuzz.txt"):
        assert isinstance(result, (TrialRecord, TrialKGError)), type(result)
        if isinstance(result, TrialRecord):
            view = record_view(result)  # the record is whole enough to print
            assert view["id"] == result.id


@given(st.binary(max_size=2000))
def test_every_reader_takes_any_bytes(data: bytes) -> None:
    from trialkg.sources import read_bytes

    for result in read_bytes(data, file="fuzz.bin"):
        assert isinstance(result, (TrialRecord, TrialKGError)), type(result)


# -- criteria: splitter and parser ------------------------------------------------------

_CRITERIA_PIECES = st.sampled_from([
    "Inclusion Criteria:", "Exclusion Criteria:", "\n", "\n\n", "    ", "* ", "- ", "1. ", "a) ", "ii. ",
    "≥", "≤", ">=", "<", "=", "x", "×", "10^9/L", "ULN", "mg/dL", "mL/min/1.73 m2", "%", "1.5", "100,000",
    "within", "weeks", "months", "prior", "no", "not", "except", "ECOG", "Karnofsky", "anlotinib",
    "VEGFR TKI", "anti-PD-1", "liver metastases", "(", ")", ";", ",", ".", "or", "and", "between", "to",
])
criteria_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(_CRITERIA_PIECES, st.sampled_from(CRITERIA_LINES), _JUNK), max_size=40).map(" ".join),
    st.lists(st.one_of(st.sampled_from(CRITERIA_LINES), _JUNK), max_size=30).map("\n".join),
)


@given(criteria_text)
def test_criteria_splitter_never_crashes(text: str) -> None:
    from trialkg.criteria.split import split_criteria

    items = survives(split_criteria, text) or []
    for item in items:
        assert item.section in ("inclusion", "exclusion") and item.text.strip()


@given(criteria_text, st.sampled_from(["inclusion", "exclusion"]), st.none() | _JUNK)
def test_criteria_parser_never_crashes(text: str, section: str, context: str | None) -> None:
    from trialkg.criteria import parse_criteria_text
    from trialkg.criteria.parse import parse_item

    item = CriterionItem(section=section, text=text or "x", position=1, context=context)  # type: ignore[arg-type]
    parsed = survives(parse_item, item, "NCT01234567")
    if parsed is not None:
        assert parsed["section"] == section and isinstance(parsed["constraints"], list)
    for crit in survives(parse_criteria_text, text) or []:
        assert all(isinstance(c.get("type"), str) for c in crit["constraints"])


# -- drug normaliser and mentions -------------------------------------------------------


def _lexicon_names() -> list[str]:
    from trialkg.knowledge.lexicon import Lexicon

    lex = Lexicon.default()
    return sorted(set(lex.drugs) | set(lex.synonyms) | set(lex.classes))[:3000]


_NAMES = _lexicon_names()
_NAME_PIECES = st.sampled_from(_NAMES + [
    "hydrochloride", "mesylate", "tosylate", "malate", "+", "/", " and ", " plus ", ",", "(", ")", "Drug: ",
    "Biological:", "placebo", "XZ-4821", "AL3818", "mg", "oral", "tablets", "®", "™", "–", "-",
])
drug_name = st.one_of(_JUNK, st.lists(st.one_of(_NAME_PIECES, _JUNK), min_size=1, max_size=8).map(" ".join))
_TYPES = st.none() | st.sampled_from(["DRUG", "BIOLOGICAL", "PROCEDURE", "OTHER", "drug", "Combination Product", ""])


@given(drug_name, _TYPES)
def test_drug_normaliser_never_crashes(name: str, itype: str | None) -> None:
    from trialkg.knowledge.normalise import normalise_intervention_name

    res = survives(normalise_intervention_name, name, itype)
    if res is not None:
        assert all(isinstance(d, str) and d == d.lower() for d in res.drugs)


@given(st.lists(drug_name, max_size=8).map(" ".join))
def test_drug_and_class_mentions_never_crash(text: str) -> None:
    from trialkg.knowledge.mentions import find_class_mentions, find_drug_mentions

    for found in (survives(find_drug_mentions, text) or [], survives(find_class_mentions, text) or []):
        for m in found:
            assert 0 <= m.start <= m.end <= len(text)


@given(st.lists(st.tuples(drug_name, _TYPES, st.lists(drug_name, max_size=3)), max_size=5), criteria_text)
def test_normalise_record_never_crashes(interventions: list[tuple[str, str | None, list[str]]], summary: str) -> None:
    from trialkg.knowledge.normalise import normalise_record

    rec = TrialRecord(id="NCT01234567", nct_id="NCT01234567",
                      provenance=Provenance(file="fuzz.json", format="ctgov-json", sha256="0" * 64))
    rec.brief_summary = summary
    rec.interventions = [Intervention(name=n or "x", type=t, other_names=o) for n, t, o in interventions]
    survives(normalise_record, rec)
