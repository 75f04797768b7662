"""Remote calls through ``trialkg.http`` against real servers on 127.0.0.1 free ports: a
hostile one of the test's own (tests/servers/hostile_http.py) and the ``oxigraph``
server; each is stopped by its PID. No timing is asserted: a hung client would hit the
subprocess timeout and fail the test."""

from __future__ import annotations

import base64
import fcntl
import io
import os
import pty
import select
import shutil
import socket
import subprocess
import sys
import termios
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import free_port, start_oxigraph, stop_by_pid

from trialkg.store import TrialStore

HERE = Path(__file__).resolve().parent
GOOD = HERE / "data" / "ctgov" / "NCT06382129.json"
TRIALKG = shutil.which("trialkg") or "trialkg"
SECRET = "typed-s3cret-pw"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("remote") / "store"
    subprocess.run([TRIALKG, "build", "--store", str(path), str(GOOD)], check=True, capture_output=True)
    return path


def hostile(mode: str) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(HERE / "servers" / "hostile_http.py"), mode, str(port)])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_by_pid(proc.pid, proc)


@pytest.fixture()
def drip() -> Iterator[str]:
    yield from hostile("drip")


@pytest.fixture()
def drip_headers() -> Iterator[str]:
    yield from hostile("drip-headers")


@pytest.fixture()
def endless() -> Iterator[str]:
    yield from hostile("endless")


@pytest.fixture()
def echo() -> Iterator[str]:
    yield from hostile("echo")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([TRIALKG, *args], capture_output=True, text=True, check=False, timeout=120,
                          env={**os.environ, **(env or {})})
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr
    return proc


@pytest.mark.parametrize("server", ["drip", "drip_headers"])
def test_a_byte_every_two_seconds_still_times_out(server: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(server)
    proc = run("query", "biomarker-arms", "--endpoint", url + "/query", "--timeout", "3")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"trialkg: error: queries/biomarker-arms.rq: {url}/query did not answer within 3 s (the whole request)"]


def test_push_has_a_deadline_too(drip: str, store: Path) -> None:
    proc = run("push", "--store", str(store), "--endpoint", drip + "/query", "--timeout", "3", "--retries", "1")
    assert proc.returncode == 2
    assert "did not answer within 3 s" in proc.stderr


def test_endless_answer_is_refused_at_the_size_cap(endless: str) -> None:
    proc = run("query", "biomarker-arms", "--endpoint", endless + "/query", env={"TRIALKG_MAX_RESPONSE_MB": "2"})
    assert proc.returncode == 2
    assert f"{endless}/query sent more than 2097152 bytes: refused (TRIALKG_MAX_RESPONSE_MB)" in proc.stderr


def _controlling_tty() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_password_typed_at_the_prompt_is_scrubbed_from_an_echoed_error(echo: str) -> None:
    """The server echoes the request headers (Authorization: Basic ...) in its 500 body."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([TRIALKG, "query", "biomarker-arms", "--endpoint", echo + "/query", "--user", "alice",
                             "--timeout", "10"], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_controlling_tty, text=True)
    os.close(slave)
    seen = b""
    while b"Password" not in seen:  # type only once the prompt has turned echo off
        ready, _, _ = select.select([master], [], [], 60)
        assert ready, "no password prompt"
        seen += os.read(master, 1024)
    os.write(master, (SECRET + "\n").encode())
    out, err = proc.communicate(timeout=120)
    os.close(master)
    assert proc.returncode == 2, err
    assert "Authorization: Basic ***" in err
    basic = base64.b64encode(f"alice:{SECRET}".encode()).decode()
    assert SECRET not in out + err and basic not in out + err


def test_token_in_the_endpoint_query_string_is_never_printed(echo: str) -> None:
    token = "tok-abcdef-123456"
    proc = run("query", "biomarker-arms", "--endpoint", f"{echo}/query?access_token={token}", "--timeout", "10")
    assert proc.returncode == 2
    assert token not in proc.stdout + proc.stderr
    assert f"{echo}/query?access_token=***" in proc.stderr


def test_service_clause_is_refused_locally_unless_allowed(store: Path, tmp_path: Path) -> None:
    """No request leaves the machine for a local query's SERVICE clause without --allow-service."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    rq = tmp_path / "remote.rq"
    rq.write_text(f"SELECT ?s WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}\n")
    proc = run("query", "--store", str(store), str(rq))
    assert proc.returncode == 2 and "SERVICE clause" in proc.stderr and "--allow-service" in proc.stderr
    listener.settimeout(0.5)
    with pytest.raises(TimeoutError):
        listener.accept()
    listener.close()


def test_server_with_named_graphs_only_is_explained(store: Path, tmp_path: Path) -> None:
    """Oxigraph started without --union-default-graph: the stored queries see no trial."""
    proc, server = start_oxigraph(tmp_path / "db", union_default_graph=False)
    try:
        buf = io.BytesIO()
        TrialStore(store, read_only=True).dump(buf, ox.RdfFormat.N_QUADS)
        req = urllib.request.Request(server.store_endpoint, data=buf.getvalue(), method="POST",
                                     headers={"Content-Type": "application/n-quads"})
        with urllib.request.urlopen(req, timeout=60):
            pass
        result = run("query", "trials-by-sponsor", "--endpoint", server.query_endpoint)
    finally:
        stop_by_pid(server.pid, proc)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "default graph is empty while its named graphs hold data" in line and "--union-default-graph" in line
