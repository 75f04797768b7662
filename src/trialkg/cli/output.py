"""Shared output options for every command that prints data.

``--format table|json|csv|tsv`` (table by default on a terminal, json when piped
for commands that print one object), data on stdout, logs on stderr. Commands call
``emit_rows`` for tabular data and ``emit_json`` for documents.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

TABULAR_FORMATS = ("table", "json", "csv", "tsv")


def format_option(choices: Sequence[str] = TABULAR_FORMATS, default: str | None = None) -> Callable[[F], F]:
    """``--format``; default ``table`` on a terminal, else ``default`` or ``tsv``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        help=f"Output format ({', '.join(choices)}); table on a terminal.",
    )


def store_option(f: F) -> F:
    return click.option(
        "--store",
        "store_path",
        type=click.Path(file_okay=False),
        default=None,
        envvar="TRIALKG_STORE",
        show_envvar=True,
        help="Store directory (default: ./.trialkg-store).",
    )(f)


def resolve_format(fmt: str | None, fallback: str = "table") -> str:
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else fallback


def is_quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.obj and ctx.obj.get("quiet"):
            return True
        ctx = ctx.parent
    return False


def log(message: str) -> None:
    """A progress or summary line on stderr, unless ``--quiet``."""
    if not is_quiet():
        click.echo(message, err=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def emit_rows(rows: Iterable[dict[str, Any]], columns: Sequence[str], fmt: str) -> int:
    """Print rows as table/json/csv/tsv on stdout; returns the number of rows."""
    rows = list(rows)
    out = sys.stdout
    if fmt == "json":
        json.dump([{c: r.get(c) for c in columns} for r in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt in ("csv", "tsv"):
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_cell(r.get(c)) for c in columns])
    else:
        width = _terminal_width()
        cells = [[_cell(r.get(c)).replace("\n", " ") for c in columns] for r in rows]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
        # Shrink the widest columns until the table fits the terminal.
        max_col = max(12, width // max(1, len(columns)))
        while sum(widths) + 2 * len(widths) > width and max(widths) > max_col:
            i = widths.index(max(widths))
            widths[i] = max(max_col, widths[i] - 8)
        line = "  ".join(c.ljust(w)[:w] for c, w in zip(columns, widths))
        out.write(line.rstrip() + "\n")
        out.write("  ".join("-" * w for w in widths) + "\n")
        for row in cells:
            out.write("  ".join(_fit(v, w) for v, w in zip(row, widths)).rstrip() + "\n")
    return len(rows)


def _fit(value: str, width: int) -> str:
    return value.ljust(width) if len(value) <= width else value[: width - 1] + "…"


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 200


def emit_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
