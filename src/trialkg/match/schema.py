"""The patient file's JSON Schema (``patient.schema.json``, shipped with the package) and
its errors in one line each, naming the field as ``labs.neutrophils.unit`` or
``prior_therapies[0]``.

The schema checks the shape: keys, types, ranges, enumerations, the closed list of
flags. A subschema's ``x-errors`` gives the message for a failing keyword (``{json}``:
the value as JSON, ``{type}``: its JSON type, ``{known}``: the keys allowed there) and
``x-field`` the field to report. What needs the variable table (lab names and units) is
checked after it, in ``patient.py``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from trialkg.match.logic import num as _num

SCHEMA_FILE = "patient.schema.json"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(resources.files("trialkg.match").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def first_error(data: Any) -> tuple[str, str] | None:
    """(field, message) of the first schema error in reading order, or ``None``.

    Top-level keys in the order the schema lists them, then nested values in the
    document's order; an object's own error (an unknown key) before its values'."""
    errors = list(_validator().iter_errors(data))
    if not errors:
        return None
    order = list(schema()["properties"])
    error = min(errors, key=lambda e: _position(data, list(e.absolute_path), order))
    return _field(error), _message(error)


def _position(data: Any, path: list[Any], order: list[str]) -> tuple[int, ...]:
    if not path:
        return (-1,)
    out = [order.index(path[0]) if path[0] in order else len(order)]
    node = data.get(path[0]) if isinstance(data, dict) else None
    for step in path[1:]:
        if isinstance(node, dict):
            out.append(list(node).index(step) if step in node else len(node))
        else:
            out.append(step if isinstance(step, int) else 0)
        node = node[step] if isinstance(node, (dict, list)) else None
    return tuple(out)


def _path(parts: list[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _field(e: ValidationError) -> str:
    if isinstance(e.schema, dict) and e.schema.get("x-field"):
        return str(e.schema["x-field"])
    path = list(e.absolute_path)
    if e.validator == "additionalProperties" and isinstance(e.instance, dict):
        path.append(_unknown_keys(e)[0])
    elif e.validator == "required" and isinstance(e.instance, dict):
        path.append(next(k for k in e.validator_value if k not in e.instance))
    return _path(path) or "(top level)"


def _unknown_keys(e: ValidationError) -> list[str]:
    return sorted(set(e.instance) - set(e.schema.get("properties", {})))


def _message(e: ValidationError) -> str:
    known = ", ".join(sorted(e.schema.get("properties", {}))) if isinstance(e.schema, dict) else ""
    custom = (e.schema.get("x-errors") or {}).get(str(e.validator)) if isinstance(e.schema, dict) else None
    if custom:
        return custom.format(json=_dumps(e.instance), type=json_type(e.instance), known=known)
    if e.validator == "type":
        wanted = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        if "number" in wanted or "integer" in wanted:
            return f"must be a number, got {_dumps(e.instance)}"
        return f"must be a {wanted[0]}, got {json_type(e.instance)}"
    if e.validator in ("minimum", "maximum"):
        low, high = e.schema.get("minimum"), e.schema.get("maximum")
        return f"impossible value {_num(e.instance)} (allowed {_num(low)} to {_num(high)})"
    if e.validator == "additionalProperties":
        return f"unknown key (known keys: {known})"
    if e.validator == "required":
        return "missing"
    return e.message


def _dumps(value: Any) -> str:
    return json.dumps(value)


def json_type(value: Any) -> str:
    """A value's JSON type in words: ``an object``, ``a list``, ``a number`` ..."""
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )
