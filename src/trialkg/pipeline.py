"""The build pipeline: read -> normalise -> criteria -> map -> store, streaming.

Records are read one at a time (``trialkg.sources.iter_records``) and written in
batches, so memory stays flat whatever the input size. With ``jobs > 1`` the
normalise, criteria and map stages run in a process pool over records while the parent
reads and writes; a bad record is reported and the others are still built.

A mapped record crosses the process boundary as N-Triples bytes (pickling pyoxigraph
terms one by one cost more than the whole map stage). Each trial's graph is replaced
atomically: new graphs of a batch are loaded as one N-Quads transaction (record by
record when the store refuses the batch), an existing graph is dropped and re-inserted
in one SPARQL update, and the facts about shared organisations and conditions go once
into the entities graph in the same transaction as the first trial that names them.
When a trial comes twice, ``trialkg.versions`` decides which version is kept.

New trial graphs go through pyoxigraph's bulk loader by default (about twice the
transactional rate, but not transactional): the store's marker
(``trialkg.store.BULK_MARKER``) says what is being loaded, for the whole build into a
fresh store and load by load when adding to one, so the next build finds an
interrupted one and redoes it (docs/performance.md "Build"). The bulk loader takes
the first batch alone, then new graphs gathered up to ``LOAD_BYTES`` per call.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from trialkg import iris
from trialkg.criteria import annotate_record, split_criteria
from trialkg.errors import InputError, TrialKGError, UsageError
from trialkg.knowledge.normalise import normalise_record
from trialkg.knowledge.reference import reference_triples
from trialkg.mapping import map_record_ntriples
from trialkg.records import TrialRecord
from trialkg.resources import ontology_file
from trialkg.sources import RawMember, iter_records
from trialkg.sources.guards import cap_criteria, env_limit
from trialkg.store import TrialStore
from trialkg.store.read import select
from trialkg.store.statistics import statistics_triples
from trialkg.versions import Version, choose, stored_version

log = logging.getLogger(__name__)

BATCH_SIZE = 64  # trials per store transaction (new graphs) and per worker task
#: N-Triples bytes of new graphs gathered for one call of the bulk loader: each call
#: writes and ingests its own files, so fewer, larger calls cost less (1k generated trials:
#: 10.0 s of CPU in 63 calls, 6.9 s in 8); at most an eighth of the byte budget. A call
#: holds about 8 times its bytes while it loads (1k generated trials, two workers: the
#: parent's peak RSS 464 MB with 32 MB calls, 271 MB with 8 MB, 209 MB batch by batch). The
#: first batch is loaded alone, at once: a build's first trials are in the store before
#: it reads further (a build waiting for its next source has written them).
LOAD_BYTES = 32 * 1024 * 1024
#: Bytes of work in flight (read but not yet written), whatever --jobs: TRIALKG_BUILD_BUDGET_MB.
DEFAULT_BUDGET = 512 * 1024 * 1024


def budget_bytes() -> int:
    return env_limit("TRIALKG_BUILD_BUDGET_MB", DEFAULT_BUDGET)


def weight(item: TrialRecord | RawMember) -> int:
    """Memory an item costs until it is written, estimated from its size: a zip member is
    held by the reader, pickled, received, unpickled and decoded (5 copies, measured with
    benchmarks/bench_budget.py); a parsed record by its long texts and its lists."""
    if isinstance(item, RawMember):
        return 5 * len(item.data) + 4096
    e = item.eligibility
    texts = sum(len(t or "") for t in (e.criteria_text, item.brief_summary, item.detailed_description))
    parts = len(item.sites) + len(e.inclusion) + len(e.exclusion) + len(item.outcomes) + len(item.arms)
    return 2 * texts + 1024 * parts + 8192


@dataclass
class Rejected:
    """A record that was not built, with where and why (one line for the user)."""

    file: str | None
    record: int | str | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        return str(InputError(self.reason, file=self.file, record=self.record, field=self.field))


@dataclass
class BuildSummary:
    """What ``build`` did: the figures the CLI prints."""

    store: str
    trials: int = 0
    triples: int = 0  # triples written to trial graphs in this build
    reference_triples: int = 0
    entity_triples: int = 0  # facts about shared organisations and conditions (whole graph)
    ontology_triples: int = 0
    store_triples: int = 0  # quads in the whole store after the build
    warnings: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    trial_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["warning_count"] = len(self.warnings)
        d["rejected"] = [{**asdict(r), "message": str(r)} for r in self.rejected]
        return d


@dataclass
class Mapped:
    """One record after the map stage, ready to write (cheap to pickle across processes)."""

    trial_id: str
    ntriples: bytes  # the trial graph, N-Triples
    entities: list[bytes]  # N-Triples lines about shared nodes (deduplicated by the writer)
    warnings: list[str]
    file: str | None
    last_update: str | None = None  # the record's lastUpdatePostDate (trialkg.versions)

    @property
    def triple_count(self) -> int:
        return self.ntriples.count(b"\n")

    @property
    def version(self) -> Version:
        return Version(self.file, self.last_update, self.triple_count)


# -- the stages ---------------------------------------------------------------------

_Stage = Callable[[TrialRecord], Any]


def split_items(record: TrialRecord) -> TrialRecord:
    """Cut the eligibility text into inclusion and exclusion items (at most
    ``TRIALKG_MAX_CRITERIA``, warned), unless the reader gave items already."""
    elig = record.eligibility
    if elig.criteria_text and not (elig.inclusion or elig.exclusion):
        items = split_criteria(elig.criteria_text)
        elig.inclusion = [i for i in items if i.section == "inclusion"]
        elig.exclusion = [i for i in items if i.section == "exclusion"]
    cap_criteria(record)
    return record


# What happens to a record between reading and mapping, in order: its criteria items
# (the biomarker rules of normalise read them), drug normalisation (with biomarkers and
# drugs inferred from the text of a record without interventions), criteria parsing.
STAGES: tuple[tuple[str, _Stage], ...] = (
    ("items", split_items),
    ("normalise", normalise_record),
    ("criteria", annotate_record),
)


def process_record(record: TrialRecord) -> Mapped:
    """Normalise, parse criteria and map one record (runs in a worker when jobs > 1)."""
    for _name, stage in STAGES:
        stage(record)
    trial, entities = map_record_ntriples(record)
    warnings = [f"{record.id}: {w.field}: {w.message}" for w in record.warnings]
    return Mapped(
        record.id,
        trial,
        entities.splitlines(keepends=True),
        warnings,
        record.provenance.file,
        record.last_update.value if record.last_update else None,
    )


def _process_batch(items: list[TrialRecord | RawMember]) -> list[Mapped | Rejected]:
    out: list[Mapped | Rejected] = []
    for item in items:
        if isinstance(item, RawMember):  # a zip member the reader left to the workers
            for r in item.records():
                out.append(_rejected_from(r) if isinstance(r, TrialKGError) else _safe_process(r))
        else:
            out.append(_safe_process(item))
    return out


def _safe_process(record: TrialRecord) -> Mapped | Rejected:
    try:
        return process_record(record)
    except TrialKGError as exc:
        return Rejected(exc.file or record.provenance.file, exc.record or record.id, exc.field, exc.message)
    except Exception as exc:  # noqa: BLE001 - one record's failure must not stop the build
        # A record a later stage cannot handle: reject it alone (reason shown), keep building.
        log.debug("record %s failed", record.id, exc_info=True)
        return Rejected(record.provenance.file, record.id, None, f"{type(exc).__name__}: {exc}")


# -- writing ------------------------------------------------------------------------

class EntityLedger:
    """The entity facts already in the store, so each is written once."""

    def __init__(self, store: TrialStore) -> None:
        self.seen: set[bytes] = set()
        if store.has_graph(iris.ENTITIES_GRAPH):
            self.seen.update(store.graph_ntriples(iris.ENTITIES_GRAPH).splitlines(keepends=True))

    def new(self, lines: Iterable[bytes]) -> list[bytes]:
        out = [line for line in dict.fromkeys(lines) if line not in self.seen]
        self.seen.update(out)
        return out

    def forget(self, subjects: Iterable[str], lines: Iterable[bytes] = ()) -> None:
        """Forget the facts about ``subjects`` (removed from the store) and ``lines``
        (never written after all)."""
        heads = tuple(f"<{s}> ".encode() for s in subjects)
        if heads:
            self.seen = {line for line in self.seen if not line.startswith(heads)}
        self.seen.difference_update(lines)


def as_nquads(ntriples: bytes, graph_iri: str) -> bytes:
    """N-Triples to N-Quads in one graph. Safe on bytes: N-Triples escapes newlines inside
    literals, so " .\n" only ever ends a statement."""
    return ntriples.replace(b" .\n", b" <" + graph_iri.encode() + b"> .\n")


Refused = list[tuple["Mapped", Exception]]


def write_trials(store: TrialStore, batch: list[Mapped], entities: EntityLedger, *,
                 bulk: bool = False, mark: bool = False) -> tuple[int, Refused]:
    """Write a batch of trial graphs; each trial's graph is replaced atomically, with the
    entity facts only its old version stated (docs/decisions/0007-trial-versions.md).
    New graphs are loaded together, by the bulk loader with ``bulk``; with ``mark`` the
    store's marker names them while they load, so that a crash costs only them.
    Returns the triples written and the records the store refused (each alone: when the
    batch's one transaction fails, its records are loaded one by one)."""
    fresh: list[tuple[Mapped, bytes]] = []
    written, refused = 0, []
    for m in batch:
        g_iri = iris.trial_graph(m.trial_id)
        if store.has_graph(g_iri):
            orphans = store.entities_only_named_by(g_iri)
            entities.forget(orphans)
            new_entities = entities.new(m.entities)
            try:
                store.replace_graph_ntriples(g_iri, m.ntriples, extra={iris.ENTITIES_GRAPH: b"".join(new_entities)},
                                             drop_entities=orphans)
            except (MemoryError, ValueError, SyntaxError, OSError) as exc:
                entities.forget((), new_entities)
                refused.append((m, exc))
                continue
        else:
            fresh.append((m, as_nquads(m.ntriples, g_iri) +
                          as_nquads(b"".join(entities.new(m.entities)), iris.ENTITIES_GRAPH)))
        written += m.triple_count
    if fresh and bulk and mark:
        store.begin_bulk(fresh=False, graphs=[iris.trial_graph(m.trial_id) for m, _ in fresh])
    if fresh:  # N-Quads of the map stage's terms, each checked when made: parsed leniently
        try:
            store.load_nquads(b"".join(data for _, data in fresh), bulk=bulk, lenient=True)
        except (MemoryError, ValueError, SyntaxError, OSError):
            for m, data in fresh:  # one by one: only the record the store refuses is lost
                try:
                    store.load_nquads(data, bulk=bulk, lenient=True)
                except (MemoryError, ValueError, SyntaxError, OSError) as exc:
                    store.remove_graph(iris.trial_graph(m.trial_id))  # what a bulk load left of it
                    entities.forget((), data.splitlines(keepends=True))
                    written -= m.triple_count
                    refused.append((m, exc))
    if fresh and bulk and mark:
        store.end_bulk(flush=False)
    return written, refused


def ontology_triples() -> list[ox.Triple]:
    with ontology_file("trialkg.ttl").open("rb") as fh:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(fh, ox.RdfFormat.TURTLE)]


