"""``trialkg enrich``: fill missing drug or target facts from a public SPARQL endpoint."""

from __future__ import annotations

import click

from trialkg.cli.output import emit_rows, format_option, log, resolve_format, store_option


@click.command(name="enrich")
@click.option("--drug", "drugs", multiple=True, help="A drug name to look up (repeatable).")
@click.option("--target", "targets", multiple=True, help="A gene symbol to look up (repeatable).")
@click.option("--endpoint", default=None,
              help="SPARQL endpoint (default: Wikidata for drugs, UniProt for targets).")
@click.option("--refresh", is_flag=True, help="Ask the endpoint again even when cached.")
@click.option("--all", "include_known", is_flag=True,
              help="Also look up names the curated reference data already knows.")
@store_option
@format_option()
def enrich(drugs: tuple[str, ...], targets: tuple[str, ...], endpoint: str | None, refresh: bool,
           include_known: bool, store_path: str | None, fmt: str | None) -> None:
    """Fill missing drug or target facts from a public SPARQL endpoint, cached.

    Answers are cached in enrich-cache.json in the store directory, with the endpoint
    and the time they came from; a cached answer is reused unless --refresh.
    """
    from trialkg.errors import UsageError
    from trialkg.knowledge import enrich as en
    from trialkg.store import resolve_store_path

    if not drugs and not targets:
        raise UsageError("name at least one --drug or --target")
    cache = en.EnrichCache(resolve_store_path(store_path))
    rows = []
    todo_drugs = list(drugs) if include_known else en.missing_from_reference(list(drugs), "drug")
    todo_targets = list(targets) if include_known else en.missing_from_reference(list(targets), "target")
    for name in sorted(set(drugs) - set(todo_drugs)) + sorted(set(targets) - set(todo_targets)):
        log(f"{name}: already in the curated reference data (use --all to look it up anyway)")
    for name in todo_drugs:
        fact = en.enrich_drug(name, endpoint or en.WIKIDATA, cache, refresh=refresh)
        rows.append({"kind": "drug", "name": name, **_row(fact)})
    for sym in todo_targets:
        fact = en.enrich_target(sym, endpoint or en.UNIPROT, cache, refresh=refresh)
        rows.append({"kind": "target", "name": sym, **_row(fact)})
    cache.save()
    emit_rows(rows, ["kind", "name", "found", "values", "endpoint", "retrieved", "cached"],
              resolve_format(fmt))


def _row(fact: dict) -> dict:
    values = fact.get("values") or {}
    return {"found": bool(values), "values": values, "endpoint": fact.get("endpoint"),
            "retrieved": fact.get("retrieved"), "cached": fact.get("cached")}
