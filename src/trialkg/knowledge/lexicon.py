"""The drug lexicon: curated drugs, synonyms, classes, proteins and families, and the
compiled drug dictionary.

Everything the knowledge stage knows comes from the TSV tables in
``ontology/reference/`` (shipped in the wheel, read with ``importlib.resources``), so
curation happens in reviewable tables with a source per row, never in code.
``Lexicon.default()`` loads them once per process.

Two layers: the curated tables (the drugs, classes, proteins and families the project
curates, with their own sources) and ``reference/compiled/``, the dictionary
``trialkg.tools.build_reference`` compiles from DrugCentral, ChEMBL, the DrugBank open
vocabulary, the FDA UNII names and pharmOncoX (tens of thousands of drugs, their
names and their sourced targets). A name the curated tables know is theirs; any other
name is looked up in the compiled dictionary. A curated drug takes the identifiers its
row lacks from the compiled dictionary, and the compiled edges to targets its curated
edges do not name (a curated edge overrides the compiled ones to the same target).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources.abc import Traversable
from typing import TypeVar

from trialkg.errors import InputError
from trialkg.resources import ontology_file

ID_KEYS = ("chembl", "drugbank", "ncit", "unii", "pubchem")
# Identifiers that link a drug to the outside world (a drug with none is flagged).
LINK_KEYS = ("chembl", "drugbank", "unii")
COMPILED_ID_KEYS = ("chembl", "drugbank", "unii", "cas", "mesh", "pubchem", "drugcentral")

# What a radionuclide of nuclides.tsv is used for: therapy (an emitter that treats),
# imaging (a tracer), label (a research or breath-test label of the molecule itself).
NUCLIDE_USES = ("therapy", "imaging", "label")

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
    kind: str = "protein"  # protein | non-protein (DNA, RNA ...: ``uniprot`` holds the ChEMBL id)
    basis: str = "mechanism"  # mechanism | activity (a measured potency) | class (shared by its class)


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
    sources: tuple[str, ...] = ()  # compiled dictionary sources that know the drug

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def linked(self) -> bool:
        """Whether the drug has a ChEMBL, DrugBank or UNII identifier."""
        return any(self.ids.get(k) for k in LINK_KEYS)


@dataclass(frozen=True)
class Nuclide:
    """A radionuclide drug names carry (``nuclides.tsv``): "Lu" "lutetium" "177" "therapy"."""

    symbol: str
    element: str  # lower case
    mass: str  # mass number, "m" for a metastable state: "177", "99m"
    use: str  # therapy | imaging | label

    @property
    def key(self) -> str:
        return f"{self.symbol.lower()}-{self.mass.lower()}"


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


class SortedTable:
    """A sorted tab-separated text, searched by its first column (binary search).

    Loading is one decompression (no parsing of hundreds of thousands of rows into
    objects); a look-up is about twenty string comparisons.
    """

    def __init__(self, text: str) -> None:
        header_end = text.find("\n") + 1
        self.header = text[:header_end - 1].split("\t")
        self.text = text
        self.start = header_end

    def _first(self, key: str) -> int:
        text, lo, hi = self.text, self.start, len(self.text)
        while lo < hi:
            mid = (lo + hi) // 2
            line = text.rfind("\n", 0, mid) + 1
            if line < lo:
                line = lo
            end = text.find("\n", line)
            end = len(text) if end < 0 else end
            tab = text.find("\t", line, end)
            k = text[line:tab if tab >= 0 else end]
            if k < key:
                lo = end + 1
            else:
                hi = line
        return lo

    def rows(self, key: str) -> list[list[str]]:
        """Every row whose first column is ``key``."""
        out = []
        pos = self._first(key)
        prefix = key + "\t"
        text = self.text
        while pos < len(text) and text.startswith(prefix, pos):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            out.append(text[pos:end].split("\t"))
            pos = end + 1
        return out

    def all_rows(self) -> Iterable[list[str]]:
        for line in self.text[self.start:].splitlines():
            if line:
                yield line.split("\t")


# The shortest brand name read in running text: a shorter one is as often a word or a
# set of initials ("Alli" of orlistat).
_BRAND_MIN = 5


class CompiledDictionary:
    """The drug dictionary compiled from public sources (``reference/compiled/``)."""

    def __init__(self, folder: Traversable) -> None:
        self.folder = folder
        table = self._table
        self.forms: SortedTable | None = None  # loaded when a graph needs a drug's names
        self._slugs: dict[str, str] | None = None
        self.names = table("names.tsv.gz")
        self.drugs = table("drugs.tsv.gz")
        self.edges = table("targets.tsv.gz")
        try:  # drug classes derived from mechanisms and INN stems (tools/build_reference_classes.py)
            self.classes: SortedTable | None = table("classes.tsv.gz")
        except InputError:
            self.classes = None
        self._members: dict[str, set[str]] | None = None
        self.targets: dict[str, list[str]] = {r[0]: r for r in table("proteins.tsv.gz").all_rows()}
        self.by_symbol: dict[str, str] = {}
        for acc, row in sorted(self.targets.items()):
            if row[1]:
                self.by_symbol.setdefault(row[1].upper(), acc)
        self.manifest = json.loads(folder.joinpath("manifest.json").read_text(encoding="utf-8"))
        self.source_info = {s["key"]: s for s in self.manifest.get("sources", [])}

    def _table(self, name: str) -> SortedTable:
        path = self.folder.joinpath(name)
        try:
            raw = path.read_bytes()
        except FileNotFoundError as exc:
            raise InputError("compiled reference table missing", file=str(path)) from exc
        return SortedTable(gzip.decompress(raw).decode("utf-8"))

    def lookup(self, key: str, text: str) -> list[SynonymEntry]:
        """The drugs a folded name means, as entries for the written form ``text``."""
        return [SynonymEntry(drug, text, kind) for _k, drug, kind in self.names.rows(key)]

    def drug_row(self, name: str) -> dict[str, str] | None:
        rows = self.drugs.rows(name)
        return dict(zip(self.drugs.header, rows[0], strict=True)) if rows else None

    def names_of(self, name: str) -> list[tuple[str, str]]:
        """(written form, kind) of one drug."""
        if self.forms is None:
            self.forms = self._table("forms.tsv.gz")
        return [(text, kind) for _d, kind, text in self.forms.rows(name)]

    def all_forms(self) -> Iterable[list[str]]:
        """Every (drug, kind, written form) row."""
        if self.forms is None:
            self.forms = self._table("forms.tsv.gz")
        return self.forms.all_rows()

    def name_for_slug(self, slug_text: str) -> str | None:
        """The dictionary name whose IRI slug is ``slug_text`` (an index built on first use)."""
        if self._slugs is None:
            from trialkg.iris import slug

            self._slugs = {slug(r[0]): r[0] for r in self.drugs.all_rows()}
        return self._slugs.get(slug_text)

    def target_info(self, acc: str, **edge: str) -> TargetInfo | None:
        row = self.targets.get(acc)
        if row is None:
            return None
        _acc, symbol, name, ttype = row
        return TargetInfo(symbol=symbol, uniprot=acc, name=name or None,
                          kind="protein" if ttype == "protein" else "non-protein", **edge)

    def classes_of(self, name: str) -> tuple[str, ...]:
        """The class keys the build derived for a drug (each once, in table order)."""
        if self.classes is None:
            return ()
        return tuple(dict.fromkeys(row[1] for row in self.classes.rows(name)))

    def class_evidence(self, name: str) -> list[tuple[str, str, str]]:
        """(class, basis, evidence) rows of a drug: why the build gave it each class."""
        return [(r[1], r[2], r[3]) for r in self.classes.rows(name)] if self.classes is not None else []

    def members(self, key: str) -> set[str]:
        """The drugs the build put in class ``key`` (an index built on first use)."""
        if self._members is None:
            self._members = {}
            for row in self.classes.all_rows() if self.classes is not None else ():
                self._members.setdefault(row[1], set()).add(row[0])
        return self._members.get(key, set())

    def targets_of(self, name: str) -> tuple[TargetInfo, ...]:
        out = []
        for _d, acc, action, source, reference, basis in self.edges.rows(name):
            t = self.target_info(acc, action=action, sources=(source,), evidence=reference or None,
                                 basis=basis)
            if t is not None:
                out.append(t)
        return tuple(out)


_Named = TypeVar("_Named", TargetInfo, FamilyInfo)


def _by_name(table: dict[str, _Named], name: str) -> _Named | None:
    """The entry keyed ``name``, else the one whose key or an alias is ``name`` in any case."""
    if name in table:
        return table[name]
    wanted = name.strip().upper()
    for key, entry in table.items():
        if key.upper() == wanted or wanted in (a.upper() for a in entry.aliases):
            return entry
    return None


def _not_covered(compiled: tuple[TargetInfo, ...], curated: tuple[TargetInfo, ...]) -> tuple[TargetInfo, ...]:
    """The compiled edges to targets the curated edges do not name (curated edges override)."""
    have = {t.uniprot for t in curated}
    return tuple(t for t in compiled if t.uniprot not in have)


class Lexicon:
    """Look-ups over the curated reference tables (drugs, classes, proteins, families)
    and, behind them, the compiled drug dictionary."""

    def __init__(self, source: Traversable) -> None:
        self.source = source
        self.families: dict[str, FamilyInfo] = {}
        self.proteins: dict[str, TargetInfo] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.drugs: dict[str, DrugInfo] = {}
        self.synonyms: dict[str, list[SynonymEntry]] = {}  # name_key -> entries
        self.regimens: dict[str, tuple[str, ...]] = {}
        self.regimen_names: dict[str, tuple[str, ...]] = {}  # as the table writes them
        self._prose_drug_list: list[str] | None = None
        # glucocorticoid -> (low, high) mg equal to 5 mg prednisone
        self.glucocorticoid_doses: dict[str, tuple[float, float]] = {}
        self.interactions: list[tuple[str, TargetInfo]] = []
        self._compiled: CompiledDictionary | None | bool = False  # False: not loaded yet
        self._compiled_drugs: dict[str, DrugInfo | None] = {}
        self._class_filled: dict[str, DrugInfo] = {}
        self._load()

    @property
    def compiled(self) -> CompiledDictionary | None:
        """The compiled dictionary next to the curated tables (None when there is none)."""
        if self._compiled is False:
            folder = self.source.joinpath("compiled")
            self._compiled = CompiledDictionary(folder) if folder.joinpath("manifest.json").is_file() else None
            for d, regimen in sorted(self._regimen_drugs.items()):
                if self._compiled is None or self._compiled.drug_row(d) is None:
                    raise InputError(f"regimen {regimen!r} names unknown drug {d!r}", file="regimens.tsv")
        return self._compiled  # type: ignore[return-value]

    # -- construction -------------------------------------------------------------

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> Lexicon:
        """The lexicon shipped with trialkg (loaded once per process)."""
        return cls(ontology_file("reference"))

    def _load(self) -> None:
        """The curated tables, each checked against those it names (a class's parents,
        a drug's classes, an edge's target and drug, a synonym's drug)."""
        self._load_proteins()
        self._load_classes()
        targets = self._load_targets()
        self._load_drugs(targets)
        self._load_regimens()
        self._load_glucocorticoid_doses()
        self._load_nuclides()

    def _load_proteins(self) -> None:
        fam_members: dict[str, list[str]] = {}
        for row in _read_tsv(self.source, "proteins.tsv"):
            fam = row["family"] or None
            self.proteins[row["symbol"]] = TargetInfo(
                symbol=row["symbol"], uniprot=row["uniprot"], family=fam, name=row["name"] or None,
                ncbi_gene=row["ncbi_gene"] or None, hgnc_id=row["hgnc_id"] or None,
                aliases=_split(row["aliases"]),
            )
            if fam:
                fam_members.setdefault(fam, []).append(row["symbol"])
        for row in _read_tsv(self.source, "families.tsv"):
            key = row["key"]
            self.families[key] = FamilyInfo(key, row["label"], _split(row["aliases"]),
                                             tuple(fam_members.get(key, ())))

    def _load_classes(self) -> None:
        for row in _read_tsv(self.source, "classes.tsv"):
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

    def _load_targets(self) -> dict[str, list[TargetInfo]]:
        """The curated drug-target edges, by drug name (each with its sources)."""
        targets: dict[str, list[TargetInfo]] = {}
        for n, row in enumerate(_read_tsv(self.source, "drug_targets.tsv"), start=2):
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
        return targets

    def _load_drugs(self, targets: dict[str, list[TargetInfo]]) -> None:
        """The curated drugs with their synonyms and ``targets``; an edge or a synonym
        left over names a drug the table does not have."""
        syn_rows: dict[str, list[tuple[str, str]]] = {}
        for row in _read_tsv(self.source, "synonyms.tsv"):
            syn_rows.setdefault(row["drug"], []).append((row["synonym"], row["kind"]))
        for n, row in enumerate(_read_tsv(self.source, "drugs.tsv"), start=2):
            name = row["name"].lower()
            classes = _split(row["classes"])
            for c in classes:
                if c not in self.classes:
                    raise InputError(f"drug {name!r} has unknown class {c!r}", file="drugs.tsv",
                                     record=n, field="classes")
            syns = syn_rows.pop(name, [])
            self.drugs[name] = DrugInfo(
                name=name, kind=row["kind"] or "small-molecule",
                synonyms=tuple(s for s, _ in syns),
                ids={k: row[k] for k in ID_KEYS if row.get(k)}, classes=classes,
                targets=tuple(targets.pop(name, ())),
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

    def _load_regimens(self) -> None:
        self._regimen_drugs: dict[str, str] = {}  # drugs only the compiled dictionary knows
        for row in _read_tsv(self.source, "regimens.tsv"):
            drugs = _split(row["drugs"])
            for d in drugs:
                if d not in self.drugs:
                    self._regimen_drugs[d] = row["regimen"]
            self.regimens[name_key(row["regimen"])] = drugs
            self.regimen_names[row["regimen"]] = drugs

    def _load_glucocorticoid_doses(self) -> None:
        for n, row in enumerate(_read_tsv(self.source, "glucocorticoid_doses.tsv"), start=2):
            try:
                low, high = float(row["mg_low"]), float(row["mg_high"])
            except ValueError as exc:
                raise InputError("dose is not a number", file="glucocorticoid_doses.tsv", record=n) from exc
            if not 0 < low <= high:
                raise InputError("needs 0 < mg_low <= mg_high", file="glucocorticoid_doses.tsv", record=n)
            self.glucocorticoid_doses[row["drug"]] = (low, high)

    def _load_nuclides(self) -> None:
        out = []
        for n, row in enumerate(_read_tsv(self.source, "nuclides.tsv"), start=2):
            if row["use"] not in NUCLIDE_USES or not re.fullmatch(r"\d{1,3}m?", row["mass"]) or not row["symbol"]:
                raise InputError(f"needs a symbol, a mass number and a use of {'|'.join(NUCLIDE_USES)}",
                                 file="nuclides.tsv", record=n)
            out.append(Nuclide(row["symbol"], row["element"].lower(), row["mass"], row["use"]))
        self.nuclides: tuple[Nuclide, ...] = tuple(out)

    def systemic_glucocorticoid(self, drug: str) -> str | None:
        """The drug of the equivalence table ``drug`` is, or is an ester or salt of
        ("methylprednisolone succinate" -> methylprednisolone); None for any other drug,
        such as the inhaled and skin glucocorticoids (fluticasone, budesonide)."""
        if drug in self.glucocorticoid_doses:
            return drug
        first = drug.split()[0] if drug.strip() else drug
        return first if first in self.glucocorticoid_doses else None

    def prednisone_equivalent(self, drug: str, mg: float) -> tuple[float, float] | None:
        """The daily dose of prednisone ``mg`` of the glucocorticoid ``drug`` equals, as
        (low, high): tables that disagree give a range (betamethasone 0.6-0.75 mg per 5 mg
        prednisone). None for a drug the table does not hold."""
        key = self.systemic_glucocorticoid(drug)
        if key is None:
            return None
        low, high = self.glucocorticoid_doses[key]
        return mg * 5.0 / high, mg * 5.0 / low

    def _index(self, entry: SynonymEntry) -> None:
        key = name_key(entry.text)
        if not key:
            return
        bucket = self.synonyms.setdefault(key, [])
        if all(e.drug != entry.drug for e in bucket):
            bucket.append(entry)

    # -- look-ups -----------------------------------------------------------------

    def lookup(self, text: str) -> list[SynonymEntry]:
        """Exact (folded) look-up of any written form: generic, synonym, code, brand, salt.

        The curated tables answer first; the compiled dictionary answers for names they
        do not know. Where a compiled name means several drugs and is the preferred name
        of exactly one, that one is meant ("interferon alfa-2a" the drug, not a brand).
        """
        key = name_key(text)
        curated = self.synonyms.get(key)
        if curated:
            return list(curated)
        compiled = self.compiled
        if compiled is None or not key:
            return []
        entries = compiled.lookup(key, text.strip())
        if len({e.drug for e in entries}) > 1:
            generic = [e for e in entries if e.kind == "generic"]
            if len(generic) == 1:
                return generic
        return entries

    def drug(self, name: str) -> DrugInfo | None:
        """A drug by generic name, or by any synonym when that names one drug only."""
        key = name.lower().strip()
        info = self.drugs.get(key)
        if info is not None:
            return self._with_class_targets(self._with_compiled(info))
        found = self.compiled_drug(key)
        if found is not None:
            return found
        entries = self.lookup(name)
        if len({e.drug for e in entries}) == 1:
            d = entries[0].drug
            if d in self.drugs:
                return self._with_class_targets(self._with_compiled(self.drugs[d]))
            return self.compiled_drug(d)
        return None

    def _with_class_targets(self, info: DrugInfo) -> DrugInfo:
        """A curated drug no source gives a target takes the targets that every other
        member of one of its classes with a sourced target shares (basis ``class``):
        pirarubicin -> TOP2A as doxorubicin, epirubicin and amrubicin. A broad class
        (chemotherapy) shares no target and gives none."""
        if info.targets:
            return info
        if info.name in self._class_filled:
            return self._class_filled[info.name]
        filled = info
        for c in info.classes:
            members = sorted(n for n, d in self.drugs.items() if c in d.classes and n != info.name)
            sourced = {m: self._with_compiled(self.drugs[m]).targets for m in members}
            sourced = {m: t for m, t in sourced.items() if t}
            if len(sourced) < 2:
                continue
            shared = set.intersection(*({t.uniprot for t in ts} for ts in sourced.values()))
            if not shared:
                continue
            first = next(iter(sourced.values()))
            targets = tuple(
                TargetInfo(symbol=t.symbol, uniprot=t.uniprot, family=t.family, action=t.action,
                           sources=(f"class:{c}",), name=t.name, ncbi_gene=t.ncbi_gene, hgnc_id=t.hgnc_id,
                           aliases=t.aliases, kind=t.kind, basis="class",
                           evidence=f"shared by every {c} with a sourced target: {', '.join(sourced)}")
                for t in first if t.uniprot in shared)
            filled = DrugInfo(name=info.name, kind=info.kind, synonyms=info.synonyms, ids=info.ids,
                              classes=info.classes, targets=targets, code_names=info.code_names,
                              salt_forms=info.salt_forms, brands=info.brands, note=info.note,
                              sources=info.sources)
            break
        self._class_filled[info.name] = filled
        return filled

    def compiled_drug(self, name: str) -> DrugInfo | None:
        """A drug of the compiled dictionary by its dictionary name (None when unknown)."""
        if name in self._compiled_drugs:
            return self._compiled_drugs[name]
        compiled = self.compiled
        row = compiled.drug_row(name) if compiled is not None else None
        info = None
        if row is not None:
            info = DrugInfo(
                name=name, kind=row["kind"] or "", ids={k: row[k] for k in COMPILED_ID_KEYS if row.get(k)},
                targets=compiled.targets_of(name), sources=tuple(_split(row["sources"])),  # type: ignore[union-attr]
                classes=tuple(c for c in compiled.classes_of(name) if c in self.classes),  # type: ignore[union-attr]
            )
        self._compiled_drugs[name] = info
        return info

    def _with_compiled(self, info: DrugInfo) -> DrugInfo:
        """A curated drug with the identifiers (and, when it has none, targets) the
        compiled dictionary adds."""
        if info.name in self._compiled_drugs:
            return self._compiled_drugs[info.name] or info
        extra = self.compiled_drug(info.name)
        merged = info
        if extra is not None:
            ids = {**extra.ids, **info.ids}
            merged = DrugInfo(  # the curated classes are the drug's; derived ones only for a drug without
                name=info.name, kind=info.kind, synonyms=info.synonyms, ids=ids, classes=info.classes or extra.classes,
                targets=info.targets + _not_covered(extra.targets, info.targets), code_names=info.code_names,
                salt_forms=info.salt_forms, brands=info.brands, note=info.note,
                sources=("curated",) + extra.sources,
            )
        self._compiled_drugs[info.name] = merged
        return merged

    def compiled_targeted_drugs(self) -> list[str]:
        """The names of the compiled drugs with at least one target edge."""
        compiled = self.compiled
        if compiled is None:
            return []
        return sorted({row[0] for row in compiled.edges.all_rows()})

    def names_of(self, drug: str) -> list[tuple[str, str]]:
        """Every written form of a drug with its kind (curated and compiled)."""
        out: dict[str, tuple[str, str]] = {}
        compiled = self.compiled
        if compiled is not None:
            for text, kind in compiled.names_of(drug):
                out.setdefault(name_key(text), (text, kind))
        info = self.drugs.get(drug)
        if info is not None:
            for e in self.all_synonyms():
                if e.drug == drug:
                    out[name_key(e.text)] = (e.text, e.kind)
        return sorted(out.values())

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
        """Generic names of the drugs in a class or any of its subclasses: the curated
        drugs, and the compiled ones the build put in one (curated classes win)."""
        out = {name for name in self.drugs if key in self.drug_classes(name)}
        compiled = self.compiled
        if compiled is not None:
            for sub in self.class_descendants(key):
                out |= {d for d in compiled.members(sub) if d not in self.drugs}
        return out

    def target(self, symbol: str) -> TargetInfo | None:
        """A protein by HGNC symbol or alias (case-insensitive)."""
        return _by_name(self.proteins, symbol)

    def family(self, key: str) -> FamilyInfo | None:
        """A target family by key ('VEGFR') or alias ('c-Kit')."""
        return _by_name(self.families, key)

    def drugs_targeting(self, symbol_or_family: str) -> set[str]:
        """Drugs with a sourced edge to a protein, or to any member of a family."""
        fam = self.families.get(symbol_or_family.upper())
        symbols = set(fam.members) if fam else {symbol_or_family.upper()}
        return {d for d, t in self.interactions if t.symbol in symbols}

    def all_synonyms(self) -> Iterable[SynonymEntry]:
        for entries in self.synonyms.values():
            yield from entries

    def _prose_drugs(self) -> list[str]:
        """The compiled drugs whose names are read in running text, in order: those with a
        class, and the acting ones (``_acting_drugs``); read once, for the generic names
        (``prose_synonyms``) and the brands (``prose_brands``)."""
        if self._prose_drug_list is None:
            compiled = self.compiled
            classed = {row[0] for row in compiled.classes.all_rows()} if compiled and compiled.classes else set()
            self._prose_drug_list = sorted(classed | self._acting_drugs())
        return self._prose_drug_list

    def _acting_drugs(self) -> set[str]:
        """The compiled drugs DrugCentral lists (the substances of medicine) that have a
        mechanism target edge: the drugs criteria name with no class in the tables
        ("vancomycin or tobramycin" LCT NCT03928522, "amitriptyline (Elavil), nortriptyline"
        LCT NCT03869372, "filgrastim or pegfilgrastim" LCT NCT03929159). Substances with no
        mechanism stay out: the nutrients, elements and amino acids whose names are
        everyday words or parts of laboratory names ("glucose", "oxygen", "iron",
        "alanine aminotransferase", "tyrosine kinase")."""
        compiled = self.compiled
        if compiled is None:
            return set()
        acting = {row[0] for row in compiled.edges.all_rows() if row[5] == "mechanism"}
        return {d for d in acting if (row := compiled.drug_row(d)) is not None and row.get("drugcentral")}

    def _measured_names(self) -> set[str]:
        """The folded names of the measured variables (``variables.tsv``: name, label,
        aliases): a hormone or a protein measured in blood is a value there, not a drug
        ("testosterone < 50 ng/dL", "serum albumin >= 3 g/dL")."""
        out: set[str] = set()
        if not self.source.joinpath("variables.tsv").is_file():
            return out
        for row in _read_tsv(self.source, "variables.tsv"):
            for name in (row.get("name") or "", row.get("label") or "", *_split(row.get("aliases"))):
                if name:
                    out.add(name_key(name.replace("_", " ")))
        return out

    def prose_synonyms(self) -> Iterable[SynonymEntry]:
        """The written forms to look for in running text: every curated synonym, and the
        generic, INN, salt and coded names of each compiled drug that has a class
        (anticancer drugs, glucocorticoids, anticoagulants, CYP3A modulators ...). A
        classed drug is an INN substance whose names are no everyday words, so criteria
        name it with no cue before it: "nitrosoureas/mitomycin C within 6 weeks"
        (NCT02243605), "6 weeks for mitomycin or nitrosoureas" (NCT00402415), "prior
        trabectedin". Brands and free synonyms stay out ("fivb", "Focus")."""
        yield from self.all_synonyms()
        compiled = self.compiled
        if compiled is None or compiled.classes is None:
            return
        curated = set(self.synonyms)
        forms: dict[str, list[SynonymEntry]] = {}
        measured = self._measured_names()
        classed = {row[0] for row in compiled.classes.all_rows()}
        for drug in self._prose_drugs():
            if drug in self.drugs:
                continue
            stem = drug.split()[0].casefold()
            for text, kind in compiled.names_of(drug):
                coded = kind == "code" and any(ch.isdigit() for ch in text) and len(text) >= 5
                # a salt names the substance in it ("abemaciclib mesylate"); a "salt" without
                # it is a brand or a stray word of the source ("ZIAGEN", "LUTEINIZING")
                salt = kind == "salt" and stem in text.casefold()
                key = name_key(text)
                if drug not in classed and key in measured:
                    continue  # the name of a measured substance ("testosterone < 50 ng/dL")
                if (kind in ("generic", "inn") or salt or coded) and key not in curated:
                    entries = forms.setdefault(key, [])
                    if all(e.drug != drug for e in entries):
                        entries.append(SynonymEntry(drug, text, "generic" if kind == "inn" else kind))
        for entries in forms.values():
            if len(entries) == 1:  # a form two drugs share names neither
                yield entries[0]

    def _brand_words(self) -> set[str]:
        """The folded brand names that are English words too (``brand_words.tsv``)."""
        if not self.source.joinpath("brand_words.tsv").is_file():
            return set()
        return {name_key(row["word"]) for row in _read_tsv(self.source, "brand_words.tsv")}

    def prose_brands(self) -> Iterable[SynonymEntry]:
        """The brand names to look for in running text (kind ``brand``; the text finder
        takes them only where written with a capital or in capitals): "EXPAREL has the
        potential for teratogenic effects" (LCT NCT03867188), "imipramine (Tofranil),
        ... chlorpromazine (Thorazine)" (LCT NCT03869372), "prior Sutent" (NCT01065844).
        The brands, and the brand-like "salt" forms without the substance's name, of the
        drugs ``prose_synonyms`` reads, of five letters or more, letters only, that name
        one drug in the whole dictionary and are no curated name, no measured variable,
        no protein symbol or alias and no English word (``brand_words.tsv``)."""
        compiled = self.compiled
        if compiled is None or compiled.classes is None:
            return
        skip = set(self.synonyms) | self._measured_names() | self._brand_words()
        for info in self.proteins.values():
            skip |= {name_key(a) for a in (info.symbol, *info.aliases)}
        skip |= {s.lower() for s in compiled.by_symbol}
        seen: set[str] = set()
        for drug in self._prose_drugs():
            stem = drug.split()[0].casefold()
            for text, kind in compiled.names_of(drug):
                if not (kind == "brand" or (kind == "salt" and stem not in text.casefold())):
                    continue
                if len(text) < _BRAND_MIN or not text.isascii() or not text.isalpha():
                    continue
                key = name_key(text)
                if key in skip or key in seen:
                    continue
                seen.add(key)
                if all(row[1] == drug for row in compiled.names.rows(key)):
                    yield SynonymEntry(drug, text, "brand")
