"""Common fixtures: paths to the seeds and the vendored registry records, a built seed store, and a real
Oxigraph SPARQL server on 127.0.0.1 (started from the ``oxigraph`` PyPI package on a
free port, stopped by its PID)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
TEST_DATA = Path(__file__).resolve().parent / "data"
# Real ClinicalTrials.gov records (classic XML, API v2 JSON, search pages), see its SOURCES.md.
CTGOV_CORPUS = TEST_DATA / "ctgov_corpus"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def ctgov_corpus() -> Path:
    return CTGOV_CORPUS


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class OxigraphServer:
    url: str  # http://127.0.0.1:PORT
    pid: int
    location: Path

    @property
    def query_endpoint(self) -> str:
        return self.url + "/query"

    @property
    def update_endpoint(self) -> str:
        return self.url + "/update"

    @property
    def store_endpoint(self) -> str:
        return self.url + "/store"


def _oxigraph_binary() -> str:
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.fail("the 'oxigraph' server binary is missing: pip install -e '.[test]'")
    return exe


def start_oxigraph(location: Path, *, union_default_graph: bool = True) -> tuple[subprocess.Popen, OxigraphServer]:
    port = free_port()
    cmd = [_oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        cmd.append("--union-default-graph")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1):
                break
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("oxigraph did not start within 30 s")
    return proc, OxigraphServer(url=url, pid=proc.pid, location=location)


def stop_by_pid(pid: int, proc: subprocess.Popen | None = None) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if proc is not None:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture()
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A fresh, empty Oxigraph server on 127.0.0.1:<free port> for one test."""
    proc, server = start_oxigraph(tmp_path / "oxigraph-db")
    try:
        yield server
    finally:
        stop_by_pid(server.pid, proc)


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five seeds built once into a store directory (read it, do not write to it)."""
    from trialkg.pipeline import build

    path = tmp_path_factory.mktemp("seed-store") / "store"
    build([str(SEEDS)], store_path=path, replace=True, jobs=1, quiet=True)
    return path


# Hypothesis profiles: "ci" is the default for every test that does not set
# its own example count; "long" is the local soak run that docs/reliability.md reports:
#   HYPOTHESIS_PROFILE=long pytest tests/test_reliability_fuzz.py   (or --hypothesis-profile long;
#   TRIALKG_LONG_EXAMPLES sets its count, 100,000 by default)
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=int(os.environ.get("TRIALKG_LONG_EXAMPLES", "100000")), deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
