"""Memory of a build is bounded by bytes, not by member or record counts.

The build's process tree (``trialkg build`` and its workers) is sampled while it runs
(summed PSS, so pages shared with forked workers count once); the figure compared is
the peak above the same build's baseline on an input of the same shape with tiny
members. Inputs are cut from the real record NCT06382129 (benchmarks/bench_budget.py
makes them, and prints the figures for bigger sizes).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("psutil")

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_budget", HERE.parent / "benchmarks" / "bench_budget.py")
bench = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(bench)  # type: ignore[union-attr]
TRIALKG = shutil.which("trialkg") or "trialkg"
MiB = 1024 * 1024


def peak(tmp: Path, source: Path, *, jobs: int, budget_mb: int | None = None) -> int:
    env = dict(os.environ)
    if budget_mb:
        env["TRIALKG_BUILD_BUDGET_MB"] = str(budget_mb)
    store = tmp / f"store-{source.stem}"
    rc, pss, _secs, err = bench.run_sampled([TRIALKG, "build", "--store", str(store), "-j", str(jobs), source.name],
                                            env, tmp)
    assert rc == 0, err
    return pss


def test_wide_zip_stays_under_the_default_budget(tmp_path: Path) -> None:
    """20 members of 40 MB (800 MB in flight before) in a zip of about 1 MB, two workers."""
    bench.wide_zip(tmp_path / "wide.zip", 20, 40)
    bench.wide_zip(tmp_path / "tiny.zip", 20, 0.01)
    assert (tmp_path / "wide.zip").stat().st_size < 2 * MiB
    base = peak(tmp_path, tmp_path / "tiny.zip", jobs=2)
    wide = peak(tmp_path, tmp_path / "wide.zip", jobs=2)
    assert wide - base < 512 * MiB, (wide / MiB, base / MiB)


def test_many_mid_sized_members_stay_under_a_small_budget(tmp_path: Path) -> None:
    """Members small enough to go to the workers unparsed (3 MB each, 300 MB in all): the
    pool takes new batches only while the work in flight fits the budget."""
    bench.wide_zip(tmp_path / "mid.zip", 100, 3)
    bench.wide_zip(tmp_path / "tiny.zip", 100, 0.01)
    base = peak(tmp_path, tmp_path / "tiny.zip", jobs=2, budget_mb=192)
    mid = peak(tmp_path, tmp_path / "mid.zip", jobs=2, budget_mb=192)
    assert mid - base < 192 * MiB, (mid / MiB, base / MiB)


def test_record_of_a_hundred_thousand_criteria_items_is_bounded(tmp_path: Path) -> None:
    """Built with the default criteria cap (10,000 items parsed): memory bounded by the cap."""
    bench.items_record(tmp_path / "items.json", 100_000)
    assert peak(tmp_path, tmp_path / "items.json", jobs=1) < 768 * MiB
