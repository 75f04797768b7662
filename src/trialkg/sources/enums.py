"""Registry spellings -> ClinicalTrials.gov API v2 enumeration values.

Every table maps the spellings we meet (classic XML ``Phase 1/Phase 2``, the classic
page ``Active Comparator``, the study page ``PHASE2``) to the API v2 value. The value
lists come from ``components/schemas`` of the API v2 OpenAPI spec
(``ctg-oas-v2.yaml``, API version 2.0.0: ``Status``, ``Phase``, ``ArmGroupType``,
``InterventionType``, ``AgencyClass`` ...); the legacy spellings from the classic XML
schema (NLM ``public.xsd``) and the records in ``tests/data/ctgov_corpus/``.

Lookups compare a folded key (lower case, letters and digits only), so ``Active, not
recruiting`` and ``ACTIVE_NOT_RECRUITING`` meet. A value no table knows is kept as
written and reported as a warning: never guessed.
"""

from __future__ import annotations

import re
from typing import Final

from trialkg.records import TrialRecord

# API v2 value lists (ctg-oas-v2.yaml, components/schemas/<name>/enum).
STATUS_VALUES: Final = (
    "ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING",
    "RECRUITING", "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE", "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN",
)
PHASE_VALUES: Final = ("NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4")
STUDY_TYPE_VALUES: Final = ("EXPANDED_ACCESS", "INTERVENTIONAL", "OBSERVATIONAL")
SEX_VALUES: Final = ("FEMALE", "MALE", "ALL")
STANDARD_AGE_VALUES: Final = ("CHILD", "ADULT", "OLDER_ADULT")
AGENCY_CLASS_VALUES: Final = (
    "NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER", "UNKNOWN",
)
DATE_TYPE_VALUES: Final = ("ACTUAL", "ESTIMATED")
RESPONSIBLE_PARTY_VALUES: Final = ("SPONSOR", "PRINCIPAL_INVESTIGATOR", "SPONSOR_INVESTIGATOR")
ALLOCATION_VALUES: Final = ("RANDOMIZED", "NON_RANDOMIZED", "NA")
INTERVENTION_MODEL_VALUES: Final = ("SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL")
PRIMARY_PURPOSE_VALUES: Final = (
    "TREATMENT", "PREVENTION", "DIAGNOSTIC", "ECT", "SUPPORTIVE_CARE", "SCREENING",
    "HEALTH_SERVICES_RESEARCH", "BASIC_SCIENCE", "DEVICE_FEASIBILITY", "OTHER",
)
OBSERVATIONAL_MODEL_VALUES: Final = (
    "COHORT", "CASE_CONTROL", "CASE_ONLY", "CASE_CROSSOVER", "ECOLOGIC_OR_COMMUNITY",
    "FAMILY_BASED", "DEFINED_POPULATION", "NATURAL_HISTORY", "OTHER",
)
TIME_PERSPECTIVE_VALUES: Final = ("RETROSPECTIVE", "PROSPECTIVE", "CROSS_SECTIONAL", "OTHER")
ARM_TYPE_VALUES: Final = (
    "EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR",
    "NO_INTERVENTION", "OTHER",
)
INTERVENTION_TYPE_VALUES: Final = (
    "BEHAVIORAL", "BIOLOGICAL", "COMBINATION_PRODUCT", "DEVICE", "DIAGNOSTIC_TEST",
    "DIETARY_SUPPLEMENT", "DRUG", "GENETIC", "PROCEDURE", "RADIATION", "OTHER",
)
OFFICIAL_ROLE_VALUES: Final = (
    "STUDY_CHAIR", "STUDY_DIRECTOR", "PRINCIPAL_INVESTIGATOR", "SUB_INVESTIGATOR", "CONTACT",
)
RECRUITMENT_STATUS_VALUES: Final = STATUS_VALUES  # site statuses use the same words
MASKING_VALUES: Final = ("NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE")
REFERENCE_TYPE_VALUES: Final = ("BACKGROUND", "RESULT", "DERIVED")

