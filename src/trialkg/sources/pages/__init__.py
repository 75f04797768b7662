"""Reader for trial pages saved as text: three layouts, detected, never guessed.

One module per layout, each with ``parse(text, provenance) -> TrialRecord``:

- ``ctgov.py``, ``page-ctgov``: the ClinicalTrials.gov study-page text export ("NCT ID:
  ...", section headings each followed by a one-line explanation; values with or
  without labels).
- ``classic.py``, ``page-classic``: the classic tabular page ("ClinicalTrials.gov
  Identifier: ...", ``Label: | value |`` rows, an arm/intervention table).
- ``aggregator.py``, ``page-aggregator``: a third-party listing that lost its NCT id,
  title and intervention list; it gets a content-derived id.

``detect.py`` tells the layouts apart; a text that matches none is an ``InputError``
("unknown page layout"). ``shared.py`` holds what the layouts share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from trialkg.errors import InputError, TrialKGError
from trialkg.records import Provenance, TrialRecord
from trialkg.sources._common import Result, finish_record, iter_whole_file, sha256_hex
from trialkg.sources.guards import not_utf8, to_utf8
from trialkg.sources.pages import aggregator, classic, ctgov
from trialkg.sources.pages.detect import LAYOUTS, detect_layout
from trialkg.sources.pages.shared import link_single_arm

# The parser of each layout ``detect_layout`` names.
PARSERS: dict[str, Callable[[str, Provenance], TrialRecord]] = {
    "page-ctgov": ctgov.parse,
    "page-classic": classic.parse,
    "page-aggregator": aggregator.parse,
}

__all__ = ["LAYOUTS", "PARSERS", "detect_layout", "iter_records", "parse_page", "read_bytes"]

def iter_records(source: str | Path | IO[bytes], *, name: str | None = None) -> Iterator[Result]:
    """The record of one page file (path or binary stream)."""
    return iter_whole_file(source, name, read_bytes)


def read_bytes(data: bytes, *, file: str, member: str | None = None) -> Iterator[Result]:
    try:
        text = to_utf8(data, file=file).decode("utf-8")
    except UnicodeDecodeError as exc:
        yield InputError(not_utf8(exc), file=file)
        return
    except TrialKGError as exc:
        yield exc
        return
    try:
        yield parse_page(text, file=file, sha256=sha256_hex(data), member=member)
    except TrialKGError as exc:
        yield exc.located(file=file)  # type: ignore[misc]


def parse_page(text: str, *, file: str, sha256: str, member: str | None = None) -> TrialRecord:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    layout = detect_layout(text)
    prov = Provenance(file=file, format=layout, sha256=sha256, layout=layout, member=member)  # type: ignore[arg-type]
    rec = PARSERS[layout](text, prov)
    link_single_arm(rec)
    return finish_record(rec)