def _used_drugs(store: TrialStore) -> list[str]:
    """The drug IRIs the store's trials name (the compiled dictionary's drugs among them
    go into the reference graph)."""
    query = (f"SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ ?s tkg:hasDrug|tkg:priorDrug ?d }} "
             f"FILTER(?g != <{iris.REFERENCE_GRAPH}>) }}")
    return sorted(row["d"] for row in select(store, query, text=True))


# -- the build ----------------------------------------------------------------------

def _batched(items: Iterable[Any], size: int, max_weight: int) -> Iterator[tuple[list[Any], int]]:
    """Batches of at most ``size`` items, closed early at ``max_weight`` bytes; with their weight."""
    batch: list[Any] = []
    total = 0
    for item in items:
        batch.append(item)
        total += weight(item)
        if len(batch) >= size or total >= max_weight:
            yield batch, total
            batch, total = [], 0
    if batch:
        yield batch, total


def _run_pool(batches: Iterable[tuple[list[Any], int]], n_jobs: int, budget: int,
              consume: Callable[[list[Mapped | Rejected]], None]) -> None:
    """Batches through worker processes, results consumed in input order, with at most
    ``budget`` bytes (and 2 x jobs + 1 batches) in flight; a batch heavier than the
    budget goes alone."""
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        pending: deque[tuple[Future[list[Mapped | Rejected]], int]] = deque()
        in_flight = 0
        for batch, w in batches:
            while pending and (len(pending) > 2 * n_jobs or in_flight + w > budget):
                done, done_w = pending.popleft()
                consume(done.result())
                in_flight -= done_w
            pending.append((pool.submit(_process_batch, batch), w))
            in_flight += w
        while pending:
            consume(pending.popleft()[0].result())


