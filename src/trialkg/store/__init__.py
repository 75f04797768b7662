"""The embedded, persistent store: a pyoxigraph (RocksDB) store in a directory.

Chosen by measurement (docs/decisions/0002-store-engine.md): pyoxigraph loads about
1M triples/s and answers the stored queries in milliseconds where rdflib's Memory
store needs seconds. Users who want the rdflib API get it from ``to_rdflib``.

Layout: one named graph per trial (``tkr:graph/<ID>``), the reference graph and the
ontology graph. Queries see the union of all graphs as their default graph;
``trialkg.store.read`` reads their answers back as Python values.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from trialkg import iris
from trialkg.errors import StoreError

DEFAULT_STORE_DIR = ".trialkg-store"
ENV_VAR = "TRIALKG_STORE"
# Present in the store directory while a bulk load runs (bulk loads are not
# transactional): JSON naming the building process, whether the store was fresh when
# the build began, and the trial graphs being loaded now. Left by a crash, it tells the
# next build what to redo (``TrialStore.recover_bulk``).
BULK_MARKER = "TRIALKG-BULK-LOAD-INCOMPLETE"

log = logging.getLogger(__name__)


def resolve_store_path(path: str | os.PathLike[str] | None) -> Path:
    """``--store`` if given, else ``$TRIALKG_STORE``, else ``./.trialkg-store``."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else Path(DEFAULT_STORE_DIR)


def graph_update(graph_iri: str, triples: Iterable[ox.Triple]) -> str:
    """A SPARQL update that replaces a graph's content in one transaction."""
    body = " .\n".join(f"{t.subject} {t.predicate} {t.object}" for t in triples)
    return f"DROP SILENT GRAPH <{graph_iri}> ;\nINSERT DATA {{ GRAPH <{graph_iri}> {{\n{body} .\n}} }}"


