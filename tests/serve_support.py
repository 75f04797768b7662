"""Start ``trialkg serve`` as a user would (a subprocess on a free loopback port), wait
until it answers, stop it by its PID; fetch pages; drive headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import free_port, stop_by_pid

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


@dataclass
class Server:
    url: str
    pid: int

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"


def _trialkg() -> list[str]:
    exe = shutil.which("trialkg")
    return [exe] if exe else [sys.executable, "-c", "from trialkg.cli import main; main()"]


@contextmanager
def running_server(store: Path, *extra: str) -> Iterator[Server]:
    port = free_port()
    cmd = [*_trialkg(), "serve", "--store", str(store), "--port", str(port), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    try:
        # a wait limit, not a timing assertion: on a loaded machine the store, the search
        # index and the SPARQL worker processes can take minutes to come up
        deadline = time.monotonic() + 600
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"trialkg serve exited: {proc.stderr.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=60) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("trialkg serve did not answer within 600 s")
            time.sleep(0.2)
        yield Server(url, proc.pid)
    finally:
        stop_by_pid(proc.pid, proc)
        if proc.stderr is not None:
            proc.stderr.close()


def fetch(url: str, *, accept: str | None = None, data: bytes | None = None,
          content_type: str | None = None) -> tuple[int, str, bytes]:
    headers = {}
    if accept:
        headers["Accept"] = accept
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def chromium() -> str:
    exe = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if exe is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return exe


def dump_dom(url: str, *, budget_ms: int = 5000) -> str:
    """The DOM after scripts ran, from headless Chromium with a fresh profile."""
    with tempfile.TemporaryDirectory(prefix="trialkg-chromium-") as profile:
        cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}",
               "--dump-dom", url]
        out = subprocess.run(cmd, capture_output=True, timeout=600, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"chromium failed: {out.stderr.decode(errors='replace')[-500:]}")
    return out.stdout.decode("utf-8", errors="replace")


def screenshot(url: str, path: Path, *, width: int = 1280, height: int = 1600, budget_ms: int = 5000) -> None:
    with tempfile.TemporaryDirectory(prefix="trialkg-chromium-") as profile:
        cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}",
               f"--window-size={width},{height}", f"--screenshot={path}", url]
        subprocess.run(cmd, capture_output=True, timeout=600, check=True)
