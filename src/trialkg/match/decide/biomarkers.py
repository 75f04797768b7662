"""Biomarkers and receptor status (``BiomarkerConstraint``) against the patient's markers,
genes compared as HGNC symbols (``knowledge/biomarkers.py``: ER -> ESR1, HER2 -> ERBB2)."""

from __future__ import annotations

import re

from trialkg.knowledge import biomarkers
from trialkg.match.decide.context import Context
from trialkg.match.graph import Constraint, Criterion
from trialkg.match.logic import TV, Statement, tv_not, tv_or, tv_word
from trialkg.match.patient import PatientBiomarker


def biomarker(k: Constraint, ctx: Context, wants_true: bool = True, crit: Criterion | None = None) -> Statement:
    """Is the criterion's marker positive in the patient (its variant, when it names one)?

    "ER" is ESR1, "HER2" ERBB2, "HR" stands for ESR1 or PGR. A marker naming several
    genes is positive when one is positive and negative when all are negative; a
    patient's "HR negative" makes ESR1 and PGR negative, "HR positive" says only that
    one is.
    """
    written = [str(g) for g in k.all("geneSymbol")]
    variants = [str(v) for v in k.all("variant")]
    label = " ".join(written + variants) or "biomarker"
    if not written:
        return Statement(None, f"{label}: no gene in the graph")
    if ctx.patient.biomarkers is None:
        return Statement(None, f"{label}: patient biomarkers unknown")
    wanted = {sym for g in written for sym in biomarkers.gene_symbols(g)}
    v, facts = _positive(ctx.patient.biomarkers, wanted, variants)
    seen = "; ".join(facts) or "no such marker in the patient file"
    if str(k.one("status") or "").lower() == "negative":
        return Statement(tv_not(v), f"{label} negative ({'/'.join(sorted(wanted))}): {tv_word(tv_not(v))} [{seen}]")
    return Statement(v, f"{label} ({'/'.join(sorted(wanted))}): {tv_word(v)} [{seen}]")


def _positive(markers: list[PatientBiomarker], wanted: set[str], variants: list[str]) -> tuple[TV, list[str]]:
    """Whether the patient's markers make one of the ``wanted`` genes positive, and the facts read."""
    per_gene: dict[str, list[TV]] = {}
    facts: list[str] = []
    group_positive = False
    for b in markers:
        genes = set(biomarkers.gene_symbols(b.gene))
        if not genes & wanted:
            continue
        value = _variant_status(b, variants)
        facts.append(f"{b.gene}{' ' + b.variant if b.variant else ''} {b.status} ({'/'.join(sorted(genes))})")
        if len(genes) > 1 and value is True:
            group_positive = group_positive or genes <= wanted  # "HR positive": one of them, not which
            continue
        for g in genes & wanted:
            per_gene.setdefault(g, []).append(value)
    status = {g: tv_or(vs) for g, vs in per_gene.items()}
    if group_positive or any(x is True for x in status.values()):
        return True, facts
    if all(status.get(g) is False for g in wanted):
        return False, facts
    return None, facts


def _variant_status(b: PatientBiomarker, variants: list[str]) -> TV:
    """Does this patient marker say the criterion's variant (or, with none named, the gene) is positive?"""
    if not variants:
        return b.status == "positive"
    if b.variant is None:
        return None
    if not any(same_variant(b.variant, v) for v in variants):
        return None  # another variant of the gene says nothing about this one
    return b.status == "positive"


def same_variant(a: str, b: str) -> bool:
    rs_a, rs_b = re.findall(r"rs\d+", a.lower()), re.findall(r"rs\d+", b.lower())
    if rs_a and rs_b:
        return bool(set(rs_a) & set(rs_b))
    norm = lambda s: re.sub(r"[\s_\\]+", "", s.lower()).replace("&gt;", ">")  # noqa: E731
    return norm(a) == norm(b) or norm(a) in norm(b) or norm(b) in norm(a)
