"""Read trial records from files, directories, zips and stdin, whatever the format.

``iter_records(paths)`` yields one ``TrialRecord`` per trial, or an ``InputError`` for a
file or record that cannot be read, so callers report it and go on. The format of each
file is decided by its content (``<`` XML, ``{``/``[`` JSON, else a text page), the
extension only chooses which files of a directory are considered.

Zip archives (the API v2 bulk download holds ~500,000 JSON files) are read member by
member, never all at once; each member is guarded by a size limit against zip bombs:
the declared size and the bytes actually streamed must both stay under it.
"""

from __future__ import annotations

import io
import lzma
import re
import sys
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from trialkg.errors import InputError, UnsafeInputError
from trialkg.sources import ctgov_json, ctgov_xml, pages
from trialkg.sources._common import Result
from trialkg.sources.guards import detect_encoding, env_limit, to_utf8


@dataclass(frozen=True)
class RawMember:
    """A zip member read but not parsed yet: the build parses it in a worker process, so
    the reading process only unzips (``iter_records(..., defer=True)``)."""

    data: bytes
    file: str
    member: str

    def records(self) -> list[Result]:
        return list(read_bytes(self.data, file=self.file, member=self.member))

#: Members larger than this (declared or streamed) are refused; set TRIALKG_MAX_MEMBER_MB.
DEFAULT_MAX_MEMBER_BYTES = 64 * 1024 * 1024
#: With ``defer``, members up to this size go to the workers unparsed; bigger ones are
#: parsed here, where their bytes are dropped at once (a record is far smaller than the
#: padding or text that made the member big), instead of being copied to a worker.
DEFER_MAX_BYTES = 4 * 1024 * 1024
#: Extensions read from directories and zips (other files such as README.md are skipped).
RECORD_EXTENSIONS = (".json", ".jsonl", ".ndjson", ".xml", ".txt")

__all__ = ["iter_records", "read_path", "read_bytes", "sniff", "RawMember", "DEFAULT_MAX_MEMBER_BYTES"]


def max_member_bytes() -> int:
    """The member limit; ``TRIALKG_MAX_MEMBER_MB=inf`` or ``=-1`` is a usage error."""
    return env_limit("TRIALKG_MAX_MEMBER_MB", DEFAULT_MAX_MEMBER_BYTES)


def iter_records(paths: Iterable[str | Path], *, max_member: int | None = None,
                 defer: bool = False) -> Iterator[Result | RawMember]:
    """Every record of every source, in order; ``-`` reads stdin. With ``defer``, zip
    members come as ``RawMember`` (checked against the size limit, not parsed)."""
    limit = max_member or max_member_bytes()
    for p in paths:
        yield from read_path(p, max_member=limit, defer=defer)


def read_path(path: str | Path, *, max_member: int | None = None, defer: bool = False) -> Iterator[Result | RawMember]:
    """Records of one source: a file, a directory (recursively), a zip, or ``-``."""
    limit = max_member or max_member_bytes()
    name = str(path)
    if name == "-":
        yield from _read_stream(sys.stdin.buffer, file="<stdin>")
        return
    p = Path(path)
    if p.is_dir():
        for child in sorted(p.rglob("*")):
            if child.name.startswith("."):
                continue
            if child.is_symlink() and child.is_dir():  # never followed: a link may loop
                yield InputError("directory symlink not followed: give its target as a source",
                                 file=str(child))
            elif child.is_file() and (child.suffix.lower() in RECORD_EXTENSIONS or child.suffix.lower() == ".zip"):
                yield from read_path(child, max_member=limit, defer=defer)
        return
    if not p.exists():
        yield InputError("no such file or directory", file=name)
        return
    if zipfile.is_zipfile(p):
        yield from _read_zip(p, file=name, limit=limit, defer=defer)
        return
    try:
        fh = open(p, "rb")
    except OSError as exc:
        yield InputError(f"cannot open: {exc.strerror or exc}", file=name)
        return
    with fh:
        yield from _read_stream(fh, file=name)


