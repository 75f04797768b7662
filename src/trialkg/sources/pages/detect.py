"""Which layout a page is: detected from its headings, never guessed."""

from __future__ import annotations

from trialkg.errors import InputError

LAYOUTS = ("page-ctgov", "page-classic", "page-aggregator")


def detect_layout(text: str) -> str:
    """Which of the three layouts ``text`` is; an unknown layout is an InputError."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    head = lines[:8]
    has = set(lines)
    if any(ln.startswith("NCT ID:") for ln in head) and (
        "Basic Information" in has or "Eligibility Criteria" in has):
        return "page-ctgov"
    if any("ClinicalTrials.gov Identifier:" in ln for ln in lines[:20]) and (
        any(ln.startswith("Recruitment Status") for ln in lines) or "- Tabular View" in has):
        return "page-classic"
    lower = {ln.lower() for ln in lines}
    if "inclusion criteria" in lower and "exclusion criteria" in lower and (
        "status and phase" in lower or "data sourced from clinicaltrials.gov" in lower):
        return "page-aggregator"
    raise InputError("unknown page layout (expected a ClinicalTrials.gov study page, the classic "
                     "tabular page or the aggregator page)", field="layout")

