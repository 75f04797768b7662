"""Faults in the middle: a build killed part-way and re-run loses and doubles nothing.

A real ``trialkg build`` subprocess reads a generated bulk-style zip
(``benchmarks/generate.py``) and then one more record from a FIFO that the test holds
open without writing: once the build opens the FIFO, it has read the whole zip and
written its first batch (the bulk loader takes the first batch of trial graphs alone,
before the next one is read; later ones are gathered up to
``trialkg.pipeline.LOAD_BYTES``), and it cannot finish. There it is interrupted, by SIGINT (Ctrl-C) or by
SIGKILL of its whole process group (workers too: a power cut). Then:

- every trial graph left in the store is whole: isomorphic to the same graph of an
  uninterrupted build;
- re-running the same command (with the FIFO's record as a file at the same path) gives
  exactly the uninterrupted build's dataset (every trial once, nothing stale) and a
  store that validates.

``TRIALKG_FAULT_TRIALS`` sets the input size (by default one batch of one job's build,
``trialkg.pipeline.BATCH_SIZE``, and the last record; docs/reliability.md reports a
2,000-trial run). Push faults (a server
killed mid-push) are covered by tests/test_push_oxigraph.py.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from trialkg.pipeline import BATCH_SIZE

ROOT = Path(__file__).resolve().parents[1]
TRIALKG = shutil.which("trialkg") or "trialkg"
TRIALS = int(os.environ.get("TRIALKG_FAULT_TRIALS", str(BATCH_SIZE + 1)))


def trialkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRIALKG, *args], capture_output=True, text=True, check=False, timeout=3600)


def graphs(store: Path) -> dict[str, frozenset[str]]:
    """Every non-empty graph of the store, as ``trialkg export`` writes it, in canonical
    form (RDFC-1.0): two graphs are isomorphic exactly when their canonical quads are equal."""
    out = store.parent / f"{store.name}.nq"
    proc = trialkg("export", "--store", str(store), "--format", "nquads", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS):
        g = quad.graph_name
        by_graph.setdefault(g.value if isinstance(g, ox.NamedNode) else str(g), []).append(quad)
    canonical = {}
    for name, quads in by_graph.items():
        ds = ox.Dataset(quads)
        ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        canonical[name] = frozenset(map(str, ds))
    return canonical


@dataclass
class Generated:
    zip_path: Path  # every generated study but the last
    last: Path  # the last study's JSON: a file, or a FIFO while a build is interrupted
    clean: dict[str, frozenset[str]]  # the graphs of the uninterrupted build (which validates)

    def command(self, store: Path, jobs: int) -> list[str]:
        return ["build", "--store", str(store), "-j", str(jobs), str(self.zip_path), str(self.last)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    tmp = tmp_path_factory.mktemp("faults")
    every = tmp / f"generated-{TRIALS}.zip"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--trials", str(TRIALS),
                    "-o", str(every)], check=True, capture_output=True)
    out = Generated(tmp / "studies.zip", tmp / "last.json", {})
    with zipfile.ZipFile(every) as src, zipfile.ZipFile(out.zip_path, "w", zipfile.ZIP_DEFLATED) as dst:
        *members, last = [m for m in src.infolist() if m.filename.endswith(".json")]
        for m in members:
            dst.writestr(m.filename, src.read(m))
        out.last.write_bytes(src.read(last))
    store = tmp / "clean"
    proc = trialkg(*out.command(store, 0))
    assert proc.returncode == 0, proc.stderr
    out.clean.update(graphs(store))
    assert sum("/graph/NCT" in g for g in out.clean) == TRIALS
    return out


@contextmanager
def _fifo_at(path: Path) -> Iterator[None]:
    """``path`` is a FIFO inside the block, the file it was after."""
    kept = path.with_name(path.name + ".kept")
    path.rename(kept)
    os.mkfifo(path)
    try:
        yield
    finally:
        path.unlink()
        kept.rename(path)


def _writer_once_read(fifo: Path, proc: subprocess.Popen) -> int:
    """The FIFO's writing end, opened once the build opens it for reading (before, the
    open fails with ENXIO): the build has read every source before it."""
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        assert proc.poll() is None, "the build ended before it reached its last source"
        time.sleep(0.02)


def _graphs_committed(store: Path) -> int:
    """Named graphs a reader sees in the store while the build is writing it."""
    try:
        snapshot = ox.Store.read_only(str(store))
    except (OSError, RuntimeError, ValueError):  # not created yet, or mid-creation
        return 0
    try:
        return sum(1 for _ in snapshot.named_graphs())
    finally:
        del snapshot


def _default_signals() -> None:
    """The build as a terminal starts it: SIGINT handled. A suite started in the background
    of a non-interactive shell inherits SIGINT ignored, and Python then leaves it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt(gen: Generated, store: Path, sig: signal.Signals, jobs: int) -> tuple[int, str]:
    with _fifo_at(gen.last):
        proc = subprocess.Popen([TRIALKG, *gen.command(store, jobs)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, start_new_session=True,
                                preexec_fn=_default_signals)
        writer = None
        try:
            writer = _writer_once_read(gen.last, proc)  # held open and empty: the build waits for the record
            while _graphs_committed(store) == 0:  # its first batch, on disk for a reader
                assert proc.poll() is None, "the build ended before it could be interrupted"
                time.sleep(0.02)
            if sig == signal.SIGKILL:
                os.killpg(proc.pid, signal.SIGKILL)  # the build and its workers: the group this test started
            else:
                os.kill(proc.pid, sig)
            _, err = proc.communicate(timeout=600)
        finally:
            if proc.poll() is None:  # a failed wait: nothing is left running
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            if writer is not None:
                os.close(writer)
    return proc.returncode, err


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "jobs"), [(signal.SIGINT, 1), (signal.SIGKILL, 2)], ids=["sigint-j1", "sigkill-j2"])
def test_interrupted_build_rerun_holds_every_trial_once(
    tmp_path: Path, generated: Generated, sig: signal.Signals, jobs: int
) -> None:
    clean = generated.clean
    store = tmp_path / "store"
    code, err = _interrupt(generated, store, sig, jobs)
    if sig == signal.SIGINT:
        assert code == 130
        assert ("trialkg: aborted" in err or "trialkg: interrupted" in err) and "Traceback" not in err
    else:
        assert code == -signal.SIGKILL

    # What the interrupted build left: whole trial graphs only, each exactly as built cleanly.
    partial = graphs(store)
    trial_graphs = [g for g in partial if "/graph/NCT" in g]
    assert 0 < len(trial_graphs) < TRIALS
    torn = [g for g in trial_graphs if partial[g] != clean[g]]
    assert torn == []

    # The same command again completes the store: every trial once, nothing doubled.
    rerun = trialkg(*generated.command(store, jobs))
    assert rerun.returncode == 0, rerun.stderr
    listed = trialkg("list", "--store", str(store), "--format", "tsv").stdout.splitlines()[1:]
    ids = [ln.split("\t")[0] for ln in listed]
    assert len(ids) == len(set(ids)) == TRIALS
    after = graphs(store)
    assert set(after) == set(clean)
    assert [g for g in clean if after[g] != clean[g]] == []
    validated = trialkg("validate", "--store", str(store))
    assert validated.returncode == 0, validated.stdout[-2000:]
