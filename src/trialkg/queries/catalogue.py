"""The catalogue of stored queries: ``queries/<name>.rq`` files, their headers
(title, description, parameters, examples) read into ``StoredQuery``, and what a
query text is (its form, whether it calls a SERVICE)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from trialkg.errors import QueryError, UsageError
from trialkg.resources import query_dir

PARAM_TYPES = ("string", "integer", "decimal", "iri")

FOLDINGS = ("upper", "lower", "place")

PARAM_PREFIX = "param_"

VALUES_MARKER = "#@values"

HEADER_KEYS = ("title", "description", "params", "example")

_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")

_HEADER_LINE = re.compile(r"^#\s?(?P<key>[A-Za-z_]+):\s*(?P<value>.*)$")

_PARAM_LINE = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9_]*)\s*\(\s*(?P<type>[a-z]+)\s*,\s*(?P<req>required|optional)"
    r"(?:\s*,\s*(?P<fold>[a-z]+))?\s*\)"
    r"\s*:\s*(?P<desc>.+)$"
)

MARKER_LINE = re.compile(r"^[ \t]*" + re.escape(VALUES_MARKER) + r"[ \t]*$", re.MULTILINE)

@dataclass(frozen=True)
class Param:
    """One declared parameter: ``name (type, required|optional): description``."""

    name: str
    type: str
    required: bool
    description: str
    fold: str | None = None

    @property
    def variable(self) -> str:
        return PARAM_PREFIX + self.name

    def signature(self) -> str:
        return f"{self.name} ({self.type}, {'required' if self.required else 'optional'})"

@dataclass(frozen=True)
class StoredQuery:
    """A SPARQL query with its header: what ``trialkg queries`` lists and ``query`` runs."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    source: str
    examples: tuple[str, ...] = field(default=())

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

def parse_query(text: str, *, name: str, source: str) -> StoredQuery:
    """Read the header of a query text; a malformed header is a ``QueryError``."""
    header = _Header(source)
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            header.current = None
            continue
        if not line.startswith("#"):
            break  # the header ends at the first line of SPARQL
        m = _HEADER_LINE.match(line)
        if m and not line.startswith("#  "):
            header.key(lineno, m.group("key").lower(), m.group("value").strip())
        else:
            header.continuation(lineno, line)
    query = StoredQuery(name, header.title or name, header.description, tuple(header.params), text, source,
                        tuple(header.examples))
    _check_params_used(query)
    return query