def _rejected_from(err: TrialKGError) -> Rejected:
    return Rejected(err.file, err.record, err.field, err.message)


def build(
    sources: Iterable[str | os.PathLike[str]],
    store_path: str | os.PathLike[str] | None = None,
    replace: bool = False,
    jobs: int | None = None,
    quiet: bool = False,
    bulk: bool | None = None,
) -> BuildSummary:
    """Build ``sources`` (files, directories, zips, ``-``) into the store.

    ``replace`` clears the store first; otherwise trials are added or replaced by id.
    ``jobs``: worker processes for normalise/criteria/map (None or 1: in this process;
    0: one per CPU, what ``trialkg build`` passes by default). An input of one batch or
    less is always built in this process, where starting workers would cost more than
    it saves.
    ``bulk`` (the default, None or True): new trial graphs go through the bulk loader,
    crash-safe: a fresh store is marked incomplete for the whole build (the next build
    redoes an interrupted one from empty), and when adding to a store each load of new
    graphs (the first batch, then up to ``LOAD_BYTES`` of them) is named in the marker
    while it loads (the next build removes an interrupted load and, given the same
    input, writes it again). ``bulk=False``: every batch is one
    transaction. A trial already in the store is always replaced in one transaction.
    """
    paths = [str(s) for s in sources]
    missing = [s for s in paths if s != "-" and not os.path.lexists(s)]
    if missing:  # before the store is opened: a typo never leaves an empty store behind
        raise UsageError("no such file or directory", file=missing[0])
    store = TrialStore(store_path)
    summary = BuildSummary(store=str(store.path))
    if replace:
        store.clear()
    recovered = store.recover_bulk()
    if recovered:
        summary.warnings.append(f"{store.path}: {recovered}")
    bulk = bulk is not False
    whole = bulk and store.is_empty()  # a fresh store: one marker for the whole build
    if whole:
        store.begin_bulk(fresh=True)
    n_jobs = (os.cpu_count() or 1) if jobs == 0 else max(1, jobs or 1)
    writer = _Writer(store, summary, bulk, whole, _progress(quiet))
    try:
        _run(paths, n_jobs, summary, writer.consume)
        writer.flush()
        writer.wait()
    finally:
        writer.close()
    _finish(store, summary, writer.entities, whole)
    return summary


