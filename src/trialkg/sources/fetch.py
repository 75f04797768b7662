"""Download ClinicalTrials.gov API v2 records into a directory ``trialkg build`` reads.

Network only: this module saves the server's bytes unchanged and never parses studies
(the readers in ``sources/`` do that, offline). It pages ``/api/v2/studies``
(``query.term``, ``query.cond``, ``query.intr``, ``filter.overallStatus``,
``filter.ids``, ``pageSize``, ``pageToken`` -> ``nextPageToken``) or fetches single
studies (``/api/v2/studies/{nctId}``), and:

- caches every raw page as ``page-NNNN.json`` (a search page, one of the JSON shapes the
  readers accept) and every single study as ``NCT........json``;
- keeps a small state file (``.trialkg-fetch.json``, hidden so readers skip it) written
  after each page, so a re-run after an interruption resumes at the next page and never
  fetches a page twice;
- spaces requests (``rate`` per second), honours ``429`` ``Retry-After``, retries 5xx
  and connection errors with exponential backoff, verifies HTTPS certificates.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trialkg.errors import InputError, RemoteError, UsageError

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://clinicaltrials.gov"
STUDIES_PATH = "/api/v2/studies"
STATE_FILE = ".trialkg-fetch.json"
MAX_PAGE_SIZE = 1000  # the API's own limit
NCT_ID = re.compile(r"^NCT[0-9]{8}$", re.ASCII)

# filter.overallStatus values, from the API v2 spec (ctg-oas-v2.yaml, schema Status).
OVERALL_STATUSES = (
    "ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING",
    "RECRUITING", "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE", "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN",
)  # fmt: skip


@dataclass
class FetchOptions:
    out_dir: Path
    query: str | None = None
    cond: str | None = None
    intr: str | None = None
    overall_status: Sequence[str] = ()
    nct_ids: Sequence[str] = ()
    page_size: int = 100
    max_studies: int | None = None
    base_url: str = DEFAULT_BASE_URL
    rate: float = 2.0  # requests per second at most
    retries: int = 5
    backoff: float = 1.0
    max_wait: float = 300.0  # longest Retry-After or backoff we sleep
    timeout: float = 60.0
    verify_tls: bool = True

    def __post_init__(self) -> None:
        self.out_dir = Path(self.out_dir)
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise UsageError(f"--base-url must be an http(s) URL, got {self.base_url!r}")
        self.base_url = self.base_url.rstrip("/")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise UsageError(f"--page-size must be between 1 and {MAX_PAGE_SIZE}", field="--page-size")
        if self.max_studies is not None and self.max_studies < 1:
            raise UsageError("--max-studies must be at least 1", field="--max-studies")
        if self.rate <= 0:
            raise UsageError("the rate must be positive")
        ids = [i.strip().upper() for i in self.nct_ids if i.strip()]
        bad = [i for i in ids if not NCT_ID.match(i)]
        if bad:
            raise UsageError(f"not an NCT id: {', '.join(bad)} (expected NCT followed by 8 digits)", field="--nct")
        self.nct_ids = list(dict.fromkeys(ids))
        statuses = [s.strip().upper() for s in self.overall_status if s.strip()]
        unknown = [s for s in statuses if s not in OVERALL_STATUSES]
        if unknown:
            raise UsageError(
                f"unknown status {', '.join(unknown)} (one of {', '.join(OVERALL_STATUSES)})",
                field="--filter-overall-status",
            )
        self.overall_status = statuses

    @property
    def searching(self) -> bool:
        """A search (paged) rather than single studies: any query or filter besides ids."""
        return bool(self.query or self.cond or self.intr or self.overall_status or not self.nct_ids)

    def search_params(self) -> dict[str, str]:
        """The query that identifies this download (without paging parameters)."""
        params = {"format": "json"}
        for key, value in (("query.term", self.query), ("query.cond", self.cond), ("query.intr", self.intr)):
            if value:
                params[key] = value
        if self.overall_status:
            params["filter.overallStatus"] = "|".join(self.overall_status)
        if self.nct_ids:
            params["filter.ids"] = "|".join(self.nct_ids)
        return params


@dataclass
class PageRecord:
    file: str
    token: str | None  # the pageToken that asked for it (None: the first page)
    next_token: str | None
    studies: int


@dataclass
class FetchState:
    """What is already on disk; rewritten after every page."""

    base_url: str
    params: dict[str, str]
    pages: list[PageRecord] = field(default_factory=list)
    done: bool = False
    total_count: int | None = None

    @property
    def studies(self) -> int:
        return sum(p.studies for p in self.pages)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> FetchState:
        pages = [PageRecord(**p) for p in doc.get("pages", [])]
        return cls(base_url=doc["base_url"], params=doc["params"], pages=pages, done=doc.get("done", False),
                   total_count=doc.get("total_count"))


@dataclass
class FetchSummary:
    directory: str
    pages_fetched: int = 0
    pages_cached: int = 0
    studies: int = 0
    studies_fetched: int = 0
    missing: list[str] = field(default_factory=list)  # NCT ids the server does not know
    total_count: int | None = None
    complete: bool = False
    seconds: float = 0.0


class _Client:
    """GET with a request-rate ceiling, Retry-After on 429 and backoff on 5xx."""

    def __init__(self, options: FetchOptions) -> None:
        import requests

        self.options = options
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "trialkg-fetch (+https://w3id.org/trialkg)"
        self.session.headers["Accept"] = "application/json"
        self._last = 0.0

    def close(self) -> None:
        self.session.close()

    def _pace(self) -> None:
        gap = 1.0 / self.options.rate - (time.monotonic() - self._last)
        if gap > 0:
            time.sleep(gap)
        self._last = time.monotonic()

    def get(self, url: str, params: dict[str, str] | None = None) -> Any:
        """The response (2xx or 404); raises RemoteError for other 4xx or when retries run out."""
        import requests

        opts = self.options
        attempt = 0
        while True:
            self._pace()
            try:
                r = self.session.get(url, params=params, timeout=opts.timeout, verify=opts.verify_tls)
            except requests.exceptions.SSLError as exc:
                raise RemoteError(f"TLS certificate check failed for {url}: {exc}") from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = f"cannot reach {url} ({type(exc).__name__})"
                wait = opts.backoff * 2**attempt
            else:
                if r.status_code < 400 or r.status_code == 404:
                    return r
                message = " ".join(r.text.split())[:300]
                if r.status_code == 429:
                    problem = f"HTTP 429 rate limited by {url}"
                    wait = _retry_after(r.headers.get("Retry-After"), opts.backoff * 2**attempt)
                elif r.status_code >= 500:
                    problem = f"HTTP {r.status_code} from {url}: {message}"
                    wait = opts.backoff * 2**attempt
                else:
                    raise RemoteError(f"HTTP {r.status_code} from {url}: {message}")
            attempt += 1
            if attempt >= max(1, opts.retries):
                raise RemoteError(f"{problem}; gave up after {attempt} attempts")
            wait = min(wait, opts.max_wait)
            log.warning("%s; retrying in %.1f s", problem, wait)
            time.sleep(wait)


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _load_state(options: FetchOptions) -> FetchState:
    path = options.out_dir / STATE_FILE
    params = options.search_params()
    if path.exists():
        try:
            state = FetchState.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"unreadable fetch state ({exc}); remove it to start again", file=str(path)) from None
        if state.params != params or state.base_url != options.base_url:
            raise UsageError(
                f"{options.out_dir} holds another download ({_describe(state.params)} from {state.base_url}); "
                "use another -o DIR",
                file=str(path),
            )
        return state
    return FetchState(base_url=options.base_url, params=params)


def _describe(params: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items() if k != "format") or "all studies"


def fetch(options: FetchOptions, *, progress: Callable[[int, int | None], None] | None = None) -> FetchSummary:
    """Download (or resume downloading) into ``options.out_dir``; ``progress(studies, total)``
    is called after every page or study."""
    start = time.monotonic()
    options.out_dir.mkdir(parents=True, exist_ok=True)
    summary = FetchSummary(directory=str(options.out_dir))
    client = _Client(options)
    try:
        if options.searching:
            _fetch_search(options, client, summary, progress)
        else:
            _fetch_studies(options, client, summary, progress)
    finally:
        client.close()
    summary.seconds = time.monotonic() - start
    return summary


def _fetch_search(options: FetchOptions, client: _Client, summary: FetchSummary,
                  progress: Callable[[int, int | None], None] | None) -> None:
    state = _load_state(options)
    state_path = options.out_dir / STATE_FILE
    summary.pages_cached = len(state.pages)
    url = options.base_url + STUDIES_PATH
    limit = options.max_studies
    while not state.done and (limit is None or state.studies < limit):
        token = state.pages[-1].next_token if state.pages else None
        if state.pages and token is None:
            state.done = True
            break
        params = dict(state.params)
        size = options.page_size if limit is None else min(options.page_size, limit - state.studies)
        params["pageSize"] = str(size)
        if token:
            params["pageToken"] = token
        else:
            params["countTotal"] = "true"
        r = client.get(url, params)
        if r.status_code == 404:
            raise RemoteError(f"HTTP 404 from {url}: not a ClinicalTrials.gov API v2 server (check --base-url)")
        try:
            doc = r.json()
            studies = doc["studies"]
            assert isinstance(studies, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            raise RemoteError(f"{url} did not answer with an API v2 search page (no 'studies' list)") from None
        name = f"page-{len(state.pages) + 1:04d}.json"
        _write_atomic(options.out_dir / name, r.content)
        next_token = doc.get("nextPageToken") or None
        if state.total_count is None and isinstance(doc.get("totalCount"), int):
            state.total_count = doc["totalCount"]
        state.pages.append(PageRecord(file=name, token=token, next_token=next_token, studies=len(studies)))
        state.done = next_token is None or not studies
        _write_atomic(state_path, json.dumps(state.to_json(), indent=1).encode("utf-8"))
        summary.pages_fetched += 1
        summary.studies_fetched += len(studies)
        if progress:
            progress(state.studies, state.total_count if limit is None else min(limit, state.total_count or limit))
    summary.studies = state.studies
    summary.total_count = state.total_count
    summary.complete = state.done or (limit is not None and state.studies >= limit)


def _fetch_studies(options: FetchOptions, client: _Client, summary: FetchSummary,
                   progress: Callable[[int, int | None], None] | None) -> None:
    """One file per NCT id; a file already there is not fetched again."""
    ids = list(options.nct_ids)[: options.max_studies] if options.max_studies else list(options.nct_ids)
    for n, nct in enumerate(ids, 1):
        path = options.out_dir / f"{nct}.json"
        if path.exists():
            summary.pages_cached += 1
        else:
            url = f"{options.base_url}{STUDIES_PATH}/{nct}"
            r = client.get(url, {"format": "json"})
            if r.status_code == 404:
                log.warning("%s: not found on %s (HTTP 404)", nct, options.base_url)
                summary.missing.append(nct)
                continue
            try:
                found = r.json()["protocolSection"]["identificationModule"]["nctId"]
            except (ValueError, KeyError, TypeError):
                raise RemoteError(f"{url} did not answer with an API v2 study") from None
            if found.upper() != nct:
                log.warning("%s: the server answered with %s (a merged or aliased record)", nct, found)
            _write_atomic(path, r.content)
            summary.pages_fetched += 1
            summary.studies_fetched += 1
        summary.studies += 1
        if progress:
            progress(n, len(ids))
    summary.complete = not summary.missing
