"""Page handlers: each reads through views, queries, match or the catalogue, then renders.

Handlers are plain functions (Starlette runs them in its thread pool, so many pages are
read at once); the SPARQL endpoint is asynchronous and hands queries to worker processes.
Every listing page answers ``?format=json`` too, and query results ``?format=csv``.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from trialkg import iris
from trialkg import queries as q
from trialkg.errors import PatientError, TrialKGError, UsageError
from trialkg.serve import catalogue, neighbourhood, patientform
from trialkg.serve import criteria as crit
from trialkg.serve import sparql as sp

PHASES = {"EARLY_PHASE1": "Early phase 1", "PHASE1": "Phase 1", "PHASE2": "Phase 2", "PHASE3": "Phase 3",
          "PHASE4": "Phase 4", "NA": "Not applicable"}


def phase_label(value: str | None) -> str:
    return PHASES.get(value or "", value or "")


def words(value: Any) -> str:
    """'ACTIVE_NOT_RECRUITING' -> 'Active not recruiting'."""
    if value is None:
        return ""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:].lower() if text.isupper() else text


def timed(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Adds ``Server-Timing: app;dur=<wall ms>, cpu;dur=<CPU ms of this thread>`` (browser
    developer tools show it; benchmarks/bench_serve.py reads it: CPU time does not grow
    when other processes share the cores, wall time does)."""

    @functools.wraps(handler)
    def wrapper(request: Request) -> Response:
        wall, cpu = time.perf_counter(), time.thread_time()
        response = handler(request)
        response.headers["Server-Timing"] = (f"app;dur={(time.perf_counter() - wall) * 1000:.1f}, "
                                             f"cpu;dur={(time.thread_time() - cpu) * 1000:.1f}")
        return response

    return wrapper


def state(request: Request) -> Any:
    return request.app.state.trialkg


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    s = state(request)
    context.setdefault("title", "trialkg")
    return s.templates.TemplateResponse(request, template, {"store": str(s.store.path), **context},
                                        status_code=status_code)


def wants_json(request: Request) -> bool:
    return request.query_params.get("format") == "json"


# -- overview and search --------------------------------------------------------------


def overview(request: Request) -> Response:
    s = state(request)
    if "stats" not in s.cache:
        from trialkg.views import stats

        s.cache["stats"] = stats(s.store)
    st = s.cache["stats"]
    ranked = {kind: sorted((e for e in s.index.entries if e.kind == kind and e.trials),
                           key=lambda e: (-len(e.trials), e.label))[:12]
              for kind in ("drug", "target", "family", "condition", "sponsor")}
    if wants_json(request):
        return JSONResponse({"stats": st, "top": {k: [{"key": e.key, "trials": len(e.trials)} for e in v]
                                                  for k, v in ranked.items()}})
    return render(request, "index.html", stats=st, top=ranked, title="trialkg: overview")


def search(request: Request) -> Response:
    text = request.query_params.get("q", "")
    result = state(request).index.search(text)
    if wants_json(request):
        return JSONResponse(result)
    return render(request, "search.html", result=result, q=text, title=f"trialkg: search {text}".strip())


# -- entity pages ---------------------------------------------------------------------


def trial(request: Request) -> Response:
    from trialkg.views import resolve_trial_id

    s = state(request)
    ident = request.path_params["trial_id"]
    as_jsonld = request.query_params.get("format") == "jsonld" or ident.endswith(".jsonld")
    ident = ident.removesuffix(".jsonld")
    try:
        tid = resolve_trial_id(s.store, ident)
    except UsageError as exc:
        raise HTTPException(404, str(exc)) from None
    if as_jsonld:
        return Response(neighbourhood.trial_jsonld(s.store, tid), media_type="application/ld+json")
    view = s.trial_view(tid)
    if wants_json(request):
        return JSONResponse(view)
    criteria = [crit.annotate(c) for c in view["eligibility"]["criteria"]]
    return render(request, "trial.html", t=view, criteria=criteria, drug_map={d["name"]: d for d in view["drugs"]}, prov=catalogue.provenance(s.store, tid),
                  jsonld=neighbourhood.trial_jsonld(s.store, tid).decode("utf-8").replace("</", "<\\/"),
                  graph_url=f"/graph/trial/{quote(tid)}", title=f"{tid}: {view['title'] or ''}")


def drug(request: Request) -> Response:
    s = state(request)
    name = request.path_params["name"]
    drug_iri = catalogue.drug_iri_for(s.store, name)
    page = catalogue.drug_page(s.store, s.index, drug_iri) if drug_iri else None
    if page is None:
        raise HTTPException(404, f"no drug {name!r} in the reference data")
    if wants_json(request):
        return JSONResponse(page)
    return render(request, "drug.html", d=page, graph_url=f"/graph/drug/{quote(page['name'])}",
                  title=f"drug {page['name']}")