def _run(paths: list[str], n_jobs: int, summary: BuildSummary,
         consume: Callable[[list[Mapped | Rejected]], None]) -> None:
    """Read, process and write every record. The first batch is processed in this
    process, before any worker starts: the workers (forked) inherit what it loaded once
    (lexicons, the drug dictionary, the unit registry, the reference closure) instead of
    loading it each. The rest goes through ``n_jobs`` workers while this process reads
    (with workers it only unzips: the workers parse the zip members) and writes; with
    one job, or an input of one batch, everything is done here. Memory: batches close at
    a share of the byte budget, and the pool takes new ones only while the work in
    flight stays under it."""
    budget = budget_bytes()
    records = _records(iter_records(paths, defer=n_jobs > 1), summary)
    batches = _batched(records, BATCH_SIZE if n_jobs == 1 else max(1, BATCH_SIZE // 4),
                       max(1, budget // (n_jobs + 1)))
    first = next(batches, None)
    if first is not None:
        consume(_process_batch(first[0]))
    second = next(batches, None)
    if second is None:
        return
    rest = itertools.chain((second,), batches)
    if n_jobs == 1:
        for batch, _ in rest:
            consume(_process_batch(batch))
    else:
        _run_pool(rest, n_jobs, budget, consume)


def _finish(store: TrialStore, summary: BuildSummary, entities: EntityLedger, whole: bool) -> None:
    """The reference graph (the drugs the store's trials name), the ontology and the
    statistics graph (store-wide counts, ``trialkg.store.statistics``); the store
    flushed and, for a fresh build, its marker removed."""
    summary.trials = len(summary.trial_ids)
    summary.entity_triples = len(entities.seen)
    ref = list(reference_triples(drugs=_used_drugs(store)))
    summary.reference_triples = store.replace_graph(iris.REFERENCE_GRAPH, ref)
    summary.ontology_triples = store.replace_graph(iris.ONTOLOGY_GRAPH, ontology_triples())
    store.replace_graph(iris.STATISTICS_GRAPH, statistics_triples(store))
    store.flush()
    if whole:
        store.end_bulk()
    summary.store_triples = len(store.ox)


class _Writer:
    """Takes processed records in input order and writes them: rejected ones to the
    summary, a second version of a trial by ``trialkg.versions``, the rest in loads.
    With the bulk loader, the loads after the first run one at a time in a thread of
    their own (pyoxigraph lets go of the GIL while it loads), in input order, while this
    thread reads, feeds the workers and gathers the next load: the workers are not left
    waiting while the parent loads (1k generated trials, 2 workers: 5 s idle each)."""

    def __init__(self, store: TrialStore, summary: BuildSummary, bulk: bool, whole: bool, progress: Any) -> None:
        self.store, self.summary, self.bulk, self.whole, self.progress = store, summary, bulk, whole, progress
        self.seen: dict[str, Version] = {}
        self.entities = EntityLedger(store)
        self.good: list[Mapped] = []
        self.gathered = 0
        self.load_bytes = 0  # the first batch alone, then gathered up to ``gather_bytes``
        self.gather_bytes = min(LOAD_BYTES, budget_bytes() // 8) if bulk else 0
        self.loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trialkg-load") if bulk else None
        self.loading: tuple[list[Mapped], Future[tuple[int, Refused]]] | None = None

    def consume(self, results: Iterable[Mapped | Rejected]) -> None:
        store, summary = self.store, self.summary
        for r in results:
            if isinstance(r, Rejected):
                summary.rejected.append(r)
                continue
            keep = _keep_version(store, r, self.seen, summary, self.whole)
            if keep is None:
                continue
            if keep:  # a second version that wins: write what came before, then replace it
                self.flush()
                self.wait()
                summary.triples -= _count(store, r.trial_id)
            self.seen[r.trial_id] = r.version
            summary.warnings.extend(r.warnings)
            self.good.append(r)
            self.gathered += len(r.ntriples)
        if self.good and self.gathered >= self.load_bytes:
            self.flush()

    def flush(self) -> None:
        """Write the records gathered. The first batch is loaded here, at once (before
        the workers fork, so no load runs while they do), later ones in the loader
        thread, each once the one before has ended."""
        self.wait()
        good, self.good, self.gathered = self.good, [], 0
        if not good:
            return
        mark = not self.whole
        if self.loader is None or not self.load_bytes:
            self._written(good, write_trials(self.store, good, self.entities, bulk=self.bulk, mark=mark))
        else:
            self.loading = (good, self.loader.submit(write_trials, self.store, good, self.entities,
                                                     bulk=self.bulk, mark=mark))
        self.load_bytes = self.gather_bytes

    def wait(self) -> None:
        """Wait for the load in flight (its error, if any, is raised here)."""
        if self.loading is not None:
            good, future = self.loading
            self.loading = None
            try:
                outcome = future.result()
            finally:
                del future  # no cycle through a raised error's frames: the store closes with the build
            self._written(good, outcome)

    def close(self) -> None:
        """Stop the loader thread once its load has ended (also when the build stops)."""
        if self.loader is not None:
            self.loader.shutdown(wait=True)
        self.progress.close()

    def _written(self, good: list[Mapped], outcome: tuple[int, Refused]) -> None:
        """A load's figures into the summary; a record the store refused (a statement
        over pyoxigraph's buffer) is rejected alone."""
        written, refused = outcome
        summary = self.summary
        summary.triples += written
        for m, exc in refused:
            summary.rejected.append(Rejected(m.file, m.trial_id, None, f"the store refused the record: {exc}"))
            if m.trial_id in summary.trial_ids:
                summary.trial_ids.remove(m.trial_id)
        self.progress.update(len(good))


def _keep_version(store: TrialStore, r: Mapped, seen: dict[str, Version], summary: BuildSummary,
                  fresh: bool) -> bool | None:
    """None: drop ``r`` (an older or thinner version of a trial already kept); True: ``r``
    replaces the version read before in this build; False: its first version here."""
    first = seen.get(r.trial_id)
    old = first or (None if fresh else stored_version(store, r.trial_id))
    if old is None:
        summary.trial_ids.append(r.trial_id)
        return False
    keep, why = choose(old, r.version, stored=first is None)
    if first is None and keep:  # an earlier build's version, replaced as always
        summary.trial_ids.append(r.trial_id)
        return False
    kept, other = (r.version, old) if keep else (old, r.version)
    summary.warnings.append(f"{r.trial_id}: two versions, kept {kept.file} over {other.file} ({why})")
    if first is None:
        summary.trial_ids.append(r.trial_id)
        seen[r.trial_id] = old
    return True if keep else None


def _count(store: TrialStore, trial_id: str) -> int:
    return store.count(iris.trial_graph(trial_id))


def _records(items: Iterable[TrialRecord | RawMember | TrialKGError],
             summary: BuildSummary) -> Iterator[TrialRecord | RawMember]:
    """Records (or zip members to parse); the reader's errors go to the summary as rejected records."""
    for item in items:
        if isinstance(item, TrialKGError):
            summary.rejected.append(_rejected_from(item))
        else:
            yield item


class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(desc="trials", unit=" trials", file=sys.stderr, mininterval=0.5, leave=False)
