"""trialkg's exceptions: every error a user can cause is one of these.

Each carries where it happened (file, record index or id, field) so the CLI can print
one clear line: ``trialkg: error: FILE [record N, ID] field: message``.
"""

from __future__ import annotations

import re

# Control, format and line/paragraph separator characters: a file or zip member named
# "e\n\x1b[2J..." must not start a new output line or drive the terminal.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """``text`` with every control or invisible formatting character escaped (``\\n``,
    ``\\x1b``, ``\\u202e``): safe to print as one line on a terminal."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in "\n\r\t":
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"



class TrialKGError(Exception):
    """Base class: anything trialkg reports to the user as one line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: int | str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.record = record
        self.field = field

    def located(self, *, file: str | None = None, record: int | str | None = None) -> TrialKGError:
        """Fill in the location when a caller higher up knows it."""
        if self.file is None:
            self.file = file
        if self.record is None:
            self.record = record
        return self

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.record is not None and self.record != "":
            where.append(f"[record {self.record}]")
        prefix = " ".join(where)
        field = f"{self.field}: " if self.field else ""
        return printable(f"{prefix}: {field}{self.message}" if prefix else f"{field}{self.message}")


class InputError(TrialKGError):
    """A source file or record that cannot be read (bad JSON, XML, layout, field)."""


class UnsafeInputError(InputError):
    """Input refused for safety: XML entities or DOCTYPE, zip bombs, oversize members."""


class UsageError(TrialKGError):
    """Bad command-line usage: unknown query parameter, missing value, bad option."""


class StoreError(TrialKGError):
    """The embedded store cannot be opened or written."""


class QueryError(TrialKGError):
    """A stored query is malformed, or a query failed locally or remotely."""


class RemoteError(TrialKGError):
    """A remote SPARQL endpoint or HTTP server refused or failed."""


class PatientError(InputError):
    """A patient file with unknown keys, wrong types or impossible values."""
