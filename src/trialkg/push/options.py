"""What a push is asked to do: the endpoints, the credentials, the trials, the batch
size and the mode (``trialkg push`` options), checked when they are made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from trialkg.errors import UsageError
from trialkg.http import safe_url

DEFAULT_BATCH_SIZE = 20_000
MODES = ("auto", "update", "stage", "put")
redact = safe_url  # a URL without ``user:password@`` or secret query parameters, for messages


@dataclass(frozen=True)
class Credentials:
    """User and password (HTTP basic or digest, chosen by the server's challenge) or a bearer token."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.token and (self.user or self.password):
            raise UsageError("give either --user/--password or --token, not both")
        if bool(self.user) != bool(self.password):
            raise UsageError("--user and --password go together")

    @property
    def given(self) -> bool:
        return bool(self.token or self.user)

    def __repr__(self) -> str:  # never show secrets, even in a traceback's locals
        return f"Credentials(user={self.user!r}, password={'***' if self.password else None}, token={'***' if self.token else None})"


@dataclass
class PushOptions:
    endpoint: str
    update: str | None = None
    graph_store: str | None = None
    credentials: Credentials = field(default_factory=Credentials)
    trials: Sequence[str] = ()
    batch_size: int = DEFAULT_BATCH_SIZE
    mode: str = "auto"
    retries: int = 5
    backoff: float = 0.5
    timeout: float = 600.0

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise UsageError("--batch-size must be at least 1")
        if self.mode not in MODES:
            raise UsageError(f"unknown mode {self.mode!r} (one of {', '.join(MODES)})")
        if self.mode in ("put", "stage") and not self.graph_store:
            raise UsageError(f"mode {self.mode!r} needs --graph-store")
        for name in ("endpoint", "update", "graph_store"):
            url = getattr(self, name)
            if url is not None and urlsplit(url).scheme not in ("http", "https"):
                raise UsageError(f"--{name.replace('_', '-')} must be an http(s) URL, got {redact(url)!r}")

    @property
    def update_url(self) -> str:
        """``--update``, else the query endpoint with ``/query`` turned into ``/update``
        (Oxigraph, Fuseki), else the endpoint itself (Virtuoso, GraphDB, Stardog)."""
        if self.update:
            return self.update
        parts = urlsplit(self.endpoint)
        if parts.path.endswith("/query"):
            return urlunsplit(parts._replace(path=parts.path[: -len("query")] + "update"))
        return self.endpoint

