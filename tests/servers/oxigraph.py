"""A throw-away Oxigraph server (the ``oxigraph`` binary of the PyPI package) on
127.0.0.1, for the tests (through ``conftest.start_oxigraph``) and the push benchmark.

``start`` serves a database at ``location`` on a free port and returns once
``/query`` answers; ``stop_by_pid`` ends it (SIGTERM, then SIGKILL if it lingers).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from servers import free_port


class OxigraphMissing(RuntimeError):
    """The ``oxigraph`` server binary is not installed."""


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


def oxigraph_binary() -> str:
    exe = shutil.which("oxigraph")
    if exe is None:
        raise OxigraphMissing("the 'oxigraph' server binary is missing: pip install -e '.[test]'")
    return exe


def start(location: Path, *, union_default_graph: bool = True, timeout: float = 30.0,
          keep_errors: bool = True, read_only: bool = False) -> tuple[subprocess.Popen, OxigraphServer]:
    """``keep_errors``: the server's stderr is read for the message when it exits early
    (a long run that never reads it passes False: the pipe would fill). ``read_only``
    serves a database that is not written (``serve-read-only``: a built trialkg store)."""
    port = free_port()
    mode = "serve-read-only" if read_only else "serve"
    cmd = [oxigraph_binary(), mode, "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        cmd.append("--union-default-graph")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE if keep_errors else subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            message = proc.stderr.read().decode(errors="replace") if proc.stderr else f"code {proc.returncode}"
            raise RuntimeError(f"oxigraph exited: {message}")
        try:
            with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1):
                break
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError(f"oxigraph did not start within {timeout:.0f} s")
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
