"""Pre-binding (SHACL 5.3.1) for SPARQL-based constraints and validators run over the store.

A SPARQL constraint is written for one focus node: ``$this`` (and ``$value``, the
parameters of a constraint component, ``$currentShape``) are "pre-bound". The
compiled engine runs it once for all focus nodes, so the query is rewritten:

- parameters and ``$currentShape`` are constants of the shapes graph: every
  occurrence of the variable is replaced by the term (in the projection as
  ``(term AS ?name)``);
- ``$this``: the focus nodes (a sub-select) open the query's WHERE group. Patterns of
  that group join on ``?this`` and its FILTERs, BINDs and EXISTS see it, which is
  pre-binding. Where ``$this`` occurs inside a nested group, a UNION branch, an
  OPTIONAL or a sub-select (outside EXISTS), a join would leave it unbound there, so
  the body becomes ``targets LATERAL { body }``: evaluated once per focus node with
  ``?this`` substituted, as the SHACL definition says.

Refused, as SHACL 5.3.1 says they cannot be pre-bound: MINUS, VALUES, SERVICE, and
``AS ?var`` for a pre-bound variable; also a sub-select that uses ``$this`` but does
not project it (SHACL: sub-queries return the pre-bound variables), or any
sub-select that does not name ``$this`` in its projection. ``$shapesGraph``
is refused (the store does not hold the shapes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'''
    (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<comment>\#[^\n]*)
  | (?P<var>[?$][A-Za-z_0-9\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z_][A-Za-z_0-9\-.]*(?::[^\s{}()<>,;"'=!]*)?|:[^\s{}()<>,;"'=!]*)
  | (?P<punct>[{}()])
  | (?P<other>\S)
''', re.VERBOSE)


class Unbindable(ValueError):
    """A query whose pre-bound variables cannot be bound soundly; ``field`` names the feature."""

    def __init__(self, message: str, field: str = "sh:select") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The query's tokens (strings, IRIs and comments whole); comments dropped."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind != "comment":
            out.append(Token(kind, m.group(), m.start(), m.end()))
    return out


def variables(text: str) -> set[str]:
    return {t.text[1:] for t in tokens(text) if t.kind == "var"}


def _keyword(t: Token, *words: str) -> bool:
    return t.kind == "word" and t.text.upper() in words


def substitute(text: str, terms: dict[str, str], projection: bool = True) -> str:
    """Every occurrence of the variables ``terms`` names replaced by their term (N3 text);
    ``projection``: ``text`` is a whole query, whose SELECT clause comes before its first '{'."""
    toks = tokens(text)
    out, last = [], 0
    first_brace = next((t.start for t in toks if t.text == "{"), len(text)) if projection else 0
    for k, t in enumerate(toks):
        if t.kind != "var" or t.text[1:] not in terms:
            continue
        term = terms[t.text[1:]]
        projected = t.start < first_brace and not (k > 0 and _keyword(toks[k - 1], "AS"))
        out.append(text[last:t.start])
        out.append(f"({term} AS ?{t.text[1:]})" if projected else term)
        last = t.end
    out.append(text[last:])
    return "".join(out)


def refuse_unbindable(text: str, prebound: set[str]) -> None:
    """Raise ``Unbindable`` for the SPARQL features pre-binding cannot handle."""
    toks = tokens(text)
    for k, t in enumerate(toks):
        if _keyword(t, "MINUS", "VALUES", "SERVICE"):
            raise Unbindable(f"{t.text.upper()} in a SPARQL constraint cannot be pre-bound (SHACL 5.3.1)")
        if _keyword(t, "AS") and k + 1 < len(toks) and toks[k + 1].kind == "var" and toks[k + 1].text[1:] in prebound:
            raise Unbindable(f"'AS {toks[k + 1].text}' assigns a pre-bound variable (SHACL 5.3.1)")
        if t.kind == "var" and t.text[1:] == "shapesGraph":
            raise Unbindable("$shapesGraph is not supported: the store does not hold the shapes graph",
                             "$shapesGraph")


@dataclass
class _Group:
    open: int  # index of the '{' token
    exists: bool  # the body of EXISTS / NOT EXISTS (or inside one)
    select: bool = False  # a sub-select's WHERE group
    projects_this: bool = False
    mentions_this: bool = False


def _groups(toks: list[Token]) -> list[_Group]:
    """Every group of the query with what pre-binding needs to know about it."""
    groups: list[_Group] = []
    stack: list[_Group] = []
    projection: list[Token] | None = None  # inside a SELECT clause (before its WHERE group)
    for k, t in enumerate(toks):
        if _keyword(t, "SELECT"):
            projection = []
        elif t.text == "{":
            prev = toks[k - 1] if k else None
            exists = bool(stack and stack[-1].exists) or (prev is not None and _keyword(prev, "EXISTS"))
            g = _Group(k, exists)
            if projection is not None:
                g.select = True
                g.projects_this = any(p.kind == "var" and p.text[1:] == "this" for p in projection)
                projection = None
            stack.append(g)
            groups.append(g)
        elif t.text == "}" and stack:
            stack.pop()
        elif projection is not None:
            projection.append(t)
        elif t.kind == "var" and t.text[1:] == "this":
            for g in stack:
                g.mentions_this = True
    return groups


def bind_this(text: str, targets: str) -> str:
    """The query with ``$this`` bound to the focus nodes of ``targets`` (a group pattern)."""
    toks = tokens(text)
    groups = _groups(toks)
    if not groups:
        raise Unbindable("an sh:select without a WHERE clause")
    outer, inner = groups[0], groups[1:]
    for g in inner:
        if g.select and not g.projects_this:
            raise Unbindable("a sub-select that does not project $this (SHACL 5.3.1: sub-queries "
                             "return the pre-bound variables)")
    open_at = toks[outer.open].end
    if not any(g.mentions_this and not g.exists for g in inner):
        return f"{text[:open_at]}\n  {targets}\n{text[open_at:]}"
    close = _closing(toks, outer.open)
    return f"{text[:open_at]}\n  {targets}\n  LATERAL {{{text[open_at:toks[close].start]}}}\n{text[toks[close].start:]}"


def _closing(toks: list[Token], open_index: int) -> int:
    depth = 0
    for k in range(open_index, len(toks)):
        if toks[k].text == "{":
            depth += 1
        elif toks[k].text == "}":
            depth -= 1
            if depth == 0:
                return k
    raise Unbindable("unbalanced braces in a SPARQL query")


def ask_body(text: str) -> tuple[str, str]:
    """An ASK query split into its prologue (PREFIX/BASE lines) and its WHERE group's content."""
    toks = tokens(text)
    ask = next((k for k, t in enumerate(toks) if _keyword(t, "ASK")), None)
    brace = next((k for k, t in enumerate(toks) if t.text == "{"), None)
    if ask is None or brace is None:
        raise Unbindable("an sh:ask that is not an ASK query", "sh:ask")
    close = _closing(toks, brace)
    if any(t.kind != "other" or t.text != "." for t in toks[close + 1:]):
        raise Unbindable("solution modifiers after an ASK query", "sh:ask")
    return text[:toks[ask].start], text[toks[brace].end:toks[close].start]
