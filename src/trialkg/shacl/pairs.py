"""Queries for the core components that compare a value node with other triples of its
focus node: the property-pair components (sh:equals, sh:disjoint, sh:lessThan,
sh:lessThanOrEquals), sh:uniqueLang and sh:closed (SHACL 4.5, 4.4.4, 4.8.1).

Each function returns a SELECT over ``targets`` (a sub-select binding ?this) that
projects the results: ``?this``, ``?value`` where SHACL gives the result a value, and
``?path`` for sh:closed. ``path`` is the shape's SPARQL path (None: a node shape,
whose only value node is the focus node itself); ``other`` the compared property.
"""

from __future__ import annotations


def pair_query(local: str, path: str | None, other: str, targets: str) -> str:
    """Equals, Disjoint, LessThan, LessThanOrEquals (``local`` without ConstraintComponent).

    LessThan(OrEquals) gives one result per (value node, other value) pair that fails,
    as SHACL does: ?_other is projected (the rows are results, not de-duplicated).
    """
    values = f"?this {path} ?value ." if path is not None else "BIND(?this AS ?value)"
    if local == "Equals":
        # A value on one side only: each value node not among the other's values, and back
        # (each branch binds its own focus nodes: a UNION branch sees no outer binding).
        same = f"?this {path} ?value ." if path is not None else "FILTER(sameTerm(?this, ?value))"
        return (f"SELECT DISTINCT ?this ?value WHERE {{\n  {{ {targets} {values} "
                f"FILTER NOT EXISTS {{ ?this {other} ?value }} }}\n  UNION\n"
                f"  {{ {targets} ?this {other} ?value . FILTER NOT EXISTS {{ {same} }} }}\n}}")
    if local == "Disjoint":
        return f"SELECT DISTINCT ?this ?value WHERE {{\n  {targets}\n  {values} ?this {other} ?value .\n}}"
    op = "<" if local == "LessThan" else "<="
    return (f"SELECT DISTINCT ?this ?value ?_other WHERE {{\n  {targets}\n  {values} ?this {other} ?_other .\n"
            f"  FILTER(!COALESCE(?value {op} ?_other, false))\n}}")


def unique_lang_query(path: str, targets: str) -> str:
    """One row per focus node and language tag that two of its values share."""
    return (f"SELECT DISTINCT ?this ?_lang WHERE {{\n  {targets}\n  ?this {path} ?_a . ?this {path} ?_b .\n"
            f"  FILTER(!sameTerm(?_a, ?_b) && isLiteral(?_a) && lang(?_a) != \"\" && lang(?_a) = lang(?_b))\n"
            f"  BIND(lang(?_a) AS ?_lang)\n}}")


def closed_query(path: str | None, allowed: list[str], targets: str) -> str:
    """Each triple of a value node whose predicate is neither a property shape's path nor ignored."""
    values = f"?this {path} ?_node ." if path is not None else "BIND(?this AS ?_node)"
    keep = f"FILTER(?path NOT IN ({', '.join(allowed)}))" if allowed else ""
    return (f"SELECT DISTINCT ?this ?value ?path WHERE {{\n  {targets}\n  {values}\n"
            f"  ?_node ?path ?value . {keep}\n}}")
