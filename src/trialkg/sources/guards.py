"""The reader guards, in one place for every format: encoding, size, depth, field values.

Every reader (API v2 JSON, classic XML, text pages; files, zip members, stdin) passes
its bytes through ``to_utf8`` and its finished record through ``clean_record``, so a
hostile or unlucky input is handled the same way whatever its format:

- **Encoding.** UTF-8 (with or without a BOM) is read as is; UTF-16 and UTF-32, with
  a BOM or recognised by their NUL bytes (RFC 8259 section 8.1's detection), are
  transcoded to UTF-8 first; anything else is named: ``not UTF-8 text: byte 0xe9 at
  offset 257``.
- **Depth.** JSON nested deeper than ``MAX_DEPTH`` (a study is about 8 levels deep) is
  rejected as that file, line or study, naming the field path where it got too deep;
  the other records of the batch go on.
- **Size.** A text field over ``TRIALKG_MAX_FIELD_MB`` (2 MiB by default; pyoxigraph
  refuses a statement over 16 MiB and N-Triples escaping can grow text sixfold) is
  dropped with a warning; so is an integer of more than ``MAX_INT_DIGITS`` digits.
- **Values.** Lone surrogates (not encodable text), NaN or infinite numbers,
  coordinates off the globe, and identifiers that do not match their scheme (a PubMed
  id is ASCII digits, a MeSH id a letter and ASCII digits) are dropped field by field
  with a warning; the record is kept.

Identifier patterns are ASCII only (``[0-9]``, never ``\\d``, which also matches
full-width and Arabic-Indic digits).
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import math
import re
from typing import Any

from trialkg.errors import InputError
from trialkg.limits import env_limit
from trialkg.records import TrialRecord

#: JSON nesting deeper than this is refused (an API v2 study is about 8 levels deep).
MAX_DEPTH = 64
#: Integers with more digits than this are not counts (Python refuses str->int past 4,300).
MAX_INT_DIGITS = 18
DEFAULT_MAX_FIELD_BYTES = 2 * 1024 * 1024
#: Eligibility items per record beyond which the rest stay in the text only (the longest
#: registry records have a few hundred; 10,000 bounds the criteria stage's memory and time).
DEFAULT_MAX_CRITERIA = 10_000

PMID_RE = re.compile(r"[0-9]{1,9}", re.ASCII)
MESH_RE = re.compile(r"[A-Z][0-9]{6,9}", re.ASCII)

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL_ENCODING = re.compile(rb"^(<\?xml[^>]*?encoding\s*=\s*)([\"'])[A-Za-z0-9._-]+\2")


def max_field_bytes() -> int:
    return env_limit("TRIALKG_MAX_FIELD_MB", DEFAULT_MAX_FIELD_BYTES)


def max_criteria() -> int:
    return env_limit("TRIALKG_MAX_CRITERIA", DEFAULT_MAX_CRITERIA, unit=1, what="items")


# -- encoding -------------------------------------------------------------------------

def detect_encoding(head: bytes) -> str:
    """``utf-8``, ``utf-16-le`` ... from a BOM or the NUL pattern of the first bytes."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if len(head) < 4:
        return "utf-8"
    # Without a BOM: the first characters are ASCII ('{', '<', a letter), so their NUL
    # bytes tell the encoding; anything else is left to the UTF-8 check.
    text = lambda b: 9 <= b < 127  # noqa: E731
    a, b, c, d = head[:4]
    if a == b == c == 0 and text(d):
        return "utf-32-be"
    if text(a) and b == c == d == 0:
        return "utf-32-le"
    if a == 0 and text(b) and c == 0 and text(d):
        return "utf-16-be"
    if text(a) and b == 0 and text(c) and d == 0:
        return "utf-16-le"
    return "utf-8"


