"""benchmarks/generate.py makes trials in the ranges of the vendored real records.

Per trial: triples of its graph (after the real build stages), sites, arms and criteria
items; and across trials, how many criteria items repeat another word for word (which
decides how much the criteria memo saves). Compared with every record under
tests/data/ctgov_corpus (ClinicalTrials.gov API v2 JSON and classic XML).
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from pathlib import Path

import pytest

from trialkg.mapping import map_record
from trialkg.pipeline import STAGES
from trialkg.sources import iter_records

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "data" / "ctgov_corpus"


def profile(paths: list[Path]) -> dict[str, object]:
    rows: dict[str, list[int]] = {"triples": [], "sites": [], "arms": [], "criteria": []}
    items: Counter = Counter()
    for record in iter_records([str(p) for p in paths]):
        if isinstance(record, Exception):
            continue
        for _name, stage in STAGES:
            stage(record)
        criteria = [c.get("text") for c in record.eligibility.criteria or []]
        rows["triples"].append(len(map_record(record).trial))
        rows["sites"].append(len(record.sites))
        rows["arms"].append(len(record.arms))
        rows["criteria"].append(len(criteria))
        items.update(criteria)
    stats = {k: (statistics.median(v), sorted(v)[int(0.9 * len(v))]) for k, v in rows.items()}
    stats["repeated"] = sum(n - 1 for n in items.values()) / max(1, sum(items.values()))
    stats["records"] = len(rows["triples"])
    return stats


@pytest.fixture(scope="module")
def real() -> dict[str, object]:
    return profile([CORPUS])


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, real: dict[str, object]) -> dict[str, object]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    # as many generated trials as real records, so that repetition is compared like with like
    path = generate.write_zip(tmp_path_factory.mktemp("gen") / "trials.zip", int(real["records"]), seed=42)
    return profile([path])


@pytest.mark.parametrize("what", ["triples", "sites", "arms", "criteria"])
def test_per_trial_counts_are_in_the_real_range(real: dict, generated: dict, what: str) -> None:
    (real_median, real_p90), (gen_median, gen_p90) = real[what], generated[what]
    assert real["records"] >= 50
    assert real_median / 2 <= gen_median <= max(2, real_median * 2), (what, real[what], generated[what])
    assert real_p90 / 2.5 <= gen_p90 <= real_p90 * 2.5, (what, real[what], generated[what])


def test_criteria_items_repeat_as_rarely_as_in_real_records(real: dict, generated: dict) -> None:
    assert generated["repeated"] <= max(0.15, 2 * real["repeated"]), (real["repeated"], generated["repeated"])
