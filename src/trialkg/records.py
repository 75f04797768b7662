"""The typed record model: one ``TrialRecord`` per trial, whatever format it came from.

Readers in ``trialkg.sources`` produce these; ``normalise`` and ``criteria`` fill the
``drugs``/``constraints`` parts; ``mapping`` turns a record into RDF. Enumerations use
the ClinicalTrials.gov API v2 values (``PHASE2``, ``RECRUITING``, ``EXPERIMENTAL``).

Everything is a plain dataclass so records pickle cheaply across worker processes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

DatePrecision = Literal["day", "month", "year"]
SourceFormat = Literal[
    "ctgov-json", "ctgov-xml", "page-ctgov", "page-classic", "page-aggregator"
]


@dataclass
class PartialDate:
    """A registry date that keeps its precision: "2019-06" stays a month."""

    value: str  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    precision: DatePrecision
    type: str | None = None  # ACTUAL or ESTIMATED when the source says so

    def __str__(self) -> str:
        return self.value


@dataclass
class SecondaryId:
    id: str
    type: str | None = None
    domain: str | None = None


@dataclass
class Sponsor:
    name: str
    role: Literal["lead", "collaborator"] = "lead"
    sponsor_class: str | None = None  # API v2 AgencyClass: INDUSTRY, OTHER, NIH, ...


@dataclass
class ResponsibleParty:
    type: str | None = None  # SPONSOR, PRINCIPAL_INVESTIGATOR, SPONSOR_INVESTIGATOR
    investigator_name: str | None = None
    investigator_title: str | None = None
    investigator_affiliation: str | None = None


@dataclass
class Official:
    name: str
    role: str | None = None  # STUDY_CHAIR, STUDY_DIRECTOR, PRINCIPAL_INVESTIGATOR
    affiliation: str | None = None


@dataclass
class Contact:
    name: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass
class GeoPoint:
    lat: float
    lon: float


@dataclass
class Site:
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: str | None = None  # API v2 RecruitmentStatus
    geo: GeoPoint | None = None
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class Arm:
    label: str
    type: str | None = None  # API v2 ArmGroupType: EXPERIMENTAL, ACTIVE_COMPARATOR, ...
    description: str | None = None
    intervention_names: list[str] = field(default_factory=list)  # "Drug: Apatinib"


@dataclass
class Intervention:
    name: str
    type: str | None = None  # API v2 InterventionType: DRUG, BIOLOGICAL, PROCEDURE, ...
    description: str | None = None
    other_names: list[str] = field(default_factory=list)
    arm_labels: list[str] = field(default_factory=list)
    inferred: bool = False  # named only in free text (a page that lost its list)
    inferred_from: str | None = None  # where the name was found, e.g. "briefSummary"
    # Filled by normalise: the generic names (lower case) this intervention is made of.
    drugs: list[str] = field(default_factory=list)
    normalisation: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    measure: str
    kind: Literal["primary", "secondary", "other"] = "primary"
    description: str | None = None
    time_frame: str | None = None


@dataclass
class Reference:
    pmid: str | None = None
    citation: str | None = None
    type: str | None = None  # BACKGROUND, RESULT, DERIVED


@dataclass
class CriterionItem:
    """One eligibility item as split from the text, before the criteria stage parses it."""

    section: Literal["inclusion", "exclusion"]
    text: str
    context: str | None = None  # the introducing line of a list ("... within 7 days:")
    position: int = 0
    scope: str | None = None  # the part of the trial a sub-section names ("Stage 1", "Cohort B")


@dataclass
class Eligibility:
    criteria_text: str | None = None
    inclusion: list[CriterionItem] = field(default_factory=list)
    exclusion: list[CriterionItem] = field(default_factory=list)
    min_age_years: float | None = None
    max_age_years: float | None = None
    min_age_text: str | None = None  # as written: "18 Years"
    max_age_text: str | None = None
    sex: str | None = None  # ALL, FEMALE, MALE
    gender_based: bool | None = None
    healthy_volunteers: bool | None = None
    std_ages: list[str] = field(default_factory=list)
    # "criteria" when the registry gave no age limits and the criteria stage took them from
    # the inclusion criteria ("aged 18-70 years"); None: the registry's own fields.
    age_limits_source: str | None = None
    # Filled by the criteria stage: dicts in the criterion JSON shape (docs/criteria.md).
    criteria: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Design:
    allocation: str | None = None  # RANDOMIZED, NON_RANDOMIZED, NA
    intervention_model: str | None = None  # PARALLEL, SINGLE_GROUP, ...
    masking: str | None = None  # NONE, SINGLE, DOUBLE, TRIPLE, QUADRUPLE
    primary_purpose: str | None = None  # TREATMENT, ...
    observational_model: str | None = None
    time_perspective: str | None = None


@dataclass
class Provenance:
    file: str  # the path as the user gave it
    format: SourceFormat
    sha256: str  # of the bytes the record came from (the whole file, or the member)
    layout: str | None = None  # page layout detected, or the JSON/XML container shape
    index: int | None = None  # position of the record inside a batch file
    member: str | None = None  # zip member name
    retrieved: str | None = None  # date the page says it was exported/updated


@dataclass
class Warning_:
    """A problem the record survived: kept, reported, never silently dropped."""

    field: str
    message: str
    code: str = "warning"


@dataclass
class TrialRecord:
    id: str  # the NCT id, or a derived "TKG-<hash>" id when the source has none
    nct_id: str | None
    provenance: Provenance
    org_study_id: str | None = None
    secondary_ids: list[SecondaryId] = field(default_factory=list)
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    status: str | None = None  # API v2 OverallStatus
    why_stopped: str | None = None
    phases: list[str] = field(default_factory=list)  # API v2 Phase values
    study_type: str | None = None  # INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS
    enrollment: int | None = None
    enrollment_type: str | None = None  # ACTUAL, ESTIMATED
    start_date: PartialDate | None = None
    primary_completion_date: PartialDate | None = None
    completion_date: PartialDate | None = None
    first_posted: PartialDate | None = None
    last_update: PartialDate | None = None
    design: Design = field(default_factory=Design)
    brief_summary: str | None = None
    detailed_description: str | None = None
    conditions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    condition_mesh: list[dict[str, str]] = field(default_factory=list)  # {"id", "term"}
    intervention_mesh: list[dict[str, str]] = field(default_factory=list)
    arms: list[Arm] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    eligibility: Eligibility = field(default_factory=Eligibility)
    sponsors: list[Sponsor] = field(default_factory=list)
    responsible_party: ResponsibleParty | None = None
    officials: list[Official] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    central_contacts: list[Contact] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    # Filled by normalise (knowledge stage): see trialkg.knowledge.
    drugs: list[dict[str, Any]] = field(default_factory=list)
    biomarkers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        return self.brief_title or self.official_title

    def warn(self, field_name: str, message: str, code: str = "warning") -> None:
        self.warnings.append(Warning_(field_name, message, code))

    def organizations(self) -> list[str]:
        """Every organisation named: sponsors, responsible party, officials' affiliations."""
        seen: dict[str, None] = {}
        for s in self.sponsors:
            seen.setdefault(s.name, None)
        rp = self.responsible_party
        if rp and rp.investigator_affiliation:
            seen.setdefault(rp.investigator_affiliation, None)
        for o in self.officials:
            if o.affiliation:
                seen.setdefault(o.affiliation, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        """Every field, for debugging and caching (the trial view is ``views.trial_view``)."""
        return dataclasses.asdict(self)