def to_utf8(data: bytes, *, file: str) -> bytes:
    """The bytes as UTF-8 without a BOM; UTF-16/32 transcoded (an XML declaration's
    encoding rewritten to match); text that does not decode is an ``InputError``."""
    encoding = detect_encoding(data[:4])
    if encoding == "utf-8":
        return data[3:] if data.startswith(codecs.BOM_UTF8) else data
    bom = next((b for b, n in _BOMS if n == encoding and data.startswith(b)), b"")
    try:
        text = data[len(bom):].decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"not {encoding.upper()} text: {exc.reason} at offset {exc.start + len(bom)}; "
                         "save the file as UTF-8", file=file) from None
    out = text.encode("utf-8", "surrogatepass")
    return _XML_DECL_ENCODING.sub(rb"\1\2UTF-8\2", out, count=1)


def not_utf8(exc: UnicodeDecodeError) -> str:
    """Where the first bad byte is, so the user can find it."""
    byte = exc.object[exc.start:exc.start + 1].hex()
    return f"not UTF-8 text: byte 0x{byte} at offset {exc.start} ({exc.reason}); save the file as UTF-8"


# -- JSON -----------------------------------------------------------------------------

class BigNumber(str):
    """An integer literal too long to be a count, kept as its digits for the warning."""


def _parse_int(text: str) -> int | BigNumber:
    return BigNumber(text) if len(text.lstrip("-")) > MAX_INT_DIGITS else int(text)


def load_json(data: bytes | str) -> Any:
    """``json.loads`` with the guards: huge integers become ``BigNumber`` (dropped per
    field later), nesting past the interpreter's limit is an ``InputError``."""
    try:
        return json.loads(data, parse_int=_parse_int)
    except RecursionError:
        raise InputError(f"JSON nested deeper than {MAX_DEPTH} levels: refused", field="(nesting)") from None


def check_depth(doc: Any, *, limit: int = MAX_DEPTH) -> None:
    """Raise an ``InputError`` naming the field path where ``doc`` gets deeper than ``limit``."""
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > limit:
            shown = path if len(path) <= 80 else path[:77] + "..."
            raise InputError(f"nested deeper than {limit} levels: refused", field=shown or "(root)")
        if isinstance(node, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in node.items()
                         if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node) if isinstance(v, (dict, list)))


# -- one record, field by field -------------------------------------------------------

# Fields of the record model that hold identifiers: (attribute, pattern, scheme).
_ID_FIELDS = {("Reference", "pmid"): (PMID_RE, "a PubMed id (ASCII digits)")}
_MESH_LISTS = ("condition_mesh", "intervention_mesh")


def clean_record(record: TrialRecord) -> TrialRecord:
    """Drop, with a warning each, the fields no later stage can store; keep the record."""
    limit = max_field_bytes()
    _clean_object(record, record, "", limit)
    for attr in _MESH_LISTS:
        for n, entry in enumerate(getattr(record, attr)):
            mesh_id = entry.get("id") or ""
            if mesh_id and not MESH_RE.fullmatch(mesh_id):
                record.warn(f"{attr}[{n}].id", f"{_shown(mesh_id)} is not a MeSH id (a letter and ASCII "
                            "digits); dropped", code="bad-value")
                entry["id"] = ""
    return record


def _clean_object(record: TrialRecord, obj: Any, path: str, limit: int) -> None:
    for f in dataclasses.fields(obj):
        if f.name in ("provenance", "warnings"):
            continue
        where = f"{path}.{f.name}" if path else f.name
        value = getattr(obj, f.name)
        problem = _problem(value, limit, (type(obj).__name__, f.name))
        if problem:
            record.warn(where, f"{problem}; dropped", code="bad-value")
            factory = f.default_factory  # type: ignore[misc]
            setattr(obj, f.name, factory() if factory is not dataclasses.MISSING else None)
        elif isinstance(value, list):
            setattr(obj, f.name, _clean_list(record, value, where, limit))
        elif dataclasses.is_dataclass(value):
            _clean_object(record, value, where, limit)
            if type(value).__name__ == "GeoPoint" and not _on_globe(value):
                record.warn(where, f"coordinates ({value.lat}, {value.lon}) are not on the globe; dropped",
                            code="bad-value")
                setattr(obj, f.name, None)


