"""No input crashes the splitter or the parser, and big inputs stay fast (linear regexes)."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialkg.criteria import parse_criteria_text, split_criteria
from trialkg.criteria.parse import parse_text

# Text built from the pieces criteria are made of, so the fuzzer reaches the rules.
_PIECES = st.sampled_from([
    "Inclusion Criteria:", "Exclusion Criteria", "\n", "\n\n", "  ", "* ", "- ", "1. ", "2) ", "\\>", "\\^",
    "ECOG", " 0-1", " PS ", "amputees", "(", ")", "≥", "≤", ">", "<", "=", " x ", "×", "10^9/L", "109/L",
    "ULN", " g/dL", " g/L", " mL/min", " %", " ms", "1.5", "100,000", "18", "years", "months", "within",
    "the past 3 months", "for more than 8 weeks", "anlotinib", "VEGFR TKIs", "anti-PD-1", "no prior",
    "liver metastases", "men", "women", "AST", "ALT", "hemoglobin", "Karnofsky", "RECIST 1.1", ";", ",", ".",
    "between", "and", "or", "to", "~", "Life expectancy", "HER2", "positive", ":",
])
_TEXT = st.one_of(st.text(max_size=300), st.lists(_PIECES, max_size=60).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_split_never_crashes(text):
    items = split_criteria(text)
    for i in items:
        assert i.section in ("inclusion", "exclusion")
        assert i.text.strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.sampled_from(["inclusion", "exclusion"]))
def test_parse_never_crashes(text, section):
    for c in parse_text(text, section):
        assert isinstance(c["type"], str)
    for crit in parse_criteria_text(text):
        assert crit["constraints"], "every criterion keeps at least one constraint"
        ids = crit["id"]
        assert ids.startswith(("inc-", "exc-"))


def test_one_megabyte_is_bounded():
    # Varied lab items (no two alike) and repeated registry boilerplate, about 1 MB.
    labs = "".join(
        f"* ANC >= {i % 9}.5 x 10^9/L, platelets >= {i % 300} x 10^9/L; AST and ALT <= {i % 5}.5 x ULN "
        f"(<= {i % 7} x ULN with liver metastases)\n"
        for i in range(7600)
    )
    block = (
        "Inclusion Criteria:\n" + labs + "Exclusion Criteria:\n"
        + "* Prior treatment with anlotinib within the past 3 months\n" * 3000
    )
    assert len(block) > 1_000_000
    t0 = time.perf_counter()
    items = parse_criteria_text(block)
    assert len(items) == 10600
    # Adversarial single items: long runs of digits, operators, and unclosed brackets.
    for evil in ("1" * 200_000, "(" * 100_000 + "ECOG", "≥ " * 100_000, "1-" * 100_000, "a " * 300_000):
        parse_criteria_text(evil)
    print(f"1 MB of criteria parsed in {time.perf_counter() - t0:.1f} s")
