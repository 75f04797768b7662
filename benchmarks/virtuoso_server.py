"""A throw-away Virtuoso Open Source server on 127.0.0.1 for the benchmarks.

``virtuoso-t`` (Debian package ``virtuoso-opensource``) in the foreground with a fresh
database in the given directory, free ports for SQL and HTTP, stopped by its PID. The
directory is in ``DirsAllowed`` so that ``ld_dir`` may bulk-load files from it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

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
NumberOfBuffers   = 170000
MaxDirtyBuffers   = 130000
DirsAllowed       = ., {db}
CheckpointInterval = 60

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}
ServerThreads        = 4
MaxClientConnections = 4

[SPARQL]
ResultSetMaxRows      = 10000000
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 0
"""


@dataclass
class Server:
    url: str
    sql_port: int
    pid: int

    @property
    def sparql(self) -> str:
        """The read-only SPARQL endpoint: its default graph is the union of all graphs."""
        return self.url + "/sparql"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(directory: Path, timeout: float = 120.0) -> tuple[subprocess.Popen, Server]:
    exe = shutil.which("virtuoso-t")
    if exe is None:
        raise SystemExit("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    sql_port, http_port = _free_port(), _free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(db=directory, sql_port=sql_port, http_port=http_port))
    log = (directory / "stdout.log").open("wb")
    proc = subprocess.Popen([exe, "+foreground", "+configfile", str(ini)], cwd=directory, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"virtuoso-t exited with {proc.returncode}: "
                             f"{(directory / 'stdout.log').read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=2):
                return proc, Server(url, sql_port, proc.pid)
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.25)
    stop(proc)
    raise SystemExit(f"virtuoso did not answer on {url} within {timeout:.0f} s")


def isql(server: Server, *statements: str) -> str:
    """Run SQL statements through ``isql-vt`` as the built-in dba of a fresh database."""
    exe = shutil.which("isql-vt") or shutil.which("isql") or "isql-vt"
    script = "\n".join(statements) + "\n"
    done = subprocess.run([exe, str(server.sql_port), "dba", "dba"], input=script, capture_output=True,
                          text=True, timeout=24 * 3600, check=True)
    if "*** Error" in done.stdout:
        raise SystemExit(f"isql: {done.stdout[-2000:]}")
    return done.stdout


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM by PID, SIGKILL if it lingers."""
    try:
        os.kill(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