def _clean_list(record: TrialRecord, items: list[Any], path: str, limit: int) -> list[Any]:
    kept = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        if dataclasses.is_dataclass(item):
            if _required_bad(item, limit):
                record.warn(where, "a required text field cannot be stored (too long or not encodable "
                            "text); item dropped", code="bad-value")
                continue
            _clean_object(record, item, where, limit)
        elif isinstance(item, dict):
            for key, v in list(item.items()):
                problem = _problem(v, limit, None)
                if problem:
                    record.warn(f"{where}.{key}", f"{problem}; dropped", code="bad-value")
                    item[key] = ""
        else:
            problem = _problem(item, limit, None)
            if problem:
                record.warn(where, f"{problem}; dropped", code="bad-value")
                continue
        kept.append(item)
    return kept


def _required_bad(item: Any, limit: int) -> bool:
    return any(f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING  # type: ignore[misc]
               and _problem(getattr(item, f.name), limit, None) for f in dataclasses.fields(item))


def _problem(value: Any, limit: int, key: tuple[str, str] | None) -> str | None:
    """Why ``value`` cannot be stored, or None."""
    if isinstance(value, BigNumber):
        return f"a number of {len(value)} digits is not a count"
    if isinstance(value, str):
        try:
            size = len(value.encode("utf-8"))
        except UnicodeEncodeError as exc:
            return f"not encodable text (lone surrogate U+{ord(value[exc.start]):04X} at {exc.start})"
        if size > limit:
            return f"{size} bytes, over the {limit}-byte field limit (TRIALKG_MAX_FIELD_MB)"
        rule = _ID_FIELDS.get(key) if key else None
        if rule and value and not rule[0].fullmatch(value.strip()):
            return f"{_shown(value)} is not {rule[1]}"
    elif isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a number"
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** MAX_INT_DIGITS:
        return f"a number of {len(str(abs(value)))} digits is not a count"
    return None


def _on_globe(geo: Any) -> bool:
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in (geo.lat, geo.lon)) and \
        -90 <= geo.lat <= 90 and -180 <= geo.lon <= 180


def cap_criteria(record: TrialRecord) -> None:
    """At most ``TRIALKG_MAX_CRITERIA`` items go to the criteria stage; the count is warned."""
    elig = record.eligibility
    cap = max_criteria()
    total = len(elig.inclusion) + len(elig.exclusion)
    if total > cap:
        keep_inc = min(len(elig.inclusion), cap)
        elig.inclusion = elig.inclusion[:keep_inc]
        elig.exclusion = elig.exclusion[:cap - keep_inc]
        record.warn("eligibilityCriteria", f"{total} criteria items; the first {cap} are parsed, the rest "
                    "stay in the criteria text only (TRIALKG_MAX_CRITERIA)", code="too-many-items")


_COUNT = re.compile(r"[0-9][0-9,]*", re.ASCII)


def parse_count(text: str | None, record: TrialRecord, field: str) -> int | None:
    """A count written in ASCII digits (thousands commas allowed); anything else is warned."""
    if text is None:
        return None
    digits = text.strip().replace(",", "") if _COUNT.fullmatch(text.strip()) else ""
    if not digits:
        record.warn(field, f"not a count: {_shown(text)}; dropped", code="bad-value")
        return None
    if len(digits) > MAX_INT_DIGITS:
        record.warn(field, f"a number of {len(digits)} digits is not a count; dropped", code="bad-value")
        return None
    return int(digits)


def _shown(value: str, width: int = 40) -> str:
    text = value if len(value) <= width else value[:width] + "..."
    return ascii(text)
