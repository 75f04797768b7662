"""A real Virtuoso Open Source server on 127.0.0.1 for the push tests.

Starts ``virtuoso-t`` (Debian package ``virtuoso-opensource``) in the foreground with
an ini file generated here: a fresh database in a temporary directory, free ports for
SQL and HTTP, bound to 127.0.0.1 only. Stopped by its PID. When the binary is missing,
tests that need it skip with the reason (``.ci/run`` installs it).

Run only these tests:  python -m pytest tests/test_push_virtuoso.py -q
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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
NumberOfBuffers   = 10000
MaxDirtyBuffers   = 6000
DirsAllowed       = ., {db}
CheckpointInterval = 60

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}
ServerThreads        = 8
MaxClientConnections = 8

[SPARQL]
ResultSetMaxRows      = 1000000
MaxQueryExecutionTime = 120
"""


@dataclass
class VirtuosoServer:
    url: str  # http://127.0.0.1:PORT
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


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


def start_virtuoso(directory: Path, timeout: float = 90.0) -> tuple[subprocess.Popen, VirtuosoServer]:
    from conftest import free_port

    exe = virtuoso_binary()
    if exe is None:
        pytest.skip("virtuoso-t not installed (apt-get install virtuoso-opensource; .ci/run does it)")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(db=directory, sql_port=sql_port, http_port=http_port))
    log = open(directory / "stdout.log", "wb")
    proc = subprocess.Popen([exe, "+foreground", "+configfile", str(ini)], cwd=directory, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.close()
            text = (directory / "stdout.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"virtuoso-t exited with {proc.returncode}: {text}")
        try:
            with urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=2):
                break
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.25)
    else:
        stop_virtuoso(proc)
        raise RuntimeError(f"virtuoso did not answer on {url} within {timeout:.0f} s")
    return proc, VirtuosoServer(url=url, pid=proc.pid, directory=directory)


def stop_virtuoso(proc: subprocess.Popen) -> None:
    """SIGTERM by PID (Virtuoso checkpoints and exits), SIGKILL if it lingers."""
    try:
        os.kill(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A fresh, empty Virtuoso on 127.0.0.1 for one test module."""
    proc, server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        stop_virtuoso(proc)
