"""The patient form of ``/match``: its fields to the patient document of docs/matching.md.

The form has one field per scalar (age, sex, ECOG, Karnofsky, life expectancy), a comma
list of conditions, and one line per prior therapy, lab, biomarker and flag, written the
way a coordinator notes them::

    therapies   Anlotinib Hydrochloride; 6; 4      (drug; weeks since last dose; weeks taken; mg a day)
                class: vegfr-tki; 12               (a drug class instead of a drug)
    labs        neutrophils 1200 /uL               (name value [unit]; "x ULN" units allowed)
    biomarkers  KDR amplification positive         (gene [variant] positive|negative)
    flags       cns_metastases: no                 (flag: yes|no)

``patient_from_form`` builds the document and ``match.parse_patient`` checks it, so a bad
field gives the same one-line error as a bad patient file. ``form_from_patient`` is the
inverse, to show an uploaded file in the form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from trialkg.errors import PatientError

SCALARS = ("age_years", "ecog", "karnofsky", "life_expectancy_months")
YES = {"yes", "y", "true", "1", "present", "positive"}
NO = {"no", "n", "false", "0", "absent", "negative"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _number(text: str, fld: str) -> float | int:
    t = text.strip().replace(",", "")
    if not _NUMBER.match(t):
        raise PatientError(f"expected a number, got {text!r}", file="form", field=fld)
    value = float(t)
    return int(value) if value.is_integer() and "." not in t else value


def _lines(text: str | None) -> list[str]:
    return [ln.strip() for ln in (text or "").splitlines() if ln.strip() and not ln.strip().startswith("#")]


def _therapy(line: str, n: int) -> dict[str, Any]:
    parts = [p.strip() for p in line.split(";")]
    head = parts[0]
    if head.lower().startswith("class:"):
        out: dict[str, Any] = {"drug_class": head[len("class:"):].strip()}
    else:
        out = {"drug": head}
    if len(parts) > 1 and parts[1]:
        out["weeks_since_last_dose"] = _number(parts[1], f"therapies line {n}")
    if len(parts) > 2 and parts[2]:
        out["duration_weeks"] = _number(parts[2], f"therapies line {n}")
    if len(parts) > 3 and parts[3]:
        out["daily_dose_mg"] = _number(parts[3], f"therapies line {n}")
    return out


def _lab(line: str, n: int) -> tuple[str, dict[str, Any]]:
    m = re.match(r"^(?P<name>[A-Za-z][\w-]*)\s*[:=]?\s*(?P<value>[+-]?[\d.,]+)\s*(?P<unit>.*)$", line)
    if m is None:
        raise PatientError(f"expected 'name value [unit]', got {line!r}", file="form", field=f"labs line {n}")
    lab: dict[str, Any] = {"value": _number(m.group("value"), f"labs line {n}")}
    if m.group("unit").strip():
        lab["unit"] = m.group("unit").strip()
    return m.group("name").lower(), lab


def _biomarker(line: str, n: int) -> dict[str, Any]:
    words = line.split()
    status = words[-1].lower() if len(words) > 1 else ""
    if status not in ("positive", "negative"):
        raise PatientError(f"expected 'GENE [variant] positive|negative', got {line!r}", file="form",
                           field=f"biomarkers line {n}")
    out: dict[str, Any] = {"gene": words[0], "status": status}
    if len(words) > 2:
        out["variant"] = " ".join(words[1:-1])
    return out


def _flag(line: str, n: int) -> tuple[str, bool]:
    name, _, value = line.partition(":")
    if not value:
        name, _, value = line.rpartition(" ")
    v = value.strip().lower()
    if v not in YES | NO:
        raise PatientError(f"expected 'flag: yes|no', got {line!r}", file="form", field=f"flags line {n}")
    return name.strip().lower().replace(" ", "_"), v in YES


def patient_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The patient document for the submitted fields (empty fields are left out)."""
    doc: dict[str, Any] = {"id": (form.get("id") or "form").strip() or "form"}
    for key in SCALARS:
        if (form.get(key) or "").strip():
            doc[key] = _number(form[key], key)
    if (form.get("sex") or "").strip():
        doc["sex"] = form["sex"].strip().upper()
    conditions = [c.strip() for c in (form.get("conditions") or "").split(",") if c.strip()]
    if conditions:
        doc["conditions"] = conditions
    therapies = [_therapy(ln, n) for n, ln in enumerate(_lines(form.get("therapies")), 1)]
    if therapies:
        doc["prior_therapies"] = therapies
    labs = dict(_lab(ln, n) for n, ln in enumerate(_lines(form.get("labs")), 1))
    if labs:
        doc["labs"] = labs
    markers = [_biomarker(ln, n) for n, ln in enumerate(_lines(form.get("biomarkers")), 1)]
    if markers:
        doc["biomarkers"] = markers
    flags = dict(_flag(ln, n) for n, ln in enumerate(_lines(form.get("flags")), 1))
    if flags:
        doc["flags"] = flags
    return doc


def _text(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def form_from_patient(doc: Mapping[str, Any]) -> dict[str, str]:
    """The form fields that give ``doc`` back (for showing an uploaded patient file)."""
    form = {k: _text(doc[k]) for k in SCALARS if doc.get(k) is not None}
    form["id"] = str(doc.get("id") or "")
    form["sex"] = str(doc.get("sex") or "")
    form["conditions"] = ", ".join(doc.get("conditions") or [])
    therapies = []
    for t in doc.get("prior_therapies") or []:
        head = t.get("drug") or ("class: " + t["drug_class"] if t.get("drug_class") else "")
        parts = [str(head),
                 _text(t["weeks_since_last_dose"]) if t.get("weeks_since_last_dose") is not None else "",
                 _text(t["duration_weeks"]) if t.get("duration_weeks") is not None else "",
                 _text(t["daily_dose_mg"]) if t.get("daily_dose_mg") is not None else ""]
        therapies.append("; ".join(parts).rstrip("; "))
    form["therapies"] = "\n".join(therapies)
    form["labs"] = "\n".join(f"{k} {_text(v.get('value'))} {v.get('unit') or ''}".rstrip()
                             for k, v in (doc.get("labs") or {}).items())
    form["biomarkers"] = "\n".join(" ".join(x for x in (b.get("gene"), b.get("variant"), b.get("status")) if x)
                                   for b in doc.get("biomarkers") or [])
    form["flags"] = "\n".join(f"{k}: {'yes' if v else 'no'}" for k, v in (doc.get("flags") or {}).items())
    return form