class _Header:
    """The header comment block as it is read: ``# key: value`` lines, and indented
    continuation lines of the section ``current`` (a description, parameters, an example)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.title = self.description = ""
        self.params: list[Param] = []
        self.examples: list[str] = []
        self.current: str | None = None
        self.seen: set[str] = set()

    def key(self, lineno: int, key: str, value: str) -> None:
        if key not in HEADER_KEYS:  # a free comment such as '# Note: ...'
            self.current = None
            return
        if key in self.seen and key != "example":
            raise QueryError(f"line {lineno}: header key {key!r} given twice", file=self.source, field=key)
        self.seen.add(key)
        self.current = key
        if key == "title":
            self.title = value
        elif key == "description":
            self.description = value
        elif key == "example":
            self.examples.append(value)
        elif key == "params" and value and value.lower() not in ("none", "-"):
            raise QueryError(f"line {lineno}: write each parameter on its own line under '# params:'",
                             file=self.source, field="params")

    def continuation(self, lineno: int, line: str) -> None:
        body = line[1:].strip()
        if self.current == "description" and line.startswith("#  "):
            self.description = f"{self.description} {body}".strip()
        elif self.current == "params" and body:
            self.params.append(self.param(lineno, body))
        elif self.current == "example" and line.startswith("#  "):
            self.examples[-1] = f"{self.examples[-1]} {body}"
        else:
            self.current = None  # a free comment line ends the header section

    def param(self, lineno: int, body: str) -> Param:
        """``NAME (TYPE, required|optional[, FOLDING]): description``."""
        pm = _PARAM_LINE.match(body)
        if pm is None:
            raise QueryError(
                f"line {lineno}: bad parameter line {body!r}; expected 'NAME (TYPE, required|optional): description'",
                file=self.source, field="params",
            )
        ptype, fold = pm.group("type"), pm.group("fold")
        if ptype not in PARAM_TYPES:
            raise QueryError(f"line {lineno}: parameter type {ptype!r} is not one of {', '.join(PARAM_TYPES)}",
                             file=self.source, field="params")
        if fold is not None and (ptype != "string" or fold not in FOLDINGS):
            raise QueryError(f"line {lineno}: folding {fold!r} is not one of {', '.join(FOLDINGS)} on a string parameter",
                             file=self.source, field="params")
        if any(p.name == pm.group("name") for p in self.params):
            raise QueryError(f"line {lineno}: parameter {pm.group('name')!r} declared twice", file=self.source,
                             field="params")
        return Param(pm.group("name"), ptype, pm.group("req") == "required", pm.group("desc").strip(), fold)


def _check_params_used(query: StoredQuery) -> None:
    """Catch header/body mismatches when the query is loaded, not when a user runs it."""
    if query.params and not MARKER_LINE.search(query.text):
        raise QueryError(f"a query with parameters needs a '{VALUES_MARKER}' line inside its WHERE clause", file=query.source)
    for p in query.params:
        if not re.search(r"[?$]" + re.escape(p.variable) + r"\b", query.text):
            raise QueryError(f"parameter {p.name!r} is declared but ?{p.variable} is not used", file=query.source, field=p.name)
        if re.search(r"BOUND\s*\(\s*[?$]" + re.escape(p.variable) + r"\b", query.text, re.IGNORECASE):
            raise QueryError(f"use COALESCE, not BOUND, to test whether ?{p.variable} is given", file=query.source, field=p.name)

def stored_query_names() -> list[str]:
    return sorted(e.name[:-3] for e in query_dir().iterdir() if e.name.endswith(".rq"))

def get_stored_query(name: str) -> StoredQuery:
    entry = query_dir().joinpath(f"{name}.rq")
    if not _NAME_RE.match(name) or not entry.is_file():
        raise UsageError(f"no stored query named {name!r}{_suggest(name)} (see 'trialkg queries')", field="query")
    return parse_query(entry.read_text(encoding="utf-8"), name=name, source=f"queries/{name}.rq")

def stored_queries() -> list[StoredQuery]:
    return [get_stored_query(n) for n in stored_query_names()]

def load_query(name_or_file: str, stdin: IO[str] | None = None) -> StoredQuery:
    """A stored query by name, an ``.rq`` file by path, or ``-`` for the query on stdin."""
    if name_or_file == "-":
        if stdin is None:
            import sys

            stdin = sys.stdin
        return parse_query(stdin.read(), name="-", source="<stdin>")
    if _NAME_RE.match(name_or_file) and query_dir().joinpath(f"{name_or_file}.rq").is_file():
        return get_stored_query(name_or_file)
    path = Path(name_or_file)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the query file: {exc}", file=name_or_file) from exc
        return parse_query(text, name=path.stem, source=name_or_file)
    raise UsageError(f"no stored query or file named {name_or_file!r}{_suggest(name_or_file)} (see 'trialkg queries')", field="query")

def _suggest(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, stored_query_names(), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""

_QUERY_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)

def strip_comments(text: str) -> str:
    """Drop whole-line comments (enough to find the query form and its tail)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))

_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)

_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')

def uses_service(text: str) -> bool:
    """Whether the query has a SERVICE clause (outside comments, strings and IRIs)."""
    return bool(_SERVICE.search(_STRINGS.sub(" ", strip_comments(text))))

def query_form(text: str) -> str:
    m = _QUERY_FORM.search(strip_comments(text))
    return m.group(1).upper() if m else "SELECT"