def target(request: Request) -> Response:
    s = state(request)
    symbol = request.path_params["symbol"]
    protein = catalogue.protein_for(s.store, symbol)
    page = catalogue.target_page(s.store, s.index, protein) if protein else None
    if page is None:
        raise HTTPException(404, f"no target {symbol!r} (an HGNC symbol or UniProt accession) in the reference data")
    if wants_json(request):
        return JSONResponse(page)
    return render(request, "target.html", p=page, graph_url=f"/graph/target/{quote(page['symbol'])}",
                  title=f"target {page['symbol']}")


def family(request: Request) -> Response:
    s = state(request)
    key = request.path_params["key"]
    page = catalogue.family_page(s.store, s.index, key)
    if page is None:
        raise HTTPException(404, f"no target family {key!r} in the reference data")
    if wants_json(request):
        return JSONResponse(page)
    return render(request, "family.html", f=page, graph_url=f"/graph/family/{quote(page['key'])}",
                  title=f"family {page['key']}")


def graph_json(request: Request) -> Response:
    s = state(request)
    kind, key = request.path_params["kind"], request.path_params["key"]
    try:
        graph = neighbourhood.build(s.store, s.index, kind, key, trial_view=s.trial_view)
    except UsageError as exc:
        raise HTTPException(404, str(exc)) from None
    return JSONResponse(graph)


# -- stored queries -------------------------------------------------------------------


def queries_list(request: Request) -> Response:
    stored = q.stored_queries()
    if wants_json(request):
        return JSONResponse([{"name": x.name, "title": x.title, "description": x.description,
                              "params": [p.signature() for p in x.params]} for x in stored])
    return render(request, "queries.html", queries=stored, title="trialkg: stored queries")


def query_page(request: Request) -> Response:
    s = state(request)
    try:
        stored = q.get_stored_query(request.path_params["name"])
    except UsageError as exc:
        raise HTTPException(404, str(exc)) from None
    given = {p.name: request.query_params.get(p.name, "") for p in stored.params}
    run = "run" in request.query_params or not stored.params
    table, problem = None, None
    if run:
        try:
            bindings = q.bind_params(stored, {k: v for k, v in given.items() if v.strip()})
            table = q.run_local(stored, bindings, s.store)
        except TrialKGError as exc:
            problem = str(exc)
    fmt = request.query_params.get("format")
    if table is not None and fmt in ("csv", "tsv", "json"):
        return _download(table, fmt, stored.name)
    if problem and fmt in ("csv", "tsv", "json"):
        return PlainTextResponse(problem + "\n", status_code=400)
    rows = [[_cell(c, r[c]) for c in table.columns] for r in table.text_records()] if table is not None else []
    return render(request, "query.html", query=stored, given=given, table=table, rows=rows, problem=problem,
                  download=request.url.include_query_params(run="1"), title=f"query {stored.name}")