def _read_stream(fh: IO[bytes], *, file: str, member: str | None = None) -> Iterator[Result]:
    """Sniff the first bytes; JSON is streamed (JSON lines), XML and pages read whole."""
    buffered = fh if isinstance(fh, io.BufferedReader) else io.BufferedReader(_RawAdapter(fh))
    if detect_encoding(buffered.peek(4)[:4]) != "utf-8":  # UTF-16/32: transcoded whole, then read
        yield from read_bytes(buffered.read(), file=file, member=member)
        return
    head = buffered.peek(512)[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    kind = sniff(head)
    if kind == "json":
        yield from ctgov_json.read_stream(buffered, file=file, member=member)
    else:
        yield from read_bytes(buffered.read(), file=file, member=member, kind=kind)


class _RawAdapter(io.RawIOBase):
    """Wrap any binary stream (stdin, zip member) so it can be peeked."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        data = self._fh.read(len(b))
        b[: len(data)] = data
        return len(data)


def sniff(head: bytes) -> str:
    """``json``, ``xml`` or ``page`` from the first non-blank bytes."""
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    if head[:1] == b"<":
        return "xml"
    return "page"


def read_bytes(data: bytes, *, file: str, member: str | None = None, kind: str | None = None) -> Iterator[Result]:
    """Records of bytes already in memory (one file or one zip member)."""
    try:
        data = to_utf8(data, file=file)
    except InputError as exc:
        yield exc
        return
    kind = kind or sniff(data[:512])
    if not data.strip():
        yield InputError("empty file", file=file)
    elif kind == "json":
        yield from ctgov_json.read_bytes(data, file=file, member=member)
    elif kind == "xml":
        yield from ctgov_xml.read_bytes(data, file=file, member=member)
    else:
        yield from pages.read_bytes(data, file=file, member=member)


def _read_zip(path: Path, *, file: str, limit: int, defer: bool = False) -> Iterator[Result | RawMember]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield InputError(f"not a readable zip: {exc}", file=file)
        return
    with zf:
        for info in zf.infolist():  # the central directory only: members are read one by one
            where = f"{file}!{info.filename}"
            refusal = _member_refusal(info)
            if refusal:
                yield refusal.located(file=where)
                continue
            parts = re.split(r"[\\/]", info.filename)
            if info.is_dir() or parts[-1].startswith(".") or \
                    Path(parts[-1]).suffix.lower() not in RECORD_EXTENSIONS:
                continue
            if info.file_size > limit:
                yield UnsafeInputError(f"zip member declares {info.file_size} bytes, over the "
                                       f"{limit}-byte limit (set TRIALKG_MAX_MEMBER_MB)", file=where)
                continue
            try:
                with zf.open(info) as fh:
                    data = fh.read(limit + 1)
            except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError, NotImplementedError,
                    RuntimeError, ValueError) as exc:  # a corrupt member (bad CRC or compressed data)
                yield InputError(f"cannot read zip member: {exc}", file=where)
                continue
            if len(data) > limit or len(data) != info.file_size:
                yield UnsafeInputError(f"zip member streams {len(data)} bytes but declares "
                                       f"{info.file_size} (limit {limit}): refused", file=where)
                continue
            if defer and len(data) <= DEFER_MAX_BYTES:
                yield RawMember(data, where, info.filename)
            else:
                records = list(read_bytes(data, file=where, member=info.filename))
                del data
                yield from records


def _member_refusal(info: zipfile.ZipInfo) -> InputError | None:
    """Members that are reported instead of read: names that climb out of the archive
    (``../x.json``, ``..\\..\\x.json``, ``/etc/x.json``) and zips inside the zip."""
    parts = re.split(r"[\\/]", info.filename)
    if ".." in parts or info.filename.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", info.filename):
        return UnsafeInputError("member name climbs out of the archive ('..' or an absolute path): refused")
    if parts[-1].lower().endswith(".zip"):
        return InputError("zip inside a zip not read: extract it and build the inner archive")
    return None
