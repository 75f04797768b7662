"""A throw-away Virtuoso Open Source server on 127.0.0.1, for the push tests and the
benchmarks.

``start`` runs ``virtuoso-t`` (Debian package ``virtuoso-opensource``) in the
foreground with an ini file written here: a fresh database in the given directory,
free ports for SQL and HTTP, bound to 127.0.0.1 only; it returns once ``/sparql``
answers. ``stop`` ends it by its PID. The directory is in ``DirsAllowed``, so ``ld_dir``
may bulk-load files from it (``isql``). Two tunings: ``TESTS`` (a small buffer pool)
and ``BENCHMARKS`` (a large one, long queries, no cost-estimate limit);
``benchmark_tuning`` sizes the ``BENCHMARKS`` pool to the data it loads.

    from servers.virtuoso import BENCHMARKS, isql, start, stop   # tests/ on sys.path
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

from servers import free_port

DBA_USER = "dba"
DBA_PASSWORD = "dba"  # a fresh Virtuoso database's built-in administrator

_INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort        = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers   = {t.buffers}
MaxDirtyBuffers   = {t.dirty_buffers}
DirsAllowed       = ., {db}
CheckpointInterval = 60

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}
ServerThreads        = {t.threads}
MaxClientConnections = {t.threads}

[SPARQL]
ResultSetMaxRows      = {t.max_rows}
MaxQueryExecutionTime = {t.max_seconds}
{t.extra}"""


@dataclass(frozen=True)
class Tuning:
    """The ini settings that differ between a test server and a benchmark server."""

    buffers: int
    dirty_buffers: int
    threads: int
    max_rows: int
    max_seconds: int
    extra: str = ""
    start_timeout: float = 90.0


TESTS = Tuning(buffers=10_000, dirty_buffers=6_000, threads=8, max_rows=1_000_000, max_seconds=120)
BENCHMARKS = Tuning(buffers=170_000, dirty_buffers=130_000, threads=4, max_rows=10_000_000, max_seconds=600,
                    extra="MaxQueryCostEstimationTime = 0\n", start_timeout=120.0)
PAGE = 8192  # bytes per Virtuoso buffer


def benchmark_tuning(data_bytes: int, memory_bytes: int) -> Tuning:
    """``BENCHMARKS`` with a buffer pool for ``data_bytes`` of N-Quads: half the text's
    size in buffers (Virtuoso's database is a fraction of the text, so the pool holds
    it), at least the ``BENCHMARKS`` pool and at most half of ``memory_bytes``;
    three quarters of the pool may be dirty, as ``BENCHMARKS`` has it."""
    buffers = max(BENCHMARKS.buffers, min(data_bytes // 2, memory_bytes // 2) // PAGE)
    dirty = buffers * 3 // 4 if buffers > BENCHMARKS.buffers else BENCHMARKS.dirty_buffers
    return replace(BENCHMARKS, buffers=buffers, dirty_buffers=dirty)


class VirtuosoError(RuntimeError):
    """The server could not be started, or an isql statement failed."""


class VirtuosoMissing(VirtuosoError):
    """``virtuoso-t`` is not installed."""


@dataclass
class VirtuosoServer:
    url: str  # http://127.0.0.1:PORT
    sql_port: int
    pid: int
    directory: Path

    @property
    def sparql(self) -> str:
        """Read-only SPARQL endpoint (the union of all graphs is its default graph)."""
        return self.url + "/sparql"

    @property
    def sparql_auth(self) -> str:
        """SPARQL endpoint with digest auth: dba may update through it."""
        return self.url + "/sparql-auth"


def start(directory: Path, tuning: Tuning = TESTS) -> tuple[subprocess.Popen, VirtuosoServer]:
    """A fresh database in ``directory``, served until ``stop``."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        raise VirtuosoMissing("virtuoso-t not installed (apt-get install virtuoso-opensource; .ci/run does it)")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(db=directory, sql_port=sql_port, http_port=http_port, t=tuning))
    with (directory / "stdout.log").open("wb") as log:
        proc = subprocess.Popen([exe, "+foreground", "+configfile", str(ini)], cwd=directory, stdout=log,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + tuning.start_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = (directory / "stdout.log").read_text(errors="replace")[-2000:]
            raise VirtuosoError(f"virtuoso-t exited with {proc.returncode}: {text}")
        try:
            with urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=2):
                return proc, VirtuosoServer(url=url, sql_port=sql_port, pid=proc.pid, directory=directory)
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.25)
    stop(proc)
    raise VirtuosoError(f"virtuoso did not answer on {url} within {tuning.start_timeout:.0f} s")


def isql(server: VirtuosoServer, *statements: str) -> str:
    """Run SQL statements through ``isql-vt`` as the built-in dba of a fresh database."""
    exe = shutil.which("isql-vt") or shutil.which("isql") or "isql-vt"
    script = "\n".join(statements) + "\n"
    done = subprocess.run([exe, str(server.sql_port), DBA_USER, DBA_PASSWORD], input=script, capture_output=True,
                          text=True, timeout=24 * 3600, check=True)
    if "*** Error" in done.stdout:
        raise VirtuosoError(f"isql: {done.stdout[-2000:]}")
    return done.stdout


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM by PID (Virtuoso checkpoints and exits), SIGKILL if it lingers."""
    try:
        os.kill(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
