"""What every reader shares: ids, hashes, arm/intervention links.

Kept apart from the readers so that each format module holds only what is particular
to its format, and every format ends a record the same way (``finish_record``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from trialkg.errors import InputError
from trialkg.records import TrialRecord
from trialkg.sources.enums import lookup
from trialkg.sources.guards import clean_record

#: What every reader yields: a record, or the error that stopped one.
Result = TrialRecord | InputError

# ASCII digits only: ``\d`` also matches full-width (NCT０１２...) and Arabic-Indic digits.
NCT_RE = re.compile(r"^NCT[0-9]{8}$", re.ASCII)
NCT_IN_TEXT = re.compile(r"\bNCT[0-9]{8}\b", re.ASCII)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_nct(value: object, *, file: str, record: int | str | None, field: str = "nctId") -> str:
    """The NCT id if it is well formed; a malformed one rejects the record."""
    if not isinstance(value, str) or not value.strip():
        raise InputError("missing NCT id", file=file, record=record, field=field)
    nct = value.strip()
    if not NCT_RE.match(nct):
        raise InputError(f"malformed NCT id {nct!r} (expected NCT followed by 8 digits)",
                         file=file, record=record, field=field)
    return nct


def derived_id(content: str) -> str:
    """``TKG-<12 hex>`` from the whitespace-normalised content: stable across copies."""
    normalised = " ".join(content.split())
    return "TKG-" + hashlib.sha1(normalised.encode("utf-8")).hexdigest()[:12]


def assign(record: TrialRecord, target: str, value: object) -> None:
    """Set the record field ``target`` (``"brief_title"``, ``"design.masking"``,
    ``"eligibility.sex"``) to ``value``; a list field that already holds values is
    extended, so that several registry fields can fill one list (lead sponsor, then
    collaborators). The readers' field tables go through it."""
    *parents, name = target.split(".")
    obj: object = record
    for part in parents:
        obj = getattr(obj, part)
    current = getattr(obj, name)
    if isinstance(current, list) and current and isinstance(value, list):
        current.extend(value)
    else:
        setattr(obj, name, value)


# ---------------------------------------------------------------------------
# Finishing a record
# ---------------------------------------------------------------------------

_TYPE_PREFIX = re.compile(r"^([A-Za-z][A-Za-z /-]{1,30}):\s*(.+)$")


def strip_type_prefix(name: str) -> tuple[str | None, str]:
    """"Drug: Apatinib" -> ("DRUG", "Apatinib"); a name without a known prefix is kept."""
    m = _TYPE_PREFIX.match(name.strip())
    if m:
        kind = lookup("intervention_type", m.group(1))
        if kind:
            return kind, m.group(2).strip()
    return None, name.strip()


def link_arms(record: TrialRecord) -> None:
    """Fill both sides of the arm <-> intervention link from whichever the source gave."""
    by_name = {iv.name.casefold(): iv for iv in record.interventions}
    for arm in record.arms:
        for ref in arm.intervention_names:
            _, name = strip_type_prefix(ref)
            iv = by_name.get(name.casefold()) or by_name.get(ref.casefold())
            if iv is not None and arm.label not in iv.arm_labels:
                iv.arm_labels.append(arm.label)
    arms = {a.label.casefold(): a for a in record.arms}
    for iv in record.interventions:
        for label in iv.arm_labels:
            arm = arms.get(label.casefold())
            if arm is None:
                continue
            names = {strip_type_prefix(r)[1].casefold() for r in arm.intervention_names}
            if iv.name.casefold() not in names:
                arm.intervention_names.append(iv.name)


def finish_record(record: TrialRecord) -> TrialRecord:
    """What every reader does last: field guards, arm links, impossible counts, id
    warnings. The criteria text stays whole: the build cuts it into items
    (``trialkg.pipeline.split_items``)."""
    clean_record(record)
    link_arms(record)
    if record.enrollment is not None and record.enrollment < 0:
        record.warn("enrollment", f"negative enrollment {record.enrollment} is impossible; dropped",
                    code="bad-value")
        record.enrollment = None
    if record.nct_id is None and not any(w.field == "nctId" for w in record.warnings):
        record.warn("nctId", f"no NCT id in the source; derived id {record.id} used",
                    code="derived-id")
    if record.title is None:
        record.warn("briefTitle", "no title in the source", code="missing-title")
    return record


def iter_whole_file(
    source: str | Path | IO[bytes],
    name: str | None,
    read_bytes: Callable[..., Iterator[TrialRecord | InputError]],
) -> Iterator[TrialRecord | InputError]:
    """Read one whole-file source (a path or a binary stream) and hand its bytes on.

    The XML and page readers hold one record per file, so they share this opening step;
    a file that cannot be opened is reported as an ``InputError``, never raised.
    """
    if isinstance(source, (str, Path)):
        file = name or str(source)
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            yield InputError(f"cannot open: {exc.strerror or exc}", file=file)
            return
    else:
        file = name or getattr(source, "name", "<stream>")
        data = source.read()
    yield from read_bytes(data, file=file)
