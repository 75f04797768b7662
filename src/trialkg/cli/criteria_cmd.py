"""``trialkg criteria FILE|-``: parse a pasted eligibility-criteria block."""

from __future__ import annotations

import sys

import click

from trialkg.cli.output import emit_json, emit_jsonl, emit_rows, format_option, log, resolve_format

_COLUMNS = ["id", "section", "category", "negated", "constraints", "text"]


def _summary(c: dict) -> str:
    """One short line per constraint for the table view."""
    t = c.get("type")
    if t in ("numeric", "age", "life_expectancy", "performance_status"):
        val = c.get("value")
        if c.get("comparator") == "between":
            val = f"{c.get('value')}-{c.get('value2')}"
        unit = c.get("unit") or (f"x {c['relative_to']}" if c.get("relative_to") else "")
        cond = f" if {c['applies_if']}" if c.get("applies_if") else ""
        cmp_ = "" if c.get("comparator") == "between" else c.get("comparator") or ""
        return f"{c.get('variable')} {cmp_} {val} {unit}{cond}".replace("  ", " ").strip()
    if t == "prior_therapy":
        what = ", ".join((c.get("drugs") or []) + (c.get("drug_classes") or []) + (c.get("therapies") or []))
        extra = "".join(f" {k}={c[k]}" for k in ("window", "min_exposure", "max_exposure") if c.get(k))
        return f"prior {what}{extra}"
    if t in ("disease_state", "reproductive"):
        return f"{t} {c.get('state')}"
    if t == "sex":
        return f"sex {c.get('sex')}"
    if t == "biomarker":
        return f"biomarker {c.get('gene')} {c.get('kind') or ''}".strip()
    return str(t)


@click.command(name="criteria")
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@format_option()
def criteria(source: click.utils.LazyFile, fmt: str | None) -> None:
    """Parse a pasted eligibility-criteria block (with or without "Inclusion Criteria:"
    headers) and print the structured criteria.

    \b
    Examples:
      trialkg criteria criteria.txt --format json
      pbpaste | trialkg criteria -
    """
    from trialkg.criteria import parse_criteria_text
    from trialkg.errors import InputError

    try:
        text = source.read()
    except UnicodeDecodeError as exc:
        name = getattr(source, "name", "-")
        raise InputError(f"not UTF-8 text ({exc.reason})", file=str(name)) from None
    items = parse_criteria_text(text)
    fmt = resolve_format(fmt)
    if fmt == "json":
        emit_json(items)
    elif fmt == "jsonl":
        emit_jsonl(items)
    else:
        rows = [dict(c, constraints=[_summary(k) for k in c["constraints"]]) for c in items]
        emit_rows(rows, _COLUMNS, fmt)
    unparsed = sum(1 for c in items if c["constraints"][0]["type"] == "unparsed")
    log(f"{len(items)} criteria, {len(items) - unparsed} with constraints, {unparsed} unparsed")
    if not items:
        sys.exit(1)
