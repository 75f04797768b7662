"""Generate realistic ClinicalTrials.gov API v2 JSON studies, seeded and deterministic.

Modelled on the real records in tests/data/ctgov_corpus/: varied phases, statuses and
designs; 1-4 arms; interventions drawn from a large drug vocabulary of which most is
unknown to trialkg's reference data (as in reality: real kinase inhibitors and
chemotherapies, plus thousands of made-up code names such as "XZ-4821");
conditions; sites, arms and criteria items in the ranges of the vendored real records
(tests/test_generate.py compares them); eligibility text assembled from real criteria
phrasing (numbered/bulleted items, lab thresholds with units and ULN multiples, ECOG,
prior-therapy windows) with numbers and clauses varied so that, as in real records,
few items repeat: the criteria parser does real work and its memo is not flattered.

Writes a bulk-download-style ``.zip`` (one ``NCTxxxxxxxx.json`` study object per
member, like the ClinicalTrials.gov bulk download) or a directory.

    python benchmarks/generate.py --trials 10000 -o benchmarks/out/trials-10k.zip
"""

from __future__ import annotations

import argparse
import json
import math
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Real drugs (most are in trialkg's reference data) and real chemotherapy/IO agents.
KNOWN_DRUGS = [
    ("Apatinib Mesylate", "DRUG"), ("Anlotinib Hydrochloride", "DRUG"), ("Surufatinib", "DRUG"),
    ("Pazopanib", "DRUG"), ("Regorafenib", "DRUG"), ("Sunitinib Malate", "DRUG"),
    ("Sorafenib Tosylate", "DRUG"), ("Lenvatinib", "DRUG"), ("Cabozantinib", "DRUG"),
    ("Axitinib", "DRUG"), ("Imatinib Mesylate", "DRUG"), ("Crizotinib", "DRUG"),
    ("Bevacizumab", "BIOLOGICAL"), ("Doxorubicin", "DRUG"), ("Epirubicin", "DRUG"),
    ("Ifosfamide", "DRUG"), ("Pirarubicin", "DRUG"), ("Toripalimab", "BIOLOGICAL"),
    ("Camrelizumab", "BIOLOGICAL"), ("Nivolumab", "BIOLOGICAL"), ("Pembrolizumab", "BIOLOGICAL"),
    ("Fruquintinib", "DRUG"), ("Gemcitabine", "DRUG"), ("Docetaxel", "DRUG"),
    ("Paclitaxel", "DRUG"), ("Carboplatin", "DRUG"), ("Cisplatin", "DRUG"),
    ("Trabectedin", "DRUG"), ("Eribulin", "DRUG"), ("Temozolomide", "DRUG"),
]
NON_DRUG = [
    ("Radiotherapy", "RADIATION"), ("Surgical resection", "PROCEDURE"),
    ("Exercise counselling", "BEHAVIORAL"), ("Blood sample collection", "OTHER"),
    ("Placebo", "DRUG"),
]
CONDITIONS = [
    "Soft Tissue Sarcoma", "Osteosarcoma", "Leiomyosarcoma", "Liposarcoma", "Synovial Sarcoma",
    "Gastrointestinal Stromal Tumors", "Non-small Cell Lung Cancer", "Hepatocellular Carcinoma",
    "Renal Cell Carcinoma", "Colorectal Cancer", "Thyroid Cancer", "Breast Cancer",
    "Gastric Cancer", "Ovarian Cancer", "Pancreatic Neuroendocrine Tumor", "Melanoma",
    "Glioblastoma", "Nasopharyngeal Carcinoma", "Esophageal Squamous Cell Carcinoma",
    "Small Cell Lung Cancer", "Cervical Cancer", "Endometrial Cancer",
]
SPONSORS = [
    ("Sun Yat-sen University", "OTHER"), ("Jiangsu HengRui Medicine Co., Ltd.", "INDUSTRY"),
    ("Chia Tai Tianqing Pharmaceutical Group Co., Ltd.", "INDUSTRY"),
    ("Hutchison Medipharma Limited", "INDUSTRY"), ("National Cancer Institute (NCI)", "NIH"),
    ("Novartis Pharmaceuticals", "INDUSTRY"), ("Pfizer", "INDUSTRY"), ("Bayer", "INDUSTRY"),
    ("Peking University People's Hospital", "OTHER"), ("Fudan University", "OTHER"),
    ("Memorial Sloan Kettering Cancer Center", "OTHER"), ("M.D. Anderson Cancer Center", "OTHER"),
    ("Alliance for Clinical Trials in Oncology", "NETWORK"), ("Shanghai Junshi Bioscience Co., Ltd.", "INDUSTRY"),
]
CITIES = [
    ("Guangzhou", "Guangdong", "China", 23.11667, 113.25), ("Shanghai", "Shanghai", "China", 31.22222, 121.45806),
    ("Beijing", "Beijing", "China", 39.9075, 116.39723), ("Hangzhou", "Zhejiang", "China", 30.29365, 120.16142),
    ("Houston", "Texas", "United States", 29.76328, -95.36327), ("New York", "New York", "United States", 40.71427, -74.00597),
    ("Boston", "Massachusetts", "United States", 42.35843, -71.05977), ("Paris", None, "France", 48.85341, 2.3488),
    ("Milan", None, "Italy", 45.46427, 9.18951), ("Madrid", None, "Spain", 40.4165, -3.70256),
    ("Seoul", None, "Korea, Republic of", 37.566, 126.9784), ("Tokyo", None, "Japan", 35.6895, 139.69171),
    ("Toronto", "Ontario", "Canada", 43.70011, -79.4163), ("Berlin", None, "Germany", 52.52437, 13.41053),
]
PHASES = [["PHASE1"], ["PHASE1", "PHASE2"], ["PHASE2"], ["PHASE2"], ["PHASE3"], ["PHASE4"], ["EARLY_PHASE1"]]
STATUSES = ["RECRUITING", "COMPLETED", "ACTIVE_NOT_RECRUITING", "NOT_YET_RECRUITING", "TERMINATED", "UNKNOWN", "WITHDRAWN"]
ARM_TYPES = ["EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "NO_INTERVENTION", "OTHER"]
SITE_STATUSES = ["RECRUITING", "NOT_YET_RECRUITING", "COMPLETED", "ACTIVE_NOT_RECRUITING", None]

# Criteria phrasing as it appears in real records (numbers and units varied below).
INCLUSION_TEMPLATES = [
    "Age {age_lo}-{age_hi} years old, male or female",
    "Aged ≥ {age_lo} years",
    "Histologically or cytologically confirmed {condition}",
    "Eastern Cooperative Oncology Group (ECOG) performance status of 0-{ecog}",
    "ECOG PS 0-1 (0-2 for amputees)",
    "Karnofsky performance status ≥ {kps}%",
    "At least one measurable lesion according to RECIST 1.1",
    "Life expectancy of at least {months} months",
    "The main organ function meets the following criteria within {days} days before treatment:\n   1. ANC ≥ {anc} × 10\\^9/L\n   2. PLT ≥ {plt} × 10\\^9/L\n   3. Hb ≥ {hb} g/dL\n   4. TBIL ≤ {tbil} × ULN\n   5. ALT and AST ≤ 2.5 × ULN (≤ 5 × ULN with liver metastases)\n   6. Serum creatinine ≤ 1.5 × ULN or creatinine clearance ≥ {crcl} mL/min",
    "Absolute neutrophil count (ANC) \\>= {anc} x 10\\^9/L",
    "Platelets \\>= {plt_ul}/uL",
    "Hemoglobin \\>= {hb_gl} g/L",
    "Serum albumin ≥ {alb} g/L",
    "Left ventricular ejection fraction (LVEF) ≥ {lvef}%",
    "INR ≤ 1.5 and APTT ≤ 1.5 × ULN",
    "Women of childbearing potential must have a negative pregnancy test within 7 days before enrollment",
    "Patients must have progressed after at least one prior line of systemic therapy",
    "Signed and dated informed consent",
    "Adequate bone marrow, liver and kidney function",
]
EXCLUSION_TEMPLATES = [
    "Previous treatment with {drug} or other VEGFR inhibitors",
    "Prior treatment with anti-angiogenic drugs (such as bevacizumab, sorafenib, sunitinib, apatinib) within the past {months} months",
    "Patients who have received VEGFR TKIs for more than {weeks} weeks",
    "Prior therapy with anti-PD-1 or anti-PD-L1 antibodies",
    "Chemotherapy, radiotherapy or immunotherapy within {weeks} weeks before the first dose",
    "Known brain metastases or leptomeningeal disease",
    "Uncontrolled hypertension (systolic blood pressure \\> {sbp} mmHg or diastolic blood pressure \\> 90 mmHg despite treatment)",
    "QTc interval \\> {qtc} ms",
    "Pregnant or breastfeeding women",
    "Active hepatitis B or hepatitis C infection",
    "Urine protein ≥ ++ and 24-hour urine protein \\> 1.0 g",
    "History of other malignancies within 5 years, except cured basal cell carcinoma of the skin or carcinoma in situ of the cervix",
    "Major surgery within {days} days before enrollment",
    "Known hypersensitivity to {drug} or any of its excipients",
    "Participation in another interventional clinical trial within {days} days",
    "Any condition that, in the investigator's opinion, would interfere with the evaluation of the study drug",
]
CODE_PREFIXES = ["XZ", "HLX", "BGB", "SHR", "TQB", "HMPL", "JS", "IBI", "AK", "ZG", "LY", "MK", "BAY", "PF", "ABT", "GSK"]


def _code_name(rng: random.Random) -> str:
    return f"{rng.choice(CODE_PREFIXES)}-{rng.randint(100, 9999)}"


# Real criteria items are nearly all unique across trials (7 % of the items of the 76
# vendored records in tests/data/ctgov_corpus are extra copies of another): each trial
# words its thresholds, windows and exceptions its own way. So an item here is a template
# (above, or a composed one below) with its numbers drawn from wide ranges, often a
# qualifying clause, and the odd boilerplate item repeated verbatim ("Signed informed
# consent"), as registries do.
QUALIFIERS = [
    "", " within {days} days before randomization", " within {days} days prior to enrollment",
    " at least {days} days before the first dose of study treatment", " within {weeks} weeks of registration",
    " within {months} months before screening", " at least {days} days after the last dose of {drug}",
    " (assessed within {days} days before cycle 1 day 1)", " (patients with {condition} after discussion with the sponsor)",
    " as assessed by the investigator within {days} days", " (per local laboratory, within {days} days of registration)",
    " confirmed by central review within {weeks} weeks", " documented within the past {months} months",
    " (re-tested within {days} days if abnormal)", ", unless stable for at least {weeks} weeks",
    " at screening and on day {days}",
]
BOILERPLATE = [
    "Signed informed consent", "Pregnant or breastfeeding women", "Able to comply with the study protocol",
    "Women of childbearing potential must use effective contraception",
    "Known hypersensitivity to any component of the study drugs",
]
ORGANS = ["liver", "renal", "cardiac", "pulmonary", "bone marrow", "thyroid", "adrenal", "gastrointestinal",
          "neurological", "cutaneous", "ocular", "hepatic", "biliary", "pancreatic"]
EVENTS = ["myocardial infarction", "stroke", "pulmonary embolism", "deep vein thrombosis", "bowel obstruction",
          "gastrointestinal perforation", "interstitial lung disease", "grade 3 hemorrhage", "arterial thrombosis",
          "hepatic encephalopathy", "symptomatic pleural effusion", "spinal cord compression"]
COMPOSED = [
    "History of {event} within {months} months before enrollment",
    "Clinically significant {organ} disease requiring treatment within {weeks} weeks",
    "Grade ≥ {grade} {organ} toxicity from prior therapy not resolved to grade ≤ 1",
    "Prior {cycles} or more lines of systemic therapy for {condition}",
    "Unresolved {organ} dysfunction (CTCAE grade {grade} or higher) at screening",
    "Received a live vaccine within {days} days before the first dose of {drug}",
    "Body weight ≥ {weight} kg",
    "Total bilirubin ≤ {tbil} × ULN (≤ {tbil3} × ULN for Gilbert's syndrome)",
    "AST and ALT ≤ {alt} × ULN, or ≤ 5 × ULN with {organ} metastases",
    "Creatinine clearance ≥ {crcl} mL/min (Cockcroft-Gault)",
    "Neutrophils ≥ {anc} × 10^9/L and platelets ≥ {plt} × 10^9/L without transfusion within {days} days",
    "At least {weeks} weeks since the last dose of {drug} and recovery from its toxicities",
    "Measurable disease in at least {lesions} site(s) outside a previously irradiated field",
    "Tumour tissue (archival within {months} months, or fresh biopsy) available for {gene} testing",
    "{gene} {alteration} confirmed by a validated assay",
    "No {event} within the {months} months before study entry",
]
GENES = ["EGFR", "ALK", "ROS1", "KIT", "PDGFRA", "BRAF", "KRAS", "HER2", "MET", "RET", "NTRK1", "FGFR2", "IDH1", "MDM2"]
ALTERATIONS = ["mutation", "amplification", "fusion", "overexpression (IHC 3+)", "exon 19 deletion", "rearrangement"]


def _fill(template: str, rng: random.Random, condition: str, drug: str) -> str:
    lines = template.split("\n")
    text = "\n".join(line + rng.choice(QUALIFIERS) if i else line for i, line in enumerate(lines))
    if len(lines) == 1:
        text += rng.choice(QUALIFIERS)
    return text.format(
        age_lo=rng.choice([12, 14, 16, 18, 18, 18, 18, 20, 21]), age_hi=rng.choice([60, 65, 70, 75, 80, 85]),
        condition=condition.lower(), ecog=rng.choice([1, 1, 2, 2, 3]), kps=rng.choice([50, 60, 70, 80]),
        months=rng.randint(1, 24), days=rng.randint(3, 42), anc=rng.choice([1.0, 1.2, 1.5, 1.5, 2.0]),
        plt=rng.choice([50, 75, 80, 90, 100, 100, 125]), plt_ul=rng.choice([50000, 75000, 100000]),
        hb=rng.choice([8, 8.5, 9, 9, 10]), hb_gl=rng.choice([80, 85, 90, 100]), tbil=rng.choice([1.0, 1.5, 2.0]),
        tbil3=rng.choice([2.5, 3]), crcl=rng.choice([30, 40, 45, 50, 60]), alb=rng.choice([25, 28, 30, 35]),
        lvef=rng.choice([40, 45, 50, 55]), weeks=rng.randint(1, 12), sbp=rng.choice([140, 150, 160]),
        qtc=rng.choice([450, 470, 480, 500]), drug=drug, event=rng.choice(EVENTS), organ=rng.choice(ORGANS),
        grade=rng.choice([2, 3]), cycles=rng.randint(1, 4), weight=rng.choice([30, 35, 40, 45]),
        alt=rng.choice([2.5, 3]), lesions=rng.choice([1, 1, 2]), gene=rng.choice(GENES),
        alteration=rng.choice(ALTERATIONS),
    )


def _criteria_items(rng: random.Random, templates: list[str], n: int, condition: str, drug: str) -> list[str]:
    """``n`` items: templates and composed ones without repeating a template, plus boilerplate."""
    pool = templates + COMPOSED
    picks = rng.sample(pool, k=min(n, len(pool)))
    items = [_fill(t, rng, condition, drug) for t in picks]
    if rng.random() < 0.05:
        items.insert(rng.randrange(len(items) + 1), rng.choice(BOILERPLATE))
    return items


def _count(rng: random.Random, median: int, spread: float, lo: int, hi: int) -> int:
    """A right-skewed count (log-normal) around ``median``, as registries' counts are."""
    return max(lo, min(hi, round(rng.lognormvariate(math.log(median), spread))))


def _date(rng: random.Random, year_lo: int, year_hi: int, month_only: bool = False) -> str:
    y, m = rng.randint(year_lo, year_hi), rng.randint(1, 12)
    return f"{y}-{m:02d}" if month_only else f"{y}-{m:02d}-{rng.randint(1, 28):02d}"


def generate_study(index: int, rng: random.Random) -> dict[str, Any]:
    """One API v2 study object; ``index`` makes the NCT id."""
    nct = f"NCT9{index:07d}"
    condition = rng.choice(CONDITIONS)
    # Arms, sites and criteria follow the vendored real records (tests/test_generate.py):
    # arms median 1 (p90 3), sites median 1 (p90 about 40, a few hundred at most),
    # criteria items median about 25 (p90 about 47).
    n_arms = rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 6])
    interventions: list[dict[str, Any]] = []
    arms: list[dict[str, Any]] = []
    for a in range(n_arms):
        picks = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            r = rng.random()
            if r < 0.45:
                picks.append((_code_name(rng), "DRUG"))  # unknown to the reference data
            elif r < 0.9:
                picks.append(rng.choice(KNOWN_DRUGS))
            else:
                picks.append(rng.choice(NON_DRUG))
        label = f"Arm {chr(65 + a)}: " + " + ".join(p[0] for p in picks)
        arms.append({
            "label": label, "type": rng.choice(ARM_TYPES[:2]) if a else "EXPERIMENTAL",
            "description": "; ".join(f"{p[0]} {rng.choice([100, 250, 500, 750])} mg {rng.choice(['once daily', 'twice daily', 'every 3 weeks'])}" for p in picks),
            "interventionNames": [f"{p[1].title()}: {p[0]}" for p in picks],
        })
        for name, itype in picks:
            existing = next((i for i in interventions if i["name"] == name), None)
            if existing:
                existing["armGroupLabels"].append(label)
            else:
                interventions.append({"type": itype, "name": name, "armGroupLabels": [label],
                                      "description": f"{name} as described in the protocol."})
    drugs = [i["name"] for i in interventions if i["type"] in ("DRUG", "BIOLOGICAL") and i["name"] != "Placebo"]
    first_drug = drugs[0] if drugs else interventions[0]["name"]
    n_items = _count(rng, 24, 0.5, 4, 80)
    inc = _criteria_items(rng, INCLUSION_TEMPLATES, max(2, n_items * 2 // 5), condition, first_drug)
    exc = _criteria_items(rng, EXCLUSION_TEMPLATES, max(2, n_items - len(inc)), condition, first_drug)
    criteria = "Inclusion Criteria:\n\n" + "\n".join(f"* {t}" for t in inc)
    criteria += "\n\nExclusion Criteria:\n\n" + "\n".join(f"{i}. {t}" for i, t in enumerate(exc, 1))
    lead = rng.choice(SPONSORS)
    collaborators = [{"name": n, "class": c} for n, c in rng.sample(SPONSORS, k=rng.choice([0, 0, 1, 2])) if n != lead[0]]
    n_sites = 1 if rng.random() < 0.55 else _count(rng, 8, 1.3, 1, 800)
    locations = []
    for s in range(n_sites):
        city, state, country, lat, lon = rng.choice(CITIES)
        loc: dict[str, Any] = {"facility": f"{city} Cancer Center {s + 1}", "city": city, "country": country,
                               "geoPoint": {"lat": lat, "lon": lon}}
        if state:
            loc["state"] = state
        status = rng.choice(SITE_STATUSES)
        if status:
            loc["status"] = status
        locations.append(loc)
    phases = rng.choice(PHASES)
    start = _date(rng, 2008, 2025, month_only=rng.random() < 0.4)
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": nct, "orgStudyIdInfo": {"id": f"{lead[0][:3].upper()}-{index}"},
                "organization": {"fullName": lead[0], "class": lead[1]},
                "briefTitle": f"{first_drug} in Patients With Advanced {condition} ({nct[-5:]})",
                "officialTitle": f"A {phases[-1].replace('PHASE', 'Phase ').title()} Study of {first_drug} in Patients With Advanced or Metastatic {condition}",
            },
            "statusModule": {
                "overallStatus": rng.choice(STATUSES),
                "startDateStruct": {"date": start, "type": "ACTUAL"},
                "primaryCompletionDateStruct": {"date": _date(rng, 2012, 2028), "type": "ESTIMATED"},
                "completionDateStruct": {"date": _date(rng, 2013, 2030, month_only=rng.random() < 0.5), "type": "ESTIMATED"},
                "studyFirstPostDateStruct": {"date": start if len(start) == 10 else start + "-15", "type": "ACTUAL"},
            },
            "sponsorCollaboratorsModule": {
                "responsibleParty": {"type": "SPONSOR"},
                "leadSponsor": {"name": lead[0], "class": lead[1]},
                "collaborators": collaborators,
            },
            "descriptionModule": {"briefSummary": f"This study evaluates the efficacy and safety of {first_drug} in {condition.lower()}."},
            "conditionsModule": {"conditions": [condition] + ([rng.choice(CONDITIONS)] if rng.random() < 0.2 else []),
                                 "keywords": [first_drug.lower(), condition.lower()]},
            "designModule": {
                "studyType": "INTERVENTIONAL", "phases": phases,
                "designInfo": {"allocation": "RANDOMIZED" if n_arms > 1 else "NA",
                               "interventionModel": "PARALLEL" if n_arms > 1 else "SINGLE_GROUP",
                               "primaryPurpose": "TREATMENT", "maskingInfo": {"masking": rng.choice(["NONE", "NONE", "DOUBLE"])}},
                "enrollmentInfo": {"count": rng.randint(10, 800), "type": rng.choice(["ACTUAL", "ESTIMATED"])},
            },
            "armsInterventionsModule": {"armGroups": arms, "interventions": interventions},
            "outcomesModule": {"primaryOutcomes": [{"measure": "Progression-free survival (PFS)", "timeFrame": "up to 24 months"}],
                               "secondaryOutcomes": [{"measure": "Objective response rate (ORR)", "timeFrame": "up to 24 months"}]},
            "eligibilityModule": {
                "eligibilityCriteria": criteria, "healthyVolunteers": False,
                "sex": rng.choice(["ALL", "ALL", "ALL", "FEMALE", "MALE"]),
                "minimumAge": f"{rng.choice([14, 18, 18, 18])} Years",
                **({"maximumAge": f"{rng.choice([65, 70, 75])} Years"} if rng.random() < 0.5 else {}),
                "stdAges": ["ADULT", "OLDER_ADULT"],
            },
            "contactsLocationsModule": {"locations": locations},
        },
        "hasResults": False,
    }


def iter_studies(n: int, seed: int = 42) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(n):
        yield generate_study(i, rng)


def write_zip(path: Path, n: int, seed: int = 42) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for study in iter_studies(n, seed):
            nct = study["protocolSection"]["identificationModule"]["nctId"]
            zf.writestr(f"{nct}.json", json.dumps(study, ensure_ascii=False))
    return path


def write_dir(path: Path, n: int, seed: int = 42) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for study in iter_studies(n, seed):
        nct = study["protocolSection"]["identificationModule"]["nctId"]
        (path / f"{nct}.json").write_text(json.dumps(study, ensure_ascii=False), encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("-o", "--output", type=Path, required=True, help="a .zip file or a directory")
    args = ap.parse_args()
    if args.output.suffix == ".zip":
        write_zip(args.output, args.trials, args.seed)
    else:
        write_dir(args.output, args.trials, args.seed)
    print(f"wrote {args.trials} studies to {args.output}")


if __name__ == "__main__":
    main()
