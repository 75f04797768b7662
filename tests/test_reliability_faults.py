"""Faults in the middle: a build killed part-way and re-run loses and doubles nothing.

A real ``trialkg build`` subprocess over a generated bulk-style zip
(``benchmarks/generate.py``) is interrupted once its first batch of trial graphs is
committed (seen by a read-only reader of the store), by SIGINT (Ctrl-C) or
by SIGKILL of its whole process group (workers too: a power cut). Then:

- every trial graph left in the store is whole: isomorphic to the same graph of an
  uninterrupted build (a batch is one transaction);
- re-running the same command gives exactly the uninterrupted build's dataset (every
  trial once, nothing stale) and a store that validates.

``TRIALKG_FAULT_TRIALS`` sets the input size (CI: 200; docs/reliability.md reports a
2,000-trial run). Push faults (a server killed mid-push) are covered by
tests/test_push_oxigraph.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

ROOT = Path(__file__).resolve().parents[1]
TRIALKG = shutil.which("trialkg") or "trialkg"
TRIALS = int(os.environ.get("TRIALKG_FAULT_TRIALS", "200"))


def trialkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRIALKG, *args], capture_output=True, text=True, check=False, timeout=3600)


def dataset(store: Path) -> rdflib.Dataset:
    out = store.parent / f"{store.name}.nq"
    proc = trialkg("export", "--store", str(store), "--format", "nquads", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    ds = rdflib.Dataset()
    ds.parse(out, format="nquads")
    return ds


def graphs(ds: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, rdflib.Graph]]:
    """The generated zip and the graphs of its uninterrupted build (which validates)."""
    tmp = tmp_path_factory.mktemp("faults")
    zip_path = tmp / f"generated-{TRIALS}.zip"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--trials", str(TRIALS),
                    "-o", str(zip_path)], check=True, capture_output=True)
    store = tmp / "clean"
    proc = trialkg("build", "--store", str(store), str(zip_path))
    assert proc.returncode == 0, proc.stderr
    return zip_path, graphs(dataset(store))


def _graphs_committed(store: Path) -> int:
    """Named graphs a reader sees in the store while the build is writing it."""
    import pyoxigraph as ox

    try:
        snapshot = ox.Store.read_only(str(store))
    except (OSError, RuntimeError, ValueError):  # not created yet, or mid-creation
        return 0
    try:
        return sum(1 for _ in snapshot.named_graphs())
    finally:
        del snapshot


def _interrupt(store: Path, zip_path: Path, sig: signal.Signals, jobs: int) -> tuple[int, str]:
    proc = subprocess.Popen([TRIALKG, "build", "--store", str(store), "-j", str(jobs), str(zip_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    while _graphs_committed(store) == 0:  # wait for the first committed batch of trial graphs
        assert proc.poll() is None, "the build ended before it could be interrupted: raise TRIALKG_FAULT_TRIALS"
        time.sleep(0.05)
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its workers: the group this test started
    else:
        os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=600)
    return proc.returncode, err


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "jobs"), [(signal.SIGINT, 1), (signal.SIGKILL, 2)], ids=["sigint-j1", "sigkill-j2"])
def test_interrupted_build_rerun_holds_every_trial_once(
    tmp_path: Path, generated: tuple[Path, dict[str, rdflib.Graph]], sig: signal.Signals, jobs: int
) -> None:
    zip_path, clean = generated
    store = tmp_path / "store"
    code, err = _interrupt(store, zip_path, sig, jobs)
    if sig == signal.SIGINT:
        assert code == 130
        assert ("trialkg: aborted" in err or "trialkg: interrupted" in err) and "Traceback" not in err
    else:
        assert code == -signal.SIGKILL

    # What the interrupted build left: whole trial graphs only, each exactly as built cleanly.
    partial = graphs(dataset(store))
    trial_graphs = [g for g in partial if "/graph/NCT" in g]
    assert 0 < len(trial_graphs) < TRIALS
    torn = [g for g in trial_graphs if not isomorphic(partial[g], clean[g])]
    assert torn == []

    # The same command again completes the store: every trial once, nothing doubled.
    rerun = trialkg("build", "--store", str(store), "-j", str(jobs), str(zip_path))
    assert rerun.returncode == 0, rerun.stderr
    listed = trialkg("list", "--store", str(store), "--format", "tsv").stdout.splitlines()[1:]
    ids = [ln.split("\t")[0] for ln in listed]
    assert len(ids) == len(set(ids)) == TRIALS
    after = graphs(dataset(store))
    assert set(after) == set(clean)
    assert [g for g in clean if not isomorphic(after[g], clean[g])] == []
    validated = trialkg("validate", "--store", str(store))
    assert validated.returncode == 0, validated.stdout[-2000:]