def _download(table: q.ResultTable, fmt: str, name: str) -> Response:
    if fmt == "json":
        return JSONResponse(table.records(), headers={"Content-Disposition": f'inline; filename="{name}.json"'})
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
    writer.writerow(table.columns)
    for r in table.text_records():
        writer.writerow(["" if r[c] is None else r[c] for c in table.columns])
    media = "text/csv" if fmt == "csv" else "text/tab-separated-values"
    return Response(buf.getvalue(), media_type=f"{media}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


_LINK_COLUMNS = {"trial": "trial", "trial_id": "trial", "nct": "trial", "nct_id": "trial", "drug": "drug",
                 "prior_drug": "drug", "target": "target", "gene": "target", "symbol": "target",
                 "family": "family"}


def _cell(column: str, value: str | None) -> dict[str, Any]:
    """A result cell, linked to its page when the column names a trial, drug, target or family."""
    if value is None:
        return {"text": ""}
    if value.startswith(iris.TKR + "trial/") and "/" not in value[len(iris.TKR + "trial/"):]:
        return {"text": value.rsplit("/", 1)[-1], "href": f"/trial/{quote(value.rsplit('/', 1)[-1])}"}
    kind = _LINK_COLUMNS.get(column.lower())
    if kind and value and not value.startswith("http"):
        return {"text": value, "href": f"/{kind}/{quote(value)}"}
    if value.startswith(("http://", "https://")):
        return {"text": value, "href": value}
    return {"text": value}


# -- matching -------------------------------------------------------------------------


async def match(request: Request) -> Response:
    form: dict[str, str] = dict(request.query_params)
    document: dict[str, Any] | None = None
    problem = None
    if request.method == "POST":
        data = await request.form()
        upload = data.get("patient_file")
        raw = await upload.read() if upload is not None and hasattr(upload, "read") else b""
        form = {k: v for k, v in data.items() if isinstance(v, str)}
        text = raw.decode("utf-8", errors="replace") if raw else form.get("patient_json", "")
        if text.strip():
            try:
                document = json.loads(text)
            except ValueError as exc:
                problem = f"patient JSON: not valid JSON ({exc})"
    elif form.get("patient_json", "").strip():
        try:
            document = json.loads(form["patient_json"])
        except ValueError as exc:
            problem = f"patient JSON: not valid JSON ({exc})"
    submitted = document is not None or any(v.strip() for k, v in form.items() if k not in ("format",))
    results = None
    if submitted and problem is None:
        try:
            results, document = await run_in_threadpool(_match, state(request).store, form, document)
        except PatientError as exc:
            problem = str(exc)
    if document is not None and isinstance(document, dict):
        try:
            form = {**patientform.form_from_patient(document), "patient_json": form.get("patient_json", "")}
        except (AttributeError, TypeError):
            pass
    if request.query_params.get("format") == "json" and results is not None:
        return JSONResponse([r.to_dict() for r in results])
    counts = {v: sum(r.verdict == v for r in results or []) for v in ("eligible", "possible", "excluded")}
    return render(request, "match.html", form=form, results=results, problem=problem, counts=counts,
                  status_code=400 if problem else 200, title="trialkg: match a patient")


def _match(store: Any, form: dict[str, str], document: Any) -> tuple[list[Any], Any]:
    from trialkg.match import match_store, parse_patient

    doc = document if document is not None else patientform.patient_from_form(form)
    patient = parse_patient(doc, file="patient file" if document is not None else "form")
    return match_store(store, patient), doc


# -- SPARQL endpoint ------------------------------------------------------------------


CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type"}


async def sparql(request: Request) -> Response:
    if request.method == "OPTIONS":  # a browser's CORS preflight (YASGUI on another origin)
        return Response(status_code=204, headers=CORS)
    s = state(request)
    params = request.query_params
    query_text = params.get("query")
    update = params.get("update")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    default_graphs = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    if request.method == "POST":
        if ctype == "application/sparql-query":
            query_text = (await request.body()).decode("utf-8")
        elif ctype == "application/sparql-update":
            update = "update"
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            query_text = form.get("query") or query_text
            update = form.get("update") or update
            default_graphs += form.getlist("default-graph-uri")
            named_graphs += form.getlist("named-graph-uri")
        else:
            return PlainTextResponse("POST a query as application/sparql-query or application/x-www-form-urlencoded\n",
                                     status_code=415)
    if update:
        return PlainTextResponse("this endpoint is read-only: SPARQL updates are refused\n", status_code=403)
    accept = sp.parse_accept(request.headers.get("accept"))
    if not query_text:
        if request.method == "GET" and any(m == "text/html" for m, _q in accept):
            return render(request, "sparql.html", title="trialkg: SPARQL", timeout=s.query_timeout,
                          example=_EXAMPLE_QUERY)
        return PlainTextResponse("missing the 'query' parameter\n", status_code=400)
    job = sp.SparqlJob(query_text, sp.format_override(params.get("format"), accept),
                       tuple(default_graphs), tuple(named_graphs))
    if s.pool is None:
        answer = await run_in_threadpool(sp.execute, s.store.ox, job)
    else:
        answer = await run_in_threadpool(s.pool.run, job)
    media = answer.media_type + ("; charset=utf-8" if answer.media_type.startswith("text/") or "json" in answer.media_type else "")
    return Response(answer.body, status_code=answer.status, media_type=media, headers={**CORS, "Vary": "Accept"})


_EXAMPLE_QUERY = """PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?trial ?title ?phase WHERE {
  ?t a tkg:Trial ; tkg:trialId ?trial ; dcterms:title ?title .
  OPTIONAL { ?t tkg:phase ?phase }
} ORDER BY ?trial LIMIT 50"""


# -- errors ---------------------------------------------------------------------------


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", str(exc))
    if request.url.path.startswith(("/sparql", "/graph/")) or wants_json(request):
        return PlainTextResponse(f"{detail}\n", status_code=status)
    return render(request, "error.html", status_code=status, status=status, detail=detail, title=f"trialkg: {status}")


async def _trialkg_error(request: Request, exc: Exception) -> Response:
    return await _http_error(request, HTTPException(400, str(exc)))


EXCEPTION_HANDLERS: dict[Any, Any] = {HTTPException: _http_error, TrialKGError: _trialkg_error}
