"""``trialkg viz`` and ``trialkg analyze``: the networkx projection drawn, exported or measured."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trialkg.cli.output import emit_rows, format_option, log, resolve_format, store_option

VIEW_CHOICES = ("trials-drugs-targets", "sponsors", "criteria")
VIZ_FORMATS = ("png", "svg", "html", "graphml", "gexf")
_SUFFIX_FORMAT = {
    ".png": "png",
    ".svg": "svg",
    ".html": "html",
    ".htm": "html",
    ".graphml": "graphml",
    ".gexf": "gexf",
}


def _open_store(store_path: str | None):
    from trialkg.errors import StoreError
    from trialkg.store import TrialStore

    store = TrialStore(store_path, read_only=True)
    if not store.trial_ids():
        raise StoreError(
            f"the store at {store.path} holds no trials (run 'trialkg build' first)",
            file=str(store.path),
        )
    return store


@click.command("viz")
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(VIZ_FORMATS),
    default=None,
    help="png, svg, html (interactive, offline), graphml (Cytoscape) or gexf (Gephi); default from -o's suffix, else html.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="File to write (default: stdout for text formats).",
)
@click.option(
    "--view",
    type=click.Choice(VIEW_CHOICES),
    default="trials-drugs-targets",
    show_default=True,
    help="trials-drugs-targets; sponsors (sponsor -> trial -> drug -> target family); criteria.",
)
@click.option(
    "--focus",
    default=None,
    metavar="ID",
    help="Only the neighbourhood of a trial (NCT id), drug, target (HGNC symbol or UniProt) or family.",
)
@click.option(
    "--depth", type=click.IntRange(0, 10), default=2, show_default=True, help="Hops around --focus."
)
@click.option(
    "--max-nodes",
    type=click.IntRange(10, 100000),
    default=400,
    show_default=True,
    help="Pictures (png, svg, html) above this size are aggregated and capped, and say so.",
)
@click.option("--title", default=None, help="Title on the picture.")
def viz(
    store_path: str | None,
    fmt: str | None,
    output: str | None,
    view: str,
    focus: str | None,
    depth: int,
    max_nodes: int,
    title: str | None,
) -> None:
    """Draw the graph: typed nodes (trial, arm, drug, drug class, target, target family,
    biomarker, condition, sponsor, site) coloured by type in one column per type.

    \b
    Examples:
      trialkg viz -o graph.html
      trialkg viz --focus NCT04072042 --depth 2 -o trial.png
      trialkg viz --view sponsors --format gexf -o sponsors.gexf
    """
    from trialkg import viz as vz

    if fmt is None:
        fmt = _SUFFIX_FORMAT.get(Path(output).suffix.lower(), "html") if output else "html"
    if output is None and fmt in vz.BINARY_FORMATS and sys.stdout.isatty():
        raise click.UsageError(f"{fmt} is binary: give -o FILE or redirect stdout")
    store = _open_store(store_path)
    graph = vz.project(store, view, focus=focus, depth=depth)
    if output is None:
        target = sys.stdout.buffer
        drawn, note = vz.render(graph, fmt, target, max_nodes=max_nodes, title=title)
        target.flush()
    else:
        drawn, note = vz.render(graph, fmt, output, max_nodes=max_nodes, title=title)
    types = ", ".join(f"{n} {t}" for t, n in sorted(vz.node_types(drawn).items()))
    log(
        f"viz: {drawn.number_of_nodes()} nodes, {drawn.number_of_edges()} edges ({types})"
        + (f" -> {output}" if output else "")
    )
    if note:
        log(f"viz: {note}")


@click.command("analyze")
@store_option
@click.option(
    "--what",
    type=click.Choice(("targets", "drugs", "trials", "communities")),
    default="targets",
    show_default=True,
    help="targets: centrality across trials; drugs: similarity by shared targets (Jaccard); "
    "trials: similarity by drugs, targets and criteria; communities: Louvain.",
)
@click.option("--limit", type=int, default=0, help="At most this many rows (0: all).")
@click.option(
    "--per-trial",
    type=click.IntRange(1, 1000),
    default=5,
    show_default=True,
    help="For --what trials: best partners kept per trial.",
)
@format_option()
def analyze(store_path: str | None, what: str, limit: int, per_trial: int, fmt: str | None) -> None:
    """Graph analytics on the networkx projection of the store.

    \b
    Examples:
      trialkg analyze                       # targets ranked by number of trials
      trialkg analyze --what drugs --format csv
      trialkg analyze --what communities --format json
    """
    from trialkg import analyze as an

    store = _open_store(store_path)
    rows = an.limit(an.analyze(store, what, per_trial=per_trial), limit)
    emit_rows(rows, an.COLUMNS[what], resolve_format(fmt))
