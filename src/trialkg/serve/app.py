"""The Starlette application: routes, templates and static files shipped in the package.

``create_app(store_path)`` opens the store read-only, builds the search index and starts
the SPARQL worker processes when the server starts (and stops them when it stops).
``run`` serves it with uvicorn on loopback by default.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from trialkg import views
from trialkg.errors import UsageError
from trialkg.serve import pages
from trialkg.serve.search import SearchIndex, build_index
from trialkg.serve.sparql import QueryPool
from trialkg.store import TrialStore, resolve_store_path

VIEW_CACHE = 256
HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

log = logging.getLogger(__name__)


@dataclass
class ServerState:
    """What every request reads: the store, the index, the SPARQL workers, cached stats."""

    store: TrialStore
    index: SearchIndex
    pool: QueryPool | None
    templates: Jinja2Templates
    query_timeout: float
    cache: dict[str, Any] = field(default_factory=dict)
    views: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def trial_view(self, trial_id: str) -> dict[str, Any]:
        """``views.trial_view``, kept for the ``VIEW_CACHE`` most recent trials: the store is
        read-only while the server runs, and a trial page and its graph read the same view."""
        with self.lock:
            view = self.views.get(trial_id)
            if view is not None:
                self.views.move_to_end(trial_id)
                return view
        view = views.trial_view(self.store, trial_id)
        with self.lock:
            self.views[trial_id] = view
            while len(self.views) > VIEW_CACHE:
                self.views.popitem(last=False)
        return view


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(TEMPLATES))
    t.env.filters["phase"] = pages.phase_label
    t.env.filters["words"] = pages.words
    return t


def create_app(store_path: str | Path | None, *, workers: int = 2, query_timeout: float = 30.0) -> Starlette:
    store = TrialStore(store_path, read_only=True)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = QueryPool(str(store.path), workers=workers, timeout=query_timeout) if workers else None
        app.state.trialkg = ServerState(store, build_index(store), pool, templates(), query_timeout)
        try:
            yield
        finally:
            if pool is not None:
                pool.close()

    routes = [
        Route("/", pages.timed(pages.overview)),
        Route("/search", pages.timed(pages.search)),
        Route("/trial/{trial_id:path}", pages.timed(pages.trial)),
        Route("/drug/{name:path}", pages.timed(pages.drug)),
        Route("/target/{symbol:path}", pages.timed(pages.target)),
        Route("/family/{key:path}", pages.timed(pages.family)),
        Route("/graph/{kind}/{key:path}", pages.timed(pages.graph_json)),
        Route("/queries", pages.timed(pages.queries_list)),
        Route("/queries/{name}", pages.timed(pages.query_page)),
        Route("/match", pages.match, methods=["GET", "POST"]),
        Route("/sparql", pages.sparql, methods=["GET", "POST", "OPTIONS"]),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan, exception_handlers=pages.EXCEPTION_HANDLERS)


def run(store_path: str | Path | None, *, host: str = "127.0.0.1", port: int = 8000,
        workers: int = 2, query_timeout: float = 30.0, echo: Any = print) -> None:
    """Bind, say where in one line, and serve until interrupted."""
    import socket

    import uvicorn

    app = create_app(store_path, workers=workers, query_timeout=query_timeout)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", field="--port") from exc
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    echo(f"trialkg: serving {resolve_store_path(store_path)} at http://{shown}:{bound}/ "
         f"(SPARQL endpoint http://{shown}:{bound}/sparql); Ctrl-C stops")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])
