"""Output options for every command that prints data (docs/cli.md).

Every such command takes ``--format``: ``table``, ``json``, ``csv``, ``tsv``, plus
``jsonl`` where the output is rows. Without ``--format`` the output is a table on a
terminal and JSON otherwise, for every command. Data goes to stdout; counts, progress
and logs to stderr (``log``). Commands call ``emit_rows`` for rows and
``emit_document`` (or ``emit_json``) for one document.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import click
from tabulate import tabulate

F = TypeVar("F", bound=Callable[..., Any])

DOCUMENT_FORMATS = ("table", "json", "csv", "tsv")
ROW_FORMATS = ("table", "json", "jsonl", "csv", "tsv")
TABULAR_FORMATS = ROW_FORMATS


def format_option(choices: Sequence[str] = ROW_FORMATS) -> Callable[[F], F]:
    """``--format``; without it, ``table`` on a terminal and ``json`` otherwise."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=None,
        help=f"Output format ({', '.join(choices)}); default table on a terminal, json otherwise.",
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


def resolve_format(fmt: str | None) -> str:
    """The format asked for, else the one default: table on a terminal, json otherwise."""
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "json"


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


# A table's column widths are taken from its first rows; later rows are cut to them, so
# the first screen is printed without waiting for the rest.
TABLE_SAMPLE_ROWS = 100


def emit_rows(rows: Iterable[dict[str, Any]], columns: Sequence[str], fmt: str) -> int:
    """Print rows as table/json/jsonl/csv/tsv on stdout as they come; returns the number
    of rows. A table takes its column widths from its first ``TABLE_SAMPLE_ROWS`` rows."""
    out = sys.stdout
    n = 0
    if fmt == "jsonl":
        for r in rows:
            out.write(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False, default=str) + "\n")
            n += 1
    elif fmt in ("csv", "tsv"):
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_cell(r.get(c)) for c in columns])
            n += 1
    elif fmt == "json":  # the same text as one json.dump(indent=2) of the list
        out.write("[")
        for n, r in enumerate(rows, 1):
            row = json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False, indent=2, default=str)
            out.write((",\n  " if n > 1 else "\n  ") + row.replace("\n", "\n  "))
        out.write("\n]\n" if n else "]\n")
    else:
        n = _emit_table(iter(rows), columns, out)
    return n


def _emit_table(rows: Iterator[dict[str, Any]], columns: Sequence[str], out: Any) -> int:
    """A plain table (tabulate's "simple" style), its widest columns cut to fit the terminal;
    the first rows set the widths and are printed at once, the rest follow as they come."""
    def cells(r: dict[str, Any]) -> list[str]:
        return [_cell(r.get(c)).replace("\n", " ") for c in columns]

    first = [cells(r) for r in itertools.islice(rows, TABLE_SAMPLE_ROWS)]
    width = _terminal_width()
    widths = [max([len(c)] + [len(row[i]) for row in first]) for i, c in enumerate(columns)]
    max_col = max(12, width // max(1, len(columns)))
    while sum(widths) + 2 * len(widths) > width and max(widths) > max_col:
        i = widths.index(max(widths))
        widths[i] = max(max_col, widths[i] - 8)
    head = tabulate([[_fit(v, w) for v, w in zip(row, widths, strict=True)] for row in first],
                    headers=list(columns), tablefmt="simple", disable_numparse=True)
    out.write(head + "\n")
    # tabulate pads its columns: later rows take the widths of its rule line
    shown = [len(dashes) for dashes in head.splitlines()[1].split("  ")]
    n = len(first)
    for r in rows:
        out.write("  ".join(_fit(v, w).ljust(w) for v, w in zip(cells(r), shown, strict=True)).rstrip() + "\n")
        n += 1
    return n


def _fit(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 200


def emit_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def emit_jsonl(documents: Iterable[Any]) -> int:
    """One JSON document per line, written as each comes; returns how many."""
    n = 0
    for doc in documents:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


def emit_document(document: Mapping[str, Any], fmt: str, table: Callable[[], str] | None = None) -> None:
    """One document: json as is; csv/tsv (and table, unless ``table`` renders it) as
    ``field``, ``value`` rows of its top-level keys."""
    if fmt == "json":
        emit_json(document)
    elif fmt == "table" and table is not None:
        click.echo(table())
    else:
        emit_rows(({"field": k, "value": v} for k, v in document.items()), ("field", "value"), fmt)
