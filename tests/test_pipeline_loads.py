"""The bulk loader's calls when trials are added to a store: the first batch alone, then
new graphs gathered up to ``trialkg.pipeline.LOAD_BYTES``, each call named whole in the
store's marker, so that a crash in the middle of a gathered call costs only its graphs
and the next build of the same input writes them again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialkg import iris, pipeline
from trialkg.store import BULK_MARKER, TrialStore


def _start(path: Path) -> None:
    """A store holding something already (the ontology graph): a build adds to it."""
    TrialStore(path).replace_graph(iris.ONTOLOGY_GRAPH, pipeline.ontology_triples())


def _dataset(path: Path) -> set[str]:
    """Every quad but the ontology's (the only graph with blank nodes, written whole by every build)."""
    store = TrialStore(path, read_only=True)
    return {str(q) for q in store.quads() if q.graph_name.value != iris.ONTOLOGY_GRAPH}


def test_a_crash_inside_a_gathered_load_costs_only_its_graphs(seeds_dir: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = sorted(seeds_dir.iterdir())[:4]
    clean, torn = tmp_path / "clean", tmp_path / "torn"
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 1)  # a batch per trial: the first alone, the rest gathered
    _start(clean)
    pipeline.build(seeds, clean, quiet=True)

    calls: list[list[str]] = []
    load = TrialStore.load_nquads

    def crashing(self: TrialStore, data: bytes, **how: bool) -> None:
        calls.append(json.loads((self.path / BULK_MARKER).read_text())["graphs"])
        if len(calls) == 2:  # the gathered call: half of its quads written, then the process dies
            lines = data.splitlines(keepends=True)
            load(self, b"".join(lines[: len(lines) // 2]), **how)
            raise KeyboardInterrupt
        load(self, data, **how)

    _start(torn)
    monkeypatch.setattr(TrialStore, "load_nquads", crashing)
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(seeds, torn, quiet=True)
    monkeypatch.undo()
    ids = sorted(g.rsplit("/", 1)[-1] for g in TrialStore(clean, read_only=True).trial_graph_names())
    assert len(calls[0]) == 1 and len(calls[1]) == len(ids) - 1  # the first trial alone, the others at once
    assert sorted(g.rsplit("/", 1)[-1] for g in calls[0] + calls[1]) == ids
    assert TrialStore(torn, read_only=True).bulk_incomplete

    again = pipeline.build(seeds, torn, quiet=True)
    assert any("half-loaded: removed" in w for w in again.warnings)
    assert not (torn / BULK_MARKER).exists()
    assert _dataset(torn) == _dataset(clean)
