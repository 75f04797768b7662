"""``trialkg fetch`` offline: recorded API v2 responses (tests/data/fetch/) served by a
local HTTP server on 127.0.0.1. Paging by nextPageToken, the saved directory builds,
resume after the client is killed (no page fetched twice), 429 Retry-After, 5xx
retries, 404 for an unknown NCT id, and clear errors for bad usage."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

DATA = Path(__file__).resolve().parent / "data" / "fetch"
PAGES = [
    DATA / "search_keytruda_limit3_20260811.json",
    DATA / "search_melanoma_recruiting_limit3_20260811.json",
    DATA / "search_nsclc_egfr_l858r_20260811.json",
]
STUDIES = {"NCT06382129": DATA / "study_NCT06382129.json", "NCT02576665": DATA / "study_NCT02576665.json"}
TRIALKG = [sys.executable, "-c", "from trialkg.cli import main; main()"]


def nct_ids(page: Path) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in json.loads(page.read_bytes())["studies"]]


class RecordedApi(BaseHTTPRequestHandler):
    """Serves the recorded pages by token; counts what it served; can misbehave."""

    by_token: dict[str | None, bytes] = {}
    served: list[tuple[str, dict[str, list[str]]]] = []  # (what, query) of 200 answers
    answers: list[int] = []  # every status sent
    fail_statuses: list[int] = []  # answer these first (one per request), then behave
    hang_on_token: str | None = None  # never answer a request for this page
    release = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        cls = type(self)
        if cls.fail_statuses:
            status = cls.fail_statuses.pop(0)
            headers = {"Retry-After": "1"} if status == 429 else {}
            return self._send(status, b'{"error": "try later"}', headers)
        if parts.path == "/api/v2/studies":
            token = query.get("pageToken", [None])[0]
            if token is not None and token == cls.hang_on_token:
                cls.release.wait(30)
                return
            body = cls.by_token.get(token)
            if body is None:
                return self._send(400, b"unknown pageToken")
            cls.served.append((f"page:{token}", query))
            return self._send(200, body)
        if parts.path.startswith("/api/v2/studies/"):
            nct = parts.path.rsplit("/", 1)[1]
            if nct in STUDIES:
                cls.served.append((f"study:{nct}", query))
                return self._send(200, STUDIES[nct].read_bytes())
            return self._send(404, f"Study {nct} not found".encode())
        return self._send(404, b"no such path")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        type(self).answers.append(status)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def api() -> Iterator[str]:
    tokens: list[str | None] = [None]
    for page in PAGES[:-1]:
        tokens.append(json.loads(page.read_bytes())["nextPageToken"])
    RecordedApi.by_token = {t: p.read_bytes() for t, p in zip(tokens, PAGES, strict=True)}
    RecordedApi.served, RecordedApi.answers, RecordedApi.fail_statuses = [], [], []
    RecordedApi.hang_on_token, RecordedApi.release = None, threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedApi)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        RecordedApi.release.set()
        server.shutdown()
        server.server_close()


def fetch(base: str, out: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    cmd = [*TRIALKG, "fetch", "--base-url", base, "-o", str(out), "--rate", "50", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def test_pages_through_next_page_tokens_and_builds(api: str, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    r = fetch(api, out, "--cond", "melanoma", "--filter-overall-status", "recruiting",
              "--filter-overall-status", "COMPLETED", "--page-size", "3")
    assert r.returncode == 0, r.stderr
    saved = sorted(p.name for p in out.glob("[!.]*.json"))
    assert saved == ["page-0001.json", "page-0002.json", "page-0003.json"]
    for name, recorded in zip(saved, PAGES, strict=True):
        assert (out / name).read_bytes() == recorded.read_bytes()
    first_query = RecordedApi.served[0][1]
    assert first_query["query.cond"] == ["melanoma"]
    assert first_query["filter.overallStatus"] == ["RECRUITING|COMPLETED"]
    assert first_query["format"] == ["json"] and first_query["pageSize"] == ["3"]
    assert [w for w, _ in RecordedApi.served] == [f"page:{t}" for t in RecordedApi.by_token]
    assert "8 of 2924 studies" in r.stderr

    from trialkg.pipeline import build

    summary = build([str(out)], store_path=tmp_path / "store", replace=True, jobs=1, quiet=True)
    assert sorted(summary.trial_ids) == sorted(n for p in PAGES for n in nct_ids(p))
    assert not summary.rejected

    again = fetch(api, out, "--cond", "melanoma", "--filter-overall-status", "RECRUITING",
                  "--filter-overall-status", "COMPLETED", "--page-size", "3")
    assert again.returncode == 0, again.stderr
    assert len(RecordedApi.served) == 3  # complete: nothing fetched again
    assert "3 already cached" in again.stderr


def test_resume_after_the_client_is_killed(api: str, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    RecordedApi.hang_on_token = json.loads(PAGES[1].read_bytes())["nextPageToken"]  # page 3 never answers
    client = subprocess.Popen([*TRIALKG, "fetch", "--base-url", api, "-o", str(out), "--rate", "50", "--query", "keytruda"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (out / "page-0002.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # let it write the state and ask for page 3
    os.kill(client.pid, signal.SIGKILL)
    client.wait()
    assert not (out / "page-0003.json").exists()
    RecordedApi.hang_on_token = None
    RecordedApi.release.set()

    r = fetch(api, out, "--query", "keytruda")
    assert r.returncode == 0, r.stderr
    served = [w for w, _ in RecordedApi.served]
    assert served == [f"page:{t}" for t in RecordedApi.by_token]  # each page once, in order
    assert "2 already cached" in r.stderr
    assert sorted(p.name for p in out.glob("[!.]*.json")) == ["page-0001.json", "page-0002.json", "page-0003.json"]


def test_429_retry_after_and_5xx_are_retried(api: str, tmp_path: Path) -> None:
    RecordedApi.fail_statuses = [429, 503]
    r = fetch(api, tmp_path / "pages", "--intr", "pembrolizumab")
    assert r.returncode == 0, r.stderr
    assert RecordedApi.answers[:3] == [429, 503, 200]
    assert "HTTP 429 rate limited" in r.stderr and "HTTP 503" in r.stderr and "retrying in" in r.stderr
    assert len(list((tmp_path / "pages").glob("page-*.json"))) == 3


def test_gives_up_with_a_clear_error_when_the_server_keeps_failing(api: str, tmp_path: Path) -> None:
    RecordedApi.fail_statuses = [500] * 10
    r = fetch(api, tmp_path / "pages", "--query", "x", "--retries", "2")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith("trialkg: error: HTTP 500")
    assert "Traceback" not in r.stderr


def test_single_studies_and_a_404(api: str, tmp_path: Path) -> None:
    out = tmp_path / "studies"
    r = fetch(api, out, "--nct", "NCT06382129", "--nct", "nct99999999", "--nct", "NCT02576665")
    assert r.returncode == 1  # ran, but one id is unknown
    assert "NCT99999999" in r.stderr and "not found" in r.stderr
    assert sorted(p.name for p in out.glob("[!.]*.json")) == ["NCT02576665.json", "NCT06382129.json"]
    assert (out / "NCT06382129.json").read_bytes() == STUDIES["NCT06382129"].read_bytes()

    from trialkg.pipeline import build

    summary = build([str(out)], store_path=tmp_path / "store", replace=True, jobs=1, quiet=True)
    assert sorted(summary.trial_ids) == ["NCT02576665", "NCT06382129"]


def test_max_studies_asks_for_no_more_than_needed(api: str, tmp_path: Path) -> None:
    r = fetch(api, tmp_path / "pages", "--query", "keytruda", "--page-size", "100", "--max-studies", "4")
    assert r.returncode == 0, r.stderr
    assert [q["pageSize"] for _, q in RecordedApi.served] == [["4"], ["1"]]
    assert len(list((tmp_path / "pages").glob("page-*.json"))) == 2


def test_another_query_in_the_same_directory_is_refused(api: str, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    assert fetch(api, out, "--query", "keytruda", "--max-studies", "3").returncode == 0
    r = fetch(api, out, "--query", "melanoma")
    assert r.returncode == 2
    assert "holds another download" in r.stderr and "query.term=keytruda" in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter-overall-status", "OPEN"], "unknown status OPEN"),
        (["--nct", "12345"], "not an NCT id: 12345"),
        (["--page-size", "5000"], "--page-size must be between 1 and 1000"),
    ],
)
def test_bad_usage_is_one_clear_line(api: str, tmp_path: Path, args: list[str], message: str) -> None:
    r = fetch(api, tmp_path / "pages", *args)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr
    assert RecordedApi.answers == []  # refused before any request


def test_not_an_api_server(api: str, tmp_path: Path) -> None:
    r = fetch(api + "/elsewhere", tmp_path / "pages", "--query", "x")
    assert r.returncode == 2
    assert "HTTP 404" in r.stderr and "--base-url" in r.stderr
