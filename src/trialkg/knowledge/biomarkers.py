"""Biomarkers named in arm labels, titles and criteria: gene, variant, kind, assay, threshold.

Biomarker-driven trials define arms by a marker ("CSF1-Positive Sarcoma Arm: CSF1
expression >= 30% by IHC"), so every arm is read as one unit and its biomarker is
linked to it; titles and criteria are read sentence by sentence. A sentence counts only
when it has a biomarker signal (variant id, mutation, amplification, expression,
fusion ...) and names a gene or a chromosome band; band genes come from
``ontology/reference/cytobands.tsv``, gene names and aliases (VEGFR2 -> KDR) from
``proteins.tsv`` plus the common marker genes below.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from typing import Any

from trialkg.knowledge.lexicon import Lexicon
from trialkg.records import TrialRecord
from trialkg.resources import ontology_file
from trialkg.textgate import Gated

# Marker genes that are not drug targets in proteins.tsv (HGNC symbols).
EXTRA_GENES = (
    "KRAS", "NRAS", "HRAS", "TP53", "PIK3CA", "PTEN", "BRCA1", "BRCA2", "IDH1", "IDH2", "ESR1",
    "NTRK3", "SMARCB1", "MYC", "CDKN2A", "STK11", "KEAP1", "ERBB3", "FGF19", "MYCN", "EWSR1",
    "SS18", "FUS", "DDIT3", "TFE3", "NF1", "SDHB", "HMGA2", "CIC", "ATRX",
)
# Aliases seen in trial text that are not in proteins.tsv aliases (upper case).
EXTRA_ALIASES = {"HER2": "ERBB2", "HER-2": "ERBB2", "PD-L1": "CD274", "PDL1": "CD274",
                 "C-KIT": "KIT", "C-MET": "MET", "VEGFR": "KDR"}
# Receptor and gene names as criteria and patient files write them -> HGNC symbols.
# A name for a group maps to each member: "HR-positive" (PALLAS NCT02513394: "ER+ and/or
# PR+") is ESR1 or PGR positive, "HR-negative" both negative.
GENE_ALIASES: dict[str, tuple[str, ...]] = {
    "ER": ("ESR1",), "ESTROGEN RECEPTOR": ("ESR1",), "OESTROGEN RECEPTOR": ("ESR1",), "ER ALPHA": ("ESR1",),
    "PR": ("PGR",), "PGR": ("PGR",), "PGR1": ("PGR",), "PROGESTERONE RECEPTOR": ("PGR",),
    "HR": ("ESR1", "PGR"), "HORMONE RECEPTOR": ("ESR1", "PGR"),
    "HER2": ("ERBB2",), "HER-2": ("ERBB2",), "HER2/NEU": ("ERBB2",), "HER-2/NEU": ("ERBB2",), "NEU": ("ERBB2",),
    "AR": ("AR",), "ANDROGEN RECEPTOR": ("AR",),
}


def gene_symbols(name: str) -> tuple[str, ...]:
    """HGNC symbols a written gene or receptor name stands for (ER -> ESR1, HR -> ESR1, PGR)."""
    key = re.sub(r"[\s_]+", " ", name.strip().upper()).replace(" RECEPTORS", " RECEPTOR")
    if key in GENE_ALIASES:
        return GENE_ALIASES[key]
    if key in EXTRA_ALIASES:
        return (EXTRA_ALIASES[key],)
    names = _gene_matcher(Lexicon.default())[1]
    sym = names.get(key) or names.get(key.replace(" ", "-")) or names.get(key.replace("-", ""))
    return (sym or key,)


# Symbols too close to English words to be read without context.
AMBIGUOUS = {"MET", "RET", "KIT", "ALK", "CIC", "FUS"}

_KIND_WORDS = [
    ("fusion", r"fusions?|rearrange(?:d|ments?)|translocations?"),
    ("amplification", r"amplifi(?:cation|ed)|amplicon|amp\b|copy[\s-]+number[\s-]+gain|gain"),
    ("deletion", r"deletions?|deleted|loss\b"),
    ("expression", r"expression|express(?:ed|ing)|overexpress\w*|positiv\w*|high\b|low\b|negativ\w*|staining|TPS|CPS"),
    ("variant", r"mutations?|mutant|mutated|variants?|polymorphisms?|SNPs?|genotypes?|alleles?|rs\d{3,}|\d+\s?[ACGT]\s?(?:>|\\>)\s?[ACGT]\b"),
]
_ASSAYS = [
    ("IHC", r"\bIHC\b|immunohisto\w*"),
    ("FISH", r"\bFISH\b|fluorescence[\s-]+in[\s-]+situ"),
    ("NGS", r"\bNGS\b|next[\s-]+generation[\s-]+sequencing|sequencing"),
    ("PCR", r"\b(?:RT-|q|dd|real[\s-]+time[\s-]+)?PCR\b|polymerase[\s-]+chain"),
]
# Compiled once, each behind a literal gate (most sentences name no marker at all).
_KIND_RES = [(k, Gated(p, re.IGNORECASE)) for k, p in _KIND_WORDS]
_ASSAY_RES = [(name, Gated(p, re.IGNORECASE)) for name, p in _ASSAYS]
_SPACE = re.compile(r"\s")
_RSID = re.compile(r"(?<![A-Za-z0-9])rs\d{3,}(?![0-9])", re.IGNORECASE)
_CHANGE = re.compile(r"(?<![A-Za-z0-9])(?:c\.)?(\d+)\s?([ACGT])\s?\\?>\s?([ACGT])\b")
_PROTEIN_CHANGE = re.compile(r"\b(?:p\.)?([ACDEFGHIKLMNPQRSTVWY])(\d{2,4})([ACDEFGHIKLMNPQRSTVWY]|fs|del)\b")
_THRESHOLD = re.compile(r"(?:≥|>=|≤|<=|>|<|=|at least|more than|less than)\s*\d+(?:\.\d+)?\s*%?")
_BAND = re.compile(r"\b(?:chromosome\s+(?:segment\s+)?)?([1-9]|1\d|2[0-2]|X|Y)([pq]\d{1,2}(?:\.\d+)?)\b")
_SENTENCE = re.compile(r"(?<=[.;])\s+|\n+")


@lru_cache(maxsize=1)
def _cytobands() -> dict[str, tuple[str, ...]]:
    text = ontology_file("reference").joinpath("cytobands.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text), delimiter="\t")
    return {r["band"]: tuple(g for g in r["genes"].split("|") if g) for r in rows}


@lru_cache(maxsize=4)
def _gene_matcher(lex: Lexicon) -> tuple[re.Pattern[str], dict[str, str]]:
    names: dict[str, str] = {}
    for sym, prot in lex.proteins.items():
        names[sym.upper()] = sym
        for alias in prot.aliases:
            if len(alias) >= 3:
                names.setdefault(alias.upper(), sym)
    for sym in EXTRA_GENES:
        names.setdefault(sym, sym)
    for alias, sym in EXTRA_ALIASES.items():
        names.setdefault(alias, sym)
    alts = sorted((re.escape(n).replace(r"\-", r"[\s-]?") for n in names), key=len, reverse=True)
    # Case-sensitive: gene symbols are written in capitals; "met" the verb is not MET.
    rx = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(alts) + r")(?=$|[^a-z0-9])")
    return rx, names


def _genes_in(text: str, lex: Lexicon) -> list[str]:
    rx, names = _gene_matcher(lex)
    out: list[str] = []
    for m in rx.finditer(text):
        key = _SPACE.sub("-", m.group(1).upper())
        sym = names.get(key) or names.get(key.replace("-", ""))
        if sym is None:
            continue
        if sym in AMBIGUOUS and not _context_ok(text, m.start(), m.end()):
            continue
        if sym not in out:
            out.append(sym)
    return out


def _context_ok(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - 40): end + 40]
    return any(rx.search(window) for _, rx in _KIND_RES + _ASSAY_RES)


def _kind(text: str) -> tuple[str | None, list[str]]:
    kinds = [k for k, rx in _KIND_RES if rx.search(text)]
    order = ["fusion", "variant", "amplification", "deletion", "expression"]
    kinds.sort(key=order.index)
    return (kinds[0] if kinds else None), kinds


def _assay(text: str) -> str | None:
    for name, rx in _ASSAY_RES:
        if rx.search(text):
            return name
    return None


def _variant(text: str, genes: list[str]) -> str | None:
    parts: list[str] = []
    rs = _RSID.search(text)
    if rs:
        parts.append(rs.group(0).lower())
    ch = _CHANGE.search(text)
    if ch:
        parts.append(f"{ch.group(1)}{ch.group(2)}>{ch.group(3)}")
    elif genes:
        pc = _PROTEIN_CHANGE.search(text)
        if pc and pc.group(0) not in genes:
            parts.append(pc.group(0))
    return " ".join(parts) or None


def _threshold(text: str) -> str | None:
    m = _THRESHOLD.search(text)
    if not m:
        return None
    return m.group(0).replace("≥", ">=").replace("≤", "<=").strip()


def _bands(text: str) -> list[str]:
    table = _cytobands()
    out = []
    for m in _BAND.finditer(text):
        band = m.group(1) + m.group(2)
        if band in table and band not in out:
            out.append(band)
    return out


def _biomarker(text: str, lex: Lexicon, found_in: str, arm: str | None,
               context: str = "") -> dict[str, Any] | None:
    clean = text.replace("\\>", ">").replace("\\<", "<").replace("\\_", "_")
    kind, kinds = _kind(clean)
    if kind is None:
        return None
    bands = _bands(clean)
    genes: list[str] = []
    for b in bands:
        genes.extend(g for g in _cytobands()[b] if g not in genes)
    for g in _genes_in(clean, lex):
        if g not in genes and not bands:
            genes.append(g)
    if not genes:
        return None
    variant = _variant(clean, genes) if kind == "variant" else None
    if variant and "rs" not in variant and context:
        # The arm gives the change, the description the rs id: join them when they agree.
        rs = _rs_for(context.replace("\\>", ">").replace("\\_", "_"), variant, genes, lex)
        if rs:
            variant = f"{rs} {variant}"
    region = bands[0] if bands else None
    subject = region or genes[0]
    label = f"{subject} {kind}"
    if variant:
        label = f"{subject} {variant}"
    assay = _assay(clean)
    threshold = _threshold(clean) if kind in ("expression", "amplification") else None
    if threshold and assay:
        label += f" ({assay} {threshold})"
    elif assay:
        label += f" ({assay})"
    return {
        "label": label, "gene": genes[0], "genes": genes, "kind": kind, "kinds": kinds,
        "variant": variant, "assay": assay, "threshold": threshold, "region": region,
        "text": text.strip(), "found_in": found_in, "arm": arm,
    }


def _rs_for(context: str, change: str, genes: list[str], lex: Lexicon) -> str | None:
    for sentence in _SENTENCE.split(context):
        rs = _RSID.search(sentence)
        if not rs:
            continue
        ch = _CHANGE.search(sentence)
        same_change = ch and f"{ch.group(1)}{ch.group(2)}>{ch.group(3)}" == change
        if same_change or set(_genes_in(sentence, lex)) & set(genes):
            return rs.group(0).lower()
    return None


def extract_biomarkers(record: TrialRecord, lexicon: Lexicon | None = None) -> list[dict[str, Any]]:
    """The record's biomarkers as trial-view dicts (docs/trial-view.md) (arm ones first)."""
    lex = lexicon or Lexicon.default()
    context = " ".join(t for t in (record.detailed_description, record.brief_summary) if t)
    out: list[dict[str, Any]] = []
    keys: set[tuple] = set()
    arm_markers: set[tuple] = set()

    def add(b: dict[str, Any] | None) -> None:
        if b is None:
            return
        key = (b["found_in"], b["arm"], tuple(b["genes"]), b["kind"], b["variant"])
        # Text that only restates an arm's marker adds nothing: the arm already has it.
        same = (tuple(b["genes"]), b["kind"], b["variant"])
        if key in keys or (b["found_in"] != "arm" and same in arm_markers):
            return
        keys.add(key)
        if b["found_in"] == "arm":
            arm_markers.add(same)
        out.append(b)

    for arm in record.arms:
        text = " ".join(t for t in (arm.label, arm.description) if t)
        # The arm's defining marker: read the label first, then label + description.
        b = _biomarker(arm.label, lex, "arm", arm.label, context)
        whole = _biomarker(text, lex, "arm", arm.label, context)
        if b is None:
            b = whole
        elif whole is not None:
            for k in ("assay", "threshold", "variant"):
                if not b.get(k) and whole.get(k):
                    b[k] = whole[k]
            if whole["genes"] and set(b["genes"]) <= set(whole["genes"]):
                b["genes"] = whole["genes"] if b.get("region") else b["genes"]
            b["kinds"] = sorted(set(b["kinds"]) | set(whole["kinds"]))
            if whole["kind"] == "variant" and b["kind"] != "variant" and whole["variant"]:
                b["kind"], b["variant"] = "variant", whole["variant"]
            b["label"] = _relabel(b)
            b["text"] = text.strip()
        add(b)
    for field_name, text in (("title", record.brief_title), ("title", record.official_title)):
        for sentence in _SENTENCE.split(text or ""):
            add(_biomarker(sentence, lex, field_name, None))
    # Descriptions are long and loose: only sentences naming an exact variant count.
    for text in (record.brief_summary, record.detailed_description):
        for sentence in _SENTENCE.split((text or "").replace("\\>", ">").replace("\\_", "_")):
            if _RSID.search(sentence) or _CHANGE.search(sentence):
                add(_biomarker(sentence, lex, "description", None, context))
    for item in list(record.eligibility.inclusion) + list(record.eligibility.exclusion):
        for sentence in _SENTENCE.split(item.text or ""):
            add(_biomarker(sentence, lex, "criteria", None))
    return out


def _relabel(b: dict[str, Any]) -> str:
    subject = b.get("region") or b["gene"]
    label = f"{subject} {b['variant']}" if b.get("variant") else f"{subject} {b['kind']}"
    if b.get("assay") and b.get("threshold"):
        label += f" ({b['assay']} {b['threshold']})"
    elif b.get("assay"):
        label += f" ({b['assay']})"
    return label
