"""Biomarkers: receptor status, mutations, fusions, expression.

"HER2-negative", "ER+/PR+", "HR-positive", "EGFR exon 19 deletion", "PD-L1 TPS ≥ 50%",
"triple negative"; the gene names are ``lexicon.BIOMARKER_GENES``, the kinds
``lexicon.BIOMARKER_KIND``.
"""

from __future__ import annotations

import re
from typing import Any

from trialkg.criteria import lexicon
from trialkg.criteria.rules.reading import Reading
from trialkg.textgate import Gated

_BIOMARKER_KIND_RES = [(k, Gated(p, re.IGNORECASE)) for k, p in lexicon.BIOMARKER_KIND]
_MARKER_WORD = re.compile(r"(?:positive|negative|[+-](?!\w)|express|mutat|amplif|fusion|rearrang|status|alteration|IHC|score)", re.I)
_MARKER_VARIANT = re.compile(r"\b(rs\d+|[A-Z]\d{2,4}[A-Z*]|exon \d+ (?:deletion|insertion|mutation)s?|\d+[ACGT]\s*>\s*[ACGT])")
_MARKER_THRESHOLD = re.compile(r"(?:TPS|CPS|≥|>=|>|at least)\s*\d+\s*%?")
_POLARITY = re.compile(r"positive|negative|[+](?=\W|$)|[-](?=\W|$)", re.I)
# A marker name, followed by its status or a break: "HER2-negative", "ER+/PR+", "HR-positive",
# "ER-, PR-, HER2-" (NCT03424005), "HER2 status" (NCT03133988); not "PD-L1-targeted".
_BIOMARKER = Gated(
    rf"(?<![\w-])(?P<gene>{lexicon.BIOMARKER_GENES}|HR|(?i:(?:o?estrogen|progesterone|hormone|androgen)[\s-]+receptors?))"
    r"(?=$|[^\w-]|-(?i:positive|negative|pos|neg|low|high|status|mutant|mutated|amplified|expressing|overexpressing)\b"
    r"|-(?=$|\W))"
)
# "ER+ and/or PR+", "ER or PR positive", "ER+/PR+" (PALLAS NCT02513394, NCT03133988): one
# hormone-receptor requirement, met by either receptor.
_ER_OR_PR = Gated(r"\b(?:ER|o?estrogen[\s-]+receptor)\s*(?:\+|-?\s*positive)?\s*(?:and/or|or|/)\s*"
                  r"(?:PR|progesterone[\s-]+receptor)\s*(?:\+|-?\s*positive)?", re.IGNORECASE)
# "triple negative breast cancer", "TNBC": ER, PR and HER2 negative (NCT03424005, NCT02576665).
_TRIPLE_NEGATIVE = Gated(r"\btriple[\s-]+negative\b|\bTNBC\b", re.IGNORECASE)


# A negative status written after the gene and its noun, to the clause's end: "EGFR
# sensitive mutations were negative or EGFR mutation status was not detected"
# (NCT06604689), "KRAS mutation not detected", "ALK rearrangement absent", "EGFR
# wild-type" (NCT06382129), "KRAS and NRAS wild-type" (NCT02199223); or just before it:
# "documented wild-type EGFR" (NCT02691871).
_WILD_TYPE = r"wild[\s-]?types?|\bWT\b|non-?mutated|unmutated|not\s+mutated"
_NEGATIVE_AFTER = re.compile(
    rf"[^;,.]{{0,60}}?(?:\bnegative\b|\bnot\s+(?:been\s+)?(?:detected|found|present|amplified|rearranged)\b|\bundetect\w*|\babsent\b|{_WILD_TYPE})",
    re.IGNORECASE)
_POSITIVE_AFTER = re.compile(r"[^;,.]{0,60}?\b(?:positive|detected|present|mutated|mutant|amplified|rearranged)\b", re.IGNORECASE)
_WILD_TYPE_BEFORE = re.compile(rf"(?:{_WILD_TYPE})[\s-]*(?:\(\w+\)\s*)?$", re.IGNORECASE)
_WILD_TYPE_RE = re.compile(_WILD_TYPE, re.IGNORECASE)


