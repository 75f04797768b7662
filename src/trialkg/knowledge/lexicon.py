"""The drug lexicon: curated drugs, synonyms, classes, proteins and families.

Everything the knowledge stage knows comes from the TSV tables in
``ontology/reference/`` (shipped in the wheel, read with ``importlib.resources``), so
curation happens in reviewable tables with a source per row, never in code.
``Lexicon.default()`` loads them once per process.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources.abc import Traversable

from trialkg.errors import InputError
from trialkg.resources import ontology_file

ID_KEYS = ("chembl", "drugbank", "ncit", "unii", "pubchem")

# Synonym kinds, as written in synonyms.tsv; the normaliser reports them as methods.
SYNONYM_KINDS = ("generic", "inn", "synonym", "brand", "code", "salt", "transliteration",
                 "abbreviation", "misspelling")


@dataclass(frozen=True)
class TargetInfo:
    """A protein target; ``action``/``sources`` are filled when seen from a drug."""

    symbol: str
    uniprot: str
    family: str | None = None
    action: str | None = None
    sources: tuple[str, ...] = ()
    name: str | None = None
    ncbi_gene: str | None = None
    hgnc_id: str | None = None
    aliases: tuple[str, ...] = ()
    evidence: str | None = None


@dataclass(frozen=True)
class ClassInfo:
    key: str
    label: str
    parents: tuple[str, ...] = ()
    antibody_terms: tuple[str, ...] = ()
    inhibitor_terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    definition: str | None = None


@dataclass(frozen=True)
class FamilyInfo:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # HGNC symbols


@dataclass(frozen=True)
class DrugInfo:
    name: str  # generic name, lower case
    kind: str = "small-molecule"  # small-molecule | antibody | protein | adc | gene-therapy
    synonyms: tuple[str, ...] = ()
    ids: dict[str, str] = field(default_factory=dict)
    classes: tuple[str, ...] = ()
    targets: tuple[TargetInfo, ...] = ()
    code_names: tuple[str, ...] = ()
    salt_forms: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    note: str | None = None

    def __hash__(self) -> int:
        return hash(self.name)


@dataclass(frozen=True)
class SynonymEntry:
    """One way of writing a drug's name: the text, its kind and the drug it means."""

    drug: str
    text: str
    kind: str


