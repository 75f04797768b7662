"""A criterion's text cut into segments, each marked with the constraints whose span it is
part of, and a one-line reading of every constraint (what the parser understood).

Spans come from the criteria stage (``span`` of each constraint) and may overlap, e.g. in
NCT04126811 "PS score: 0~1 (Amputation patient can be relaxed to 2 points)" gives two
ECOG constraints, and in NCT03890068 a lab line holds several analytes: the text is cut
at every span boundary so each piece knows all the constraints that cover it.
"""

from __future__ import annotations

from typing import Any

SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "==": "=", "!=": "≠"}
# keys shown by the reading's head, or not at all
_HEAD_KEYS = {"type", "span", "variable", "state", "comparator", "value", "value2", "unit", "relative_to",
              "canonical_value", "canonical_unit", "allowed_values", "applies_if"}


def locate(text: str, span: str | None, start: int = 0) -> tuple[int, int] | None:
    """Where ``span`` is in ``text`` (case-insensitive), searching from ``start`` first."""
    if not span or not text:
        return None
    low, sp = text.lower(), span.lower()
    i = low.find(sp, start)
    if i < 0:
        i = low.find(sp)
    return (i, i + len(span)) if i >= 0 else None


def segments(text: str, constraints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``[{"text", "marks", "ends"}]`` covering the whole text: ``marks`` are the numbers
    of the constraints whose span covers the piece, ``ends`` those whose span ends there."""
    spans: list[tuple[int, int, int]] = []
    cursor = 0
    for n, k in enumerate(constraints, start=1):
        where = locate(text, k.get("span"), cursor)
        if where:
            spans.append((where[0], where[1], n))
            cursor = where[0]
    cuts = sorted({0, len(text), *(s for s, _e, _n in spans), *(e for _s, e, _n in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        marks = [n for s, e, n in spans if s <= a and b <= e]
        ends = [n for s, e, n in spans if e == b and s < b]
        out.append({"text": text[a:b], "marks": marks, "ends": ends})
    return out


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _head(k: dict[str, Any]) -> str:
    var = (k.get("variable") or k.get("state") or k.get("histology") or k.get("gene")
           or k.get("type") or "constraint")
    comp = k.get("comparator")
    unit = f" × {k['relative_to']}" if k.get("relative_to") else (f" {k['unit']}" if k.get("unit") else "")
    if k.get("allowed_values"):
        head = f"{var} ∈ {{{', '.join(_num(v) for v in k['allowed_values'])}}}"
    elif comp == "between" and k.get("value") is not None:
        head = f"{var} between {_num(k['value'])} and {_num(k.get('value2'))}{unit}"
    elif comp and k.get("value") is not None:
        head = f"{var} {SYMBOLS.get(comp, comp)} {_num(k['value'])}{unit}"
    else:
        head = var
    if k.get("canonical_value") is not None and k.get("canonical_unit") and k.get("unit") != k.get("canonical_unit"):
        head += f" (= {_num(k['canonical_value'])} {k['canonical_unit']})"
    if k.get("applies_if"):
        head += f", if {k['applies_if']}"
    return head


def reading(k: dict[str, Any]) -> dict[str, Any]:
    """The constraint as a head ("ecog ∈ {0, 1}") and its other non-empty facts."""
    facts = []
    for key in sorted(k):
        value = k[key]
        if key in _HEAD_KEYS or value in (None, [], "", {}):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        facts.append((key.replace("_", " "), value))
    return {"type": k.get("type"), "head": _head(k), "facts": facts, "span": k.get("span")}


def annotate(criterion: dict[str, Any]) -> dict[str, Any]:
    """The criterion with ``segments`` and ``readings`` for the trial page."""
    constraints = criterion.get("constraints") or []
    text = criterion.get("text") or ""
    from trialkg.match.criterion import undecidable_why

    reason = criterion.get("undecidable")
    return {**criterion, "segments": segments(text, constraints),
            "readings": [reading(k) for k in constraints],
            "unparsed": all(k.get("type") == "unparsed" for k in constraints),
            # why no patient-file fact decides it, in the words trialkg match prints
            "undecidable_why": undecidable_why(reason, criterion.get("topic")) if reason else None}