def _late_status(text: str, start: int, end: int) -> str | None:
    """The status a clause gives a marker beyond the words right after it (``_POLARITY``)."""
    if _WILD_TYPE_BEFORE.search(text, max(0, start - 20), start):
        return "negative"
    neg = _NEGATIVE_AFTER.match(text, end)
    if neg is None:
        return None
    pos = _POSITIVE_AFTER.match(text, end)
    return "negative" if pos is None or neg.end() <= pos.end() else None


def read(r: Reading) -> list[dict[str, Any]]:
    """The biomarkers an item names with their kind and status."""
    return biomarkers(r.text)


def biomarkers(text: str) -> list[dict[str, Any]]:
    """One constraint per marker: gene, kind (expression, mutation ...), status, variant,
    threshold; "ER or PR positive" is one hormone-receptor requirement (``HR``)."""
    out = []
    seen = set()
    for m in _BIOMARKER.finditer(text):
        gene = m.group("gene")
        window = text[max(0, m.start() - 40) : m.end() + 60]
        kind = None
        for k, rx in _BIOMARKER_KIND_RES:
            if rx.search(window):
                kind = k
                break
        if kind is None and _WILD_TYPE_RE.search(window):
            kind = "variant"  # "EGFR wild-type": no mutation of the gene
        if kind is None or gene in seen:
            continue
        gene = _RECEPTOR_NAMES.get(re.sub(r"[\s-]+", " ", gene.lower()).rstrip("s"), gene)
        if gene.upper() in ("ER", "PR", "AR", "HR", "MET", "RET", "ATM", "KIT") and not _MARKER_WORD.search(window):
            continue
        if gene.upper() == "HR" and not re.match(r"[\s-]*(?:positive|negative|[+-])", text[m.end():m.end() + 12], re.I):
            continue  # HR is also hazard ratio, heart rate: only with its status
        if gene in seen:
            continue
        seen.add(gene)
        d: dict[str, Any] = {"type": "biomarker", "gene": gene.upper().replace("HER-2", "HER2"), "kind": kind, "span": window.strip()}
        var = _MARKER_VARIANT.search(window)
        if var:
            d["variant"] = var.group(1)
        thr = _MARKER_THRESHOLD.search(window)
        if thr:
            d["threshold"] = thr.group(0)
        pol = _POLARITY.search(text[m.end() : m.end() + 30])
        if pol:
            d["status"] = "positive" if pol.group(0).lower() in ("positive", "+") else "negative"
        elif late := _late_status(text, m.start(), m.end()):
            d["status"] = late
        out.append(d)
    if _ER_OR_PR.search(text):
        receptors = [d for d in out if d["gene"] in ("ER", "PR") and d.get("status", "positive") == "positive"]
        if len(receptors) == 2:
            out = [d for d in out if d not in receptors]
            if "HR" not in {d["gene"] for d in out}:
                out.append({**receptors[0], "gene": "HR", "span": _ER_OR_PR.search(text).group(0)})
    if _TRIPLE_NEGATIVE.search(text):  # "TNBC (absence of HER2, ER, and PR expression)": all three negative
        for d in out:
            if d["gene"] in ("ER", "PR", "HER2"):
                d["status"] = "negative"
        out += [{"type": "biomarker", "gene": g, "kind": "expression", "status": "negative", "span": "triple negative"}
                for g in ("ER", "PR", "HER2") if g not in seen]
    return out


_RECEPTOR_NAMES = {"estrogen receptor": "ER", "oestrogen receptor": "ER", "progesterone receptor": "PR",
                   "hormone receptor": "HR", "androgen receptor": "AR"}


# Words that qualify a CNS metastasis ("untreated brain metastases") rather than state
