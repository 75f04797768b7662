"""Peak memory of ``trialkg build`` on inputs that are small on disk and large in memory.

Two inputs, both cut from the real record NCT06382129 (tests/data/ctgov):

- ``wide``: a zip of N members of M MB each (the study padded with JSON whitespace,
  so the zip stays about 60 KB a member); the build must stay under its byte budget
  for work in flight (``TRIALKG_BUILD_BUDGET_MB``, 512 by default) whatever ``--jobs``;
- ``items``: one record of K short criteria items (bounded by ``TRIALKG_MAX_CRITERIA``).

The build's process tree (the command and its workers) is sampled every 50 ms; the
figure is the peak of the summed PSS (proportional set size: pages shared between the
parent and its forked workers counted once). Run::

    python benchmarks/bench_budget.py wide --members 36 --member-mb 60 --jobs 2
    python benchmarks/bench_budget.py items --items 100000
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
STUDY = HERE.parent / "tests" / "data" / "ctgov" / "NCT06382129.json"


def tree_pss(proc: psutil.Process) -> int:
    """The summed PSS of ``proc`` and its descendants (bytes; 0 for one that just ended)."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return total


def run_sampled(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[int, int, float, str]:
    """(exit code, peak tree PSS in bytes, seconds, stderr) of ``cmd``."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        popen = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        proc = psutil.Process(popen.pid)
        peak = 0
        while popen.poll() is None:
            peak = max(peak, tree_pss(proc))
            time.sleep(0.05)
        err.seek(0)
        return popen.returncode, peak, time.perf_counter() - start, err.read().decode(errors="replace")


def study(nct: str) -> dict:
    s = copy.deepcopy(json.loads(STUDY.read_text(encoding="utf-8")))
    s["protocolSection"]["identificationModule"]["nctId"] = nct
    return s


def wide_zip(path: Path, members: int, member_mb: float) -> None:
    """``members`` studies, each padded with whitespace to ``member_mb`` MB."""
    pad = int(member_mb * 1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for n in range(members):
            body = json.dumps(study(f"NCT{n + 1:08d}"))
            zf.writestr(f"NCT{n + 1:08d}.json", "{" + " " * pad + body[1:])


def items_record(path: Path, items: int) -> None:
    s = study("NCT00000001")
    s["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n" + "".join(f"* Age >= {18 + n % 60}\n" for n in range(items)))
    path.write_text(json.dumps(s), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", choices=["wide", "items"])
    ap.add_argument("--members", type=int, default=36)
    ap.add_argument("--member-mb", type=float, default=60)
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--budget-mb", type=float, default=None, help="TRIALKG_BUILD_BUDGET_MB for the build")
    args = ap.parse_args()
    trialkg = shutil.which("trialkg") or "trialkg"
    env = dict(os.environ)
    if args.budget_mb:
        env["TRIALKG_BUILD_BUDGET_MB"] = str(args.budget_mb)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = work / ("wide.zip" if args.case == "wide" else "items.json")
        if args.case == "wide":
            wide_zip(source, args.members, args.member_mb)
        else:
            items_record(source, args.items)
        size = source.stat().st_size
        rc, peak, secs, err = run_sampled(
            [trialkg, "build", "--store", str(work / "store"), "-j", str(args.jobs), source.name], env, work)
    what = (f"{args.members} members x {args.member_mb:g} MB" if args.case == "wide" else f"{args.items} items")
    print(f"case {args.case}: {what}, input {size / 1e6:.1f} MB on disk, --jobs {args.jobs}")
    print(f"exit {rc}; peak PSS of the build process tree {peak / 2**20:.0f} MiB; {secs:.1f} s wall")
    if rc not in (0, 1):
        print(err[-2000:], file=sys.stderr)


if __name__ == "__main__":
    main()