def _started(pid: int) -> str | None:
    """The kernel's start time of process ``pid`` (Linux), so a reused pid is not taken
    for the build that wrote a marker."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def _alive(marker: dict[str, Any]) -> bool:
    """Whether the build that wrote ``marker`` still runs (then it holds the marker)."""
    pid = marker.get("pid")
    if not isinstance(pid, int) or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    started = marker.get("started")
    return started is None or started == _started(pid)


class TrialStore:
    """A thin wrapper over ``pyoxigraph.Store`` with trialkg's graph layout."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False, create: bool = True) -> None:
        self.path = resolve_store_path(path)
        try:
            if read_only:
                if not self.path.exists():
                    raise StoreError(f"no store at {self.path} (run 'trialkg build' first)", file=str(self.path))
                self._store = ox.Store.read_only(str(self.path))
            else:
                if not create and not self.path.exists():
                    raise StoreError(f"no store at {self.path} (run 'trialkg build' first)", file=str(self.path))
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the store: {exc}", file=str(self.path)) from exc
        if self.bulk_incomplete:
            log.warning("%s: an interrupted build left this store incomplete; "
                        "the next 'trialkg build' into it redoes what is missing", self.path)

    @property
    def bulk_incomplete(self) -> bool:
        """A bulk load was interrupted: the marker is there and its process is gone."""
        marker = self._bulk_marker()
        return marker is not None and not _alive(marker)

    def incomplete(self) -> str | None:
        """Why the store is not a finished build (no trials, no ontology graph, an
        interrupted bulk load), or None."""
        if self.bulk_incomplete:
            return "an interrupted build left it incomplete"
        if not self.trial_graph_names():
            return "it holds no trials"
        if not self.has_graph(iris.ONTOLOGY_GRAPH):
            return "it has no ontology graph: a build did not finish"
        return None

    def _bulk_marker(self) -> dict[str, Any] | None:
        try:
            text = (self.path / BULK_MARKER).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError:
            return {}
        try:
            marker = json.loads(text)
        except ValueError:
            return {}  # unreadable: treated as a fresh build that did not finish
        return marker if isinstance(marker, dict) else {}

    @property
    def ox(self) -> ox.Store:
        """The underlying pyoxigraph store, for bulk operations."""
        return self._store

    # -- reading ---------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> Any:
        """Run SPARQL over the union of all graphs; ``bindings`` are pre-bound variables."""
        subs = {ox.Variable(k): v for k, v in (bindings or {}).items()} if bindings else None
        try:
            return self._store.query(sparql, use_default_graph_as_union=True, substitutions=subs)
        except SyntaxError as exc:
            from trialkg.errors import QueryError

            raise QueryError(f"SPARQL syntax error: {exc}") from exc

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def trial_graph_names(self) -> list[str]:
        prefix = iris.TKR + "graph/"
        return [g for g in self.graph_names() if g.startswith(prefix) and g not in iris.SPECIAL_GRAPHS]

    def trial_ids(self) -> list[str]:
        prefix = iris.TKR + "graph/"
        return [g[len(prefix):] for g in self.trial_graph_names()]

    def has_graph(self, graph_iri: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph_iri))

    def is_empty(self) -> bool:
        return not any(True for _ in self._store.quads_for_pattern(None, None, None, None))

    def graph_ntriples(self, graph_iri: str) -> bytes:
        """One graph as N-Triples bytes."""
        out = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph_iri))
        return out or b""

    def count(self, graph_iri: str | None = None) -> int:
        if graph_iri is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)))

    def quads(self, graph_iri: str | None = None) -> Iterator[ox.Quad]:
        g = ox.NamedNode(graph_iri) if graph_iri else None
        return self._store.quads_for_pattern(None, None, None, g)

    def dump(self, output: IO[bytes] | str | Path, fmt: ox.RdfFormat, graph_iri: str | None = None) -> None:
        """Serialise the whole dataset (quad formats) or one graph."""
        if graph_iri is not None:
            self._store.dump(output, fmt, from_graph=ox.NamedNode(graph_iri))
        else:
            self._store.dump(output, fmt)

    # -- writing ---------------------------------------------------------------
    def replace_graph(self, graph_iri: str, triples: Iterable[ox.Triple]) -> int:
        """Replace one named graph atomically: readers see the old graph or the new one.

        A new graph is one ``extend`` transaction; an existing one is dropped and
        re-inserted by one SPARQL update (one transaction).
        """
        g = ox.NamedNode(graph_iri)
        triples = list(triples)
        if self._store.contains_named_graph(g):
            if triples:
                self._store.update(graph_update(graph_iri, triples))
            else:
                self._store.remove_graph(g)
        else:
            self._store.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
        return len(triples)

    def replace_graph_ntriples(self, graph_iri: str, ntriples: bytes, extra: Mapping[str, bytes] | None = None,
                               drop_entities: Iterable[str] = ()) -> None:
        """Replace one graph by N-Triples in one SPARQL update, adding ``extra``
        N-Triples to other graphs (e.g. new entity facts) and removing the entities
        graph's facts about ``drop_entities``, in the same transaction."""
        drops = [f"DELETE WHERE {{ GRAPH <{iris.ENTITIES_GRAPH}> {{ <{e}> ?p ?o }} }} ;\n" for e in drop_entities]
        inserts = [f"GRAPH <{graph_iri}> {{\n{ntriples.decode()}}}"]
        inserts += [f"GRAPH <{g}> {{\n{body.decode()}}}" for g, body in (extra or {}).items() if body]
        self._store.update(f"{''.join(drops)}DROP SILENT GRAPH <{graph_iri}> ;\n"
                           f"INSERT DATA {{ {' '.join(inserts)} }}")

    def entities_only_named_by(self, graph_iri: str) -> list[str]:
        """Nodes of the entities graph (organisations, conditions) that the trial graph
        ``graph_iri`` links to and no other trial graph does: replacing the trial removes
        them. The graphs a build derives from the trials (statistics, reference) do not
        keep a node alive; the build rewrites them when it ends."""
        e = iris.ENTITIES_GRAPH
        others = " && ".join(f"?h != <{g}>" for g in sorted(iris.SPECIAL_GRAPHS | {graph_iri}))
        rows = self._store.query(
            f"SELECT DISTINCT ?n WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?n }} "
            f"FILTER EXISTS {{ GRAPH <{e}> {{ ?n ?q ?x }} }} "
            f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s2 ?p2 ?n }} FILTER({others}) }} }}")
        return [r["n"].value for r in rows if isinstance(r["n"], ox.NamedNode)]

    def load_nquads(self, data: bytes, *, bulk: bool = False, lenient: bool = False) -> None:
        """Load N-Quads: one transaction, or the (non-transactional) bulk loader.
        ``lenient``: the parser does not check IRIs and language tags again (for quads
        that pyoxigraph's own serialiser wrote from its terms, checked when made)."""
        if not data:
            return
        if bulk:
            self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=lenient)
        else:
            self._store.load(data, format=ox.RdfFormat.N_QUADS, lenient=lenient)

    def begin_bulk(self, *, fresh: bool, graphs: Iterable[str] = ()) -> None:
        """Mark a bulk load as running: the whole build when the store was ``fresh``,
        else the ``graphs`` about to be loaded (written before the load, atomically)."""
        marker = {"pid": os.getpid(), "started": _started(os.getpid()), "fresh": fresh, "graphs": list(graphs)}
        tmp = self.path / (BULK_MARKER + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(marker, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / BULK_MARKER)

    def end_bulk(self, *, flush: bool = True) -> None:
        if flush:
            self._store.flush()
        (self.path / BULK_MARKER).unlink(missing_ok=True)

    def recover_bulk(self) -> str | None:
        """Undo what an interrupted bulk load may have left half-written; a message, or None.

        A build into a fresh store is redone from an empty store; a build that was adding
        trials loses the graphs it was loading (the next build of the same input writes
        them again); everything it had finished stays.
        """
        if not self.bulk_incomplete:
            return None
        marker = self._bulk_marker() or {}
        graphs = [g for g in marker.get("graphs", []) if isinstance(g, str)]
        if marker.get("fresh", True) or not isinstance(marker.get("graphs"), list):
            self.clear()
            return "an interrupted build had left this store incomplete: it is rebuilt from empty"
        for g in graphs:
            self.remove_graph(g)
        self.end_bulk()
        return (f"an interrupted build had left {len(graphs)} trial graph(s) half-loaded: removed "
                f"({', '.join(g.rsplit('/', 1)[-1] for g in graphs[:5])}{' ...' if len(graphs) > 5 else ''})")

    def add_graphs(self, graphs: Iterable[tuple[str, list[ox.Triple]]]) -> int:
        """Add several graphs that are not in the store yet, in one transaction."""
        quads: list[ox.Quad] = []
        for graph_iri, triples in graphs:
            g = ox.NamedNode(graph_iri)
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
        self._store.extend(quads)
        return len(quads)

    def remove_graph(self, graph_iri: str) -> None:
        g = ox.NamedNode(graph_iri)
        if self._store.contains_named_graph(g):
            self._store.remove_graph(g)

    def clear(self) -> None:
        self._store.clear()
        (self.path / BULK_MARKER).unlink(missing_ok=True)

    def flush(self) -> None:
        self._store.flush()

    def to_rdflib(self, graph_iri: str | None = None):  # -> rdflib.Dataset | rdflib.Graph
        """The store (or one graph) as an rdflib object, for users of the rdflib API."""
        import io

        import rdflib

        buf = io.BytesIO()
        if graph_iri:
            self.dump(buf, ox.RdfFormat.N_TRIPLES, graph_iri)
            g = rdflib.Graph(identifier=rdflib.URIRef(graph_iri))
            g.parse(data=buf.getvalue(), format="nt")
            return g
        self.dump(buf, ox.RdfFormat.N_QUADS)
        ds = rdflib.Dataset()
        ds.parse(data=buf.getvalue(), format="nquads")
        return ds
