"""Common fixtures: paths to the seeds and the vendored registry records, a built seed store, and a real
Oxigraph SPARQL server on 127.0.0.1 (started from the ``oxigraph`` PyPI package on a
free port, stopped by its PID: tests/servers/oxigraph.py)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers.oxigraph import (  # free_port, OxigraphServer, stop_by_pid: tests import them from here
    OxigraphMissing,
    OxigraphServer,
    free_port,  # noqa: F401
    oxigraph_binary,
    start,
    stop_by_pid,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
TEST_DATA = Path(__file__).resolve().parent / "data"
# Real ClinicalTrials.gov records (classic XML, API v2 JSON, search pages), see its SOURCES.md.
CTGOV_CORPUS = TEST_DATA / "ctgov_corpus"


# Modules whose module fixture makes a large input or store: with ``-n N`` (pytest-xdist) each
# one's tests run in one process, so it is made once in all; every other test
# is handed out on its own, as ``--dist load`` does. ``python -m pytest -n 2 -q`` gets
# it without options; ``-p no:xdist`` or a run without ``-n`` is unchanged.
ONE_PROCESS_MODULES = frozenset({"tests/test_summary_facts.py", "tests/test_query_paging.py", "tests/test_generate.py"})


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getoption("dist") != "load":
        return None  # an explicit --dist mode other than load keeps its own scheduler
    from xdist.scheduler import LoadScopeScheduling

    class ModuleStores(LoadScopeScheduling):
        """The largest units first: the one-process modules, then single tests."""

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_PROCESS_MODULES else nodeid

    return ModuleStores(config, log)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def ctgov_corpus() -> Path:
    return CTGOV_CORPUS


def _oxigraph_binary() -> str:
    try:
        return oxigraph_binary()
    except OxigraphMissing as exc:
        pytest.fail(str(exc))


def start_oxigraph(location: Path, *, union_default_graph: bool = True) -> tuple[subprocess.Popen, OxigraphServer]:
    try:
        return start(location, union_default_graph=union_default_graph)
    except OxigraphMissing as exc:
        pytest.fail(str(exc))


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