# Legacy and page spellings that do not fold onto an API v2 value by themselves.
# Sources: classic XML schema enumerations (ctgov_classic_public.xsd) and the pages.
STATUS_SPELLINGS: Final[dict[str, str]] = {
    "Unknown status": "UNKNOWN",
    "Available for expanded access": "AVAILABLE",
    "No longer available for expanded access": "NO_LONGER_AVAILABLE",
}
PHASE_SPELLINGS: Final[dict[str, str]] = {
    "N/A": "NA", "Not Applicable": "NA", "Phase 0": "EARLY_PHASE1",
    "Early Phase 1": "EARLY_PHASE1", "Phase I": "PHASE1", "Phase II": "PHASE2",
    "Phase III": "PHASE3", "Phase IV": "PHASE4",
}
STUDY_TYPE_SPELLINGS: Final[dict[str, str]] = {
    "Interventional (Clinical Trial)": "INTERVENTIONAL",
    "Observational [Patient Registry]": "OBSERVATIONAL",
    "Observational (Patient Registry)": "OBSERVATIONAL",
    "Expanded Access (Intermediate-size Population)": "EXPANDED_ACCESS",
}
SEX_SPELLINGS: Final[dict[str, str]] = {"Both": "ALL", "All": "ALL", "Female": "FEMALE", "Male": "MALE"}
STANDARD_AGE_SPELLINGS: Final[dict[str, str]] = {"Older Adult": "OLDER_ADULT"}
AGENCY_CLASS_SPELLINGS: Final[dict[str, str]] = {
    "U.S. Fed": "FED", "US Fed": "FED", "Other U.S. Federal agency": "FED",
    "Individual": "INDIV", "Ambiguous": "AMBIG",
}
DATE_TYPE_SPELLINGS: Final[dict[str, str]] = {
    "Anticipated": "ESTIMATED", "Expected": "ESTIMATED", "Estimate": "ESTIMATED",
}
ALLOCATION_SPELLINGS: Final[dict[str, str]] = {"N/A": "NA", "Not Applicable": "NA"}
INTERVENTION_MODEL_SPELLINGS: Final[dict[str, str]] = {
    "Single Group Assignment": "SINGLE_GROUP", "Parallel Assignment": "PARALLEL",
    "Crossover Assignment": "CROSSOVER", "Factorial Assignment": "FACTORIAL",
    "Sequential Assignment": "SEQUENTIAL",
}
PRIMARY_PURPOSE_SPELLINGS: Final[dict[str, str]] = {
    "Educational/Counseling/Training": "ECT",
}
OBSERVATIONAL_MODEL_SPELLINGS: Final[dict[str, str]] = {
    "Ecologic or Community": "ECOLOGIC_OR_COMMUNITY", "Family-Based": "FAMILY_BASED",
}
MASKING_SPELLINGS: Final[dict[str, str]] = {
    "None (Open Label)": "NONE", "Open Label": "NONE", "Single Blind": "SINGLE",
    "Double Blind": "DOUBLE",
}
RESPONSIBLE_PARTY_SPELLINGS: Final[dict[str, str]] = {}
ARM_TYPE_SPELLINGS: Final[dict[str, str]] = {"Placebo": "PLACEBO_COMPARATOR", "Sham": "SHAM_COMPARATOR"}
INTERVENTION_TYPE_SPELLINGS: Final[dict[str, str]] = {
    "Biological/Vaccine": "BIOLOGICAL", "Genetic": "GENETIC", "Radiation": "RADIATION",
}
OFFICIAL_ROLE_SPELLINGS: Final[dict[str, str]] = {}
REFERENCE_TYPE_SPELLINGS: Final[dict[str, str]] = {"background": "BACKGROUND", "result": "RESULT", "derived": "DERIVED"}

_KEY = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """The comparison key: lower case letters and digits only."""
    return _KEY.sub("", text.lower())


def _table(values: tuple[str, ...], spellings: dict[str, str]) -> dict[str, str]:
    table = {fold(v): v for v in values}
    table.update({fold(k): v for k, v in spellings.items()})
    return table


