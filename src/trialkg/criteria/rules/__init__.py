"""The criteria rules, one module per constraint type, and the one list of them.

``CLAIMS`` read the scales whose numbers are no thresholds of a variable (performance
status, NYHA class) before any comparison is read; ``RULES`` then run in this order,
each appending its constraints to the item's reading (``reading.Reading``). A later rule
sees what the earlier ones found: a comorbidity is not read in a threshold's condition,
a named condition only when nothing else was read.

| module | reads |
| --- | --- |
| ``comparisons.py`` | the comparison grammar: operators, ranges, bounds after the value, references (ULN) |
| ``binding.py`` | variable mentions, the binding of a comparison to them, threshold conditions |
| ``age.py`` | age limits |
| ``life.py`` | life expectancy |
| ``performance.py`` | ECOG / WHO / Karnofsky / Lansky |
| ``numeric.py`` | lab and vital limits, checked against the variable table |
| ``scales.py`` | NYHA class, scale scores without an operator (Gleason, ASA) |
| ``person.py`` | sex, reproductive status, consent, participation |
| ``therapy.py`` | prior therapy, washouts and windows, drugs named as context |
| ``disease.py`` | histology, disease states, comorbidities, named conditions |
| ``biomarkers.py`` | receptor status, mutations, expression |
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trialkg.criteria.rules import (
    age,
    biomarkers,
    disease,
    life,
    numeric,
    performance,
    person,
    scales,
    therapy,
)
from trialkg.criteria.rules.reading import Reading

Rule = Callable[[Reading], list[dict[str, Any]]]

CLAIMS: tuple[Callable[[Reading], None], ...] = (performance.claim, scales.claim_nyha)

RULES: tuple[tuple[str, Rule], ...] = (
    ("age", age.read),
    ("life_expectancy", life.read),
    ("performance_status", performance.read),
    ("numeric", numeric.read),
    ("scale", scales.read),
    ("sex", person.read_sex),
    ("prior_therapy", therapy.read),
    ("histology", disease.read_histology),
    ("biomarker", biomarkers.read),
    ("disease_state", disease.read_states),
    ("comorbidity", disease.read_comorbidities),
    ("reproductive", person.read_reproductive),
    ("consent", person.read_consent),
    ("diagnosis", disease.read_diagnosis),
    ("condition", disease.read_condition),
    ("participation", person.read_participation),
)

__all__ = ["CLAIMS", "RULES", "Reading", "Rule"]