def name_key(text: str) -> str:
    """Fold a name for exact look-up: case, accents, spacing, hyphens, ® and ™."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("®", " ").replace("™", " ").replace("©", " ")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _split(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(v.strip() for v in value.split("|") if v.strip())


def _read_tsv(source: Traversable, name: str) -> list[dict[str, str]]:
    path = source.joinpath(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("reference table missing", file=str(path)) from exc
    reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = []
    for n, row in enumerate(reader, start=2):
        if None in row:
            raise InputError("too many columns", file=name, record=n)
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


class Lexicon:
    """Look-ups over the curated reference tables (drugs, classes, proteins, families)."""

    def __init__(self, source: Traversable) -> None:
        self.source = source
        self.families: dict[str, FamilyInfo] = {}
        self.proteins: dict[str, TargetInfo] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.drugs: dict[str, DrugInfo] = {}
        self.synonyms: dict[str, list[SynonymEntry]] = {}  # name_key -> entries
        self.regimens: dict[str, tuple[str, ...]] = {}
        self.interactions: list[tuple[str, TargetInfo]] = []
        self._load()

    # -- construction -------------------------------------------------------------

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> Lexicon:
        """The lexicon shipped with trialkg (loaded once per process)."""
        return cls(ontology_file("reference"))

    def _load(self) -> None:
        src = self.source
        fam_members: dict[str, list[str]] = {}
        for row in _read_tsv(src, "proteins.tsv"):
            fam = row["family"] or None
            self.proteins[row["symbol"]] = TargetInfo(
                symbol=row["symbol"], uniprot=row["uniprot"], family=fam, name=row["name"] or None,
                ncbi_gene=row["ncbi_gene"] or None, hgnc_id=row["hgnc_id"] or None,
                aliases=_split(row["aliases"]),
            )
            if fam:
                fam_members.setdefault(fam, []).append(row["symbol"])
        for row in _read_tsv(src, "families.tsv"):
            key = row["key"]
            self.families[key] = FamilyInfo(key, row["label"], _split(row["aliases"]),
                                             tuple(fam_members.get(key, ())))
        for row in _read_tsv(src, "classes.tsv"):
            self.classes[row["key"]] = ClassInfo(
                key=row["key"], label=row["label"], parents=_split(row["parents"]),
                antibody_terms=_split(row["antibody_terms"]),
                inhibitor_terms=_split(row["inhibitor_terms"]),
                phrases=_split(row["phrases"]), definition=row["definition"] or None,
            )
        for key, cls_ in self.classes.items():
            for parent in cls_.parents:
                if parent not in self.classes:
                    raise InputError(f"class {key!r} has unknown parent {parent!r}", file="classes.tsv")

        targets: dict[str, list[TargetInfo]] = {}
        for n, row in enumerate(_read_tsv(src, "drug_targets.tsv"), start=2):
            prot = self.proteins.get(row["target"])
            if prot is None:
                raise InputError(f"unknown target {row['target']!r}", file="drug_targets.tsv",
                                 record=n, field="target")
            sources = _split(row["sources"])
            if not sources:
                raise InputError("drug-target edge without a source", file="drug_targets.tsv",
                                 record=n, field="sources")
            t = TargetInfo(
                symbol=prot.symbol, uniprot=prot.uniprot, family=prot.family, action=row["action"],
                sources=sources, name=prot.name, ncbi_gene=prot.ncbi_gene, hgnc_id=prot.hgnc_id,
                aliases=prot.aliases, evidence=row["evidence"] or None,
            )
            targets.setdefault(row["drug"], []).append(t)
            self.interactions.append((row["drug"], t))

        syn_rows: dict[str, list[tuple[str, str]]] = {}
        for row in _read_tsv(src, "synonyms.tsv"):
            syn_rows.setdefault(row["drug"], []).append((row["synonym"], row["kind"]))

        for n, row in enumerate(_read_tsv(src, "drugs.tsv"), start=2):
            name = row["name"].lower()
            classes = _split(row["classes"])
            for c in classes:
                if c not in self.classes:
                    raise InputError(f"drug {name!r} has unknown class {c!r}", file="drugs.tsv",
                                     record=n, field="classes")
            syns = syn_rows.pop(name, [])
            ids = {k: row[k] for k in ID_KEYS if row.get(k)}
            self.drugs[name] = DrugInfo(
                name=name, kind=row["kind"] or "small-molecule",
                synonyms=tuple(s for s, _ in syns),
                ids=ids, classes=classes, targets=tuple(targets.pop(name, ())),
                code_names=tuple(s for s, k in syns if k == "code"),
                salt_forms=tuple(s for s, k in syns if k == "salt"),
                brands=tuple(s for s, k in syns if k == "brand"),
                note=row["note"] or None,
            )
            self._index(SynonymEntry(name, name, "generic"))
            for s, k in syns:
                self._index(SynonymEntry(name, s, k or "synonym"))
        if syn_rows:
            raise InputError(f"synonyms for unknown drugs: {sorted(syn_rows)}", file="synonyms.tsv")
        if targets:
            raise InputError(f"targets for unknown drugs: {sorted(targets)}", file="drug_targets.tsv")

        for row in _read_tsv(src, "regimens.tsv"):
            drugs = _split(row["drugs"])
            for d in drugs:
                if d not in self.drugs:
                    raise InputError(f"regimen {row['regimen']!r} names unknown drug {d!r}",
                                     file="regimens.tsv")
            self.regimens[name_key(row["regimen"])] = drugs

    def _index(self, entry: SynonymEntry) -> None:
        key = name_key(entry.text)
        if not key:
            return
        bucket = self.synonyms.setdefault(key, [])
        if all(e.drug != entry.drug for e in bucket):
            bucket.append(entry)

    # -- look-ups -----------------------------------------------------------------

    def lookup(self, text: str) -> list[SynonymEntry]:
        """Exact (folded) look-up of any written form: generic, synonym, code, brand, salt."""
        return list(self.synonyms.get(name_key(text), ()))

    def drug(self, name: str) -> DrugInfo | None:
        """A drug by generic name, or by any synonym when that names one drug only."""
        info = self.drugs.get(name.lower().strip())
        if info is not None:
            return info
        entries = self.lookup(name)
        if len({e.drug for e in entries}) == 1:
            return self.drugs[entries[0].drug]
        return None

    def drug_class(self, key: str) -> ClassInfo | None:
        return self.classes.get(key)

    def class_ancestors(self, key: str) -> set[str]:
        """The class and every class above it (empty when the key is unknown)."""
        if key not in self.classes:
            return set()
        seen: set[str] = set()
        stack = [key]
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            stack.extend(self.classes[k].parents)
        return seen

    def drug_classes(self, drug_name: str) -> set[str]:
        """Every class of a drug, ancestors included ('anlotinib' -> vegfr-tki, anti-angiogenic ...)."""
        info = self.drug(drug_name)
        if info is None:
            return set()
        out: set[str] = set()
        for c in info.classes:
            out |= self.class_ancestors(c)
        return out

    def class_descendants(self, key: str) -> set[str]:
        """The class and every class below it."""
        return {k for k in self.classes if key in self.class_ancestors(k)}

    def drugs_in_class(self, key: str) -> set[str]:
        """Generic names of the drugs in a class or any of its subclasses."""
        return {name for name in self.drugs if key in self.drug_classes(name)}

    def target(self, symbol: str) -> TargetInfo | None:
        """A protein by HGNC symbol or alias (case-insensitive)."""
        if symbol in self.proteins:
            return self.proteins[symbol]
        wanted = symbol.strip().upper()
        for prot in self.proteins.values():
            if prot.symbol.upper() == wanted or wanted in (a.upper() for a in prot.aliases):
                return prot
        return None

    def family(self, key: str) -> FamilyInfo | None:
        """A target family by key ('VEGFR') or alias ('c-Kit')."""
        if key in self.families:
            return self.families[key]
        wanted = key.strip().upper()
        for fam in self.families.values():
            if fam.key.upper() == wanted or wanted in (a.upper() for a in fam.aliases):
                return fam
        return None

    def drugs_targeting(self, symbol_or_family: str) -> set[str]:
        """Drugs with a sourced edge to a protein, or to any member of a family."""
        fam = self.families.get(symbol_or_family.upper())
        symbols = set(fam.members) if fam else {symbol_or_family.upper()}
        return {d for d, t in self.interactions if t.symbol in symbols}

    def all_synonyms(self) -> Iterable[SynonymEntry]:
        for entries in self.synonyms.values():
            yield from entries