# kind -> folded spelling -> API v2 value
TABLES: Final[dict[str, dict[str, str]]] = {
    "status": _table(STATUS_VALUES, STATUS_SPELLINGS),
    "recruitment_status": _table(RECRUITMENT_STATUS_VALUES, STATUS_SPELLINGS),
    "phase": _table(PHASE_VALUES, PHASE_SPELLINGS),
    "study_type": _table(STUDY_TYPE_VALUES, STUDY_TYPE_SPELLINGS),
    "sex": _table(SEX_VALUES, SEX_SPELLINGS),
    "standard_age": _table(STANDARD_AGE_VALUES, STANDARD_AGE_SPELLINGS),
    "agency_class": _table(AGENCY_CLASS_VALUES, AGENCY_CLASS_SPELLINGS),
    "date_type": _table(DATE_TYPE_VALUES, DATE_TYPE_SPELLINGS),
    "responsible_party": _table(RESPONSIBLE_PARTY_VALUES, RESPONSIBLE_PARTY_SPELLINGS),
    "allocation": _table(ALLOCATION_VALUES, ALLOCATION_SPELLINGS),
    "intervention_model": _table(INTERVENTION_MODEL_VALUES, INTERVENTION_MODEL_SPELLINGS),
    "primary_purpose": _table(PRIMARY_PURPOSE_VALUES, PRIMARY_PURPOSE_SPELLINGS),
    "observational_model": _table(OBSERVATIONAL_MODEL_VALUES, OBSERVATIONAL_MODEL_SPELLINGS),
    "time_perspective": _table(TIME_PERSPECTIVE_VALUES, {}),
    "masking": _table(MASKING_VALUES, MASKING_SPELLINGS),
    "arm_type": _table(ARM_TYPE_VALUES, ARM_TYPE_SPELLINGS),
    "intervention_type": _table(INTERVENTION_TYPE_VALUES, INTERVENTION_TYPE_SPELLINGS),
    "official_role": _table(OFFICIAL_ROLE_VALUES, OFFICIAL_ROLE_SPELLINGS),
    "reference_type": _table(REFERENCE_TYPE_VALUES, REFERENCE_TYPE_SPELLINGS),
}

# Masking is written "Quadruple (Participant, Care Provider, ...)": the word before the
# parenthesis is the value, the parenthesis lists who is masked.
_PAREN_TAIL = re.compile(r"\s*[\(\[].*$")


def lookup(kind: str, text: str | None) -> str | None:
    """The API v2 value for ``text``, or None when the table does not know it."""
    if text is None:
        return None
    table = TABLES[kind]
    key = fold(text)
    if key in table:
        return table[key]
    if kind in ("masking", "study_type"):
        return table.get(fold(_PAREN_TAIL.sub("", text)))
    return None


def normalise(
    kind: str, text: str | None, record: TrialRecord | None = None, field: str | None = None
) -> str | None:
    """The API v2 value; an unknown spelling is kept as written and warned about."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    value = lookup(kind, text)
    if value is not None:
        return value
    if record is not None:
        record.warn(field or kind, f"unknown {kind.replace('_', ' ')} value {text!r} kept as written",
                    code="unknown-enum")
    return text


_PHASE_TOKEN = re.compile(
    r"early\s*phase\s*[1i]\b|phase\s*[0-4]\b|phase\s*i{1,3}v?\b|phase\s*iv\b|\bn/?a\b|not\s+applicable",
    re.IGNORECASE,
)


def normalise_phases(
    text: str | list[str] | None, record: TrialRecord | None = None, field: str = "phases"
) -> list[str]:
    """Phases as a list: "Phase 1/Phase 2" -> ["PHASE1", "PHASE2"]; "N/A" -> ["NA"]."""
    if text is None:
        return []
    items = text if isinstance(text, list) else [text]
    out: list[str] = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        value = lookup("phase", item)
        if value is not None:
            found = [value]
        else:
            tokens = _PHASE_TOKEN.findall(item)
            found = [v for v in (lookup("phase", t) for t in tokens) if v]
            if not found or len(found) != len(tokens):
                found = [normalise("phase", item, record, field) or item]
        for v in found:
            if v not in out:
                out.append(v)
    return out
