"""Compile ``ontology/reference/diseases.tsv`` from an OncoTree release and two curated tables.

    python -m trialkg.tools.compile_diseases ONCOTREE.json [--out ontology/reference/diseases.tsv]

Inputs:

- an OncoTree tree file (cBioPortal/oncotree ``trees/oncotree_<date>.json``, CC BY 4.0);
- ``ontology/reference/disease_groups.tsv``: histology groups that cut across OncoTree's
  site-first tree (Sarcoma, Carcinoma, Adenocarcinoma, Squamous Cell Carcinoma, Leukemia
  ...). A group's members are the OncoTree nodes whose name matches ``member_pattern``,
  outside ``skip_tissues``;
- ``ontology/reference/disease_synonyms.tsv``: synonyms, abbreviations and site words
  as trials write them, each with the trial or usage it comes from.

Cross-links: OncoTree files "Uterine Leiomyosarcoma" (ULMS) under UTERUS, not under
SOFT_TISSUE > LMS. A node whose name contains the whole name of a sarcoma of the Soft
Tissue or Bone tissue ("Uterine Leiomyosarcoma" contains "Leiomyosarcoma", "Breast
Angiosarcoma" contains "Angiosarcoma") gets that node as a second parent, so the site
tree and the histology both hold.

"Cancer" of a site: a tissue whose tumour types are mostly carcinomas (Breast, Lung,
Pancreas ...) reads "<site> cancer" as "carcinoma of <site>" (column ``cancer_means``),
the way trials use "breast cancer"; Soft Tissue, Bone, Myeloid and Lymphoid do not.

Output columns: code, name, parents (``|``), tissue, main_type, ncit, umls, synonyms
(``|``), site_words (``|``), cancer_means, source.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

COLUMNS = ("code", "name", "parents", "tissue", "main_type", "ncit", "umls", "synonyms",
           "site_words", "cancer_means", "source")
SARCOMA_TISSUES = ("SOFT_TISSUE", "BONE")
CARCINOMA_SHARE = 0.5  # a tissue reads "<site> cancer" as carcinoma above this share


def _walk(node: dict, out: dict[str, dict]) -> None:
    out[node["code"]] = node
    for child in (node.get("children") or {}).values():
        _walk(child, out)


def read_oncotree(path: Path) -> dict[str, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    nodes: dict[str, dict] = {}
    _walk(data["TISSUE"], nodes)
    return nodes


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _tissue_code(node: dict, nodes: dict[str, dict]) -> str:
    code = node["code"]
    while nodes[code]["parent"] not in (None, "TISSUE"):
        code = nodes[code]["parent"]
    return code


def _cross_links(nodes: dict[str, dict], tissue_of: dict[str, str]) -> dict[str, set[str]]:
    """Sarcoma types filed under another site get the Soft Tissue/Bone type they name."""
    named = {}
    for code, n in nodes.items():
        if tissue_of.get(code) in SARCOMA_TISSUES and code not in SARCOMA_TISSUES and re.search(r"sarcoma$", n["name"], re.I):
            named[code] = re.compile(rf"\b{re.escape(n['name'])}\b", re.I)
    links: dict[str, set[str]] = {}
    for code, n in nodes.items():
        if code == "TISSUE":
            continue
        for target, pattern in named.items():
            if target != code and tissue_of.get(code) != tissue_of[target] and pattern.search(n["name"]):
                links.setdefault(code, set()).add(target)
    return links


def compile_rows(nodes: dict[str, dict], groups: list[dict[str, str]], synonyms: list[dict[str, str]]) -> list[dict[str, str]]:
    tissue_of = {c: _tissue_code(n, nodes) for c, n in nodes.items() if c != "TISSUE"}
    parents: dict[str, set[str]] = {c: ({n["parent"]} if n["parent"] else set()) for c, n in nodes.items()}
    for code, extra in _cross_links(nodes, tissue_of).items():
        parents[code] |= extra
    group_keys = {g["key"] for g in groups}
    for g in groups:
        skip = set(filter(None, g["skip_tissues"].split("|")))
        pattern = re.compile(g["member_pattern"], re.I) if g["member_pattern"] else None
        for code, n in nodes.items():
            if code == "TISSUE" or tissue_of[code] in skip:
                continue
            is_tissue = tissue_of[code] == code
            if (g["key"] == "SOLID" and is_tissue) or (pattern and not is_tissue and pattern.search(n["name"])):
                parents[code].add(g["key"])
        if g["key"] == "SARCOMA":
            parents.update({t: parents[t] | {"SARCOMA"} for t in SARCOMA_TISSUES})
    syn: dict[str, list[str]] = {}
    sites: dict[str, list[str]] = {}
    for row in synonyms:
        if row["code"] not in nodes and row["code"] not in group_keys:
            raise SystemExit(f"disease_synonyms.tsv: unknown code {row['code']!r} (synonym {row['synonym']!r})")
        (sites if row["kind"] == "site" else syn).setdefault(row["code"], []).append(row["synonym"])
    rows = []
    for code, n in nodes.items():
        refs = n.get("externalReferences") or {}
        rows.append({
            "code": code, "name": n["name"], "parents": "|".join(sorted(parents[code])),
            "tissue": tissue_of.get(code, ""), "main_type": n.get("mainType") or "",
            "ncit": "|".join(refs.get("NCI", [])), "umls": "|".join(refs.get("UMLS", [])),
            "synonyms": "|".join(syn.get(code, [])), "site_words": "|".join(sites.get(code, [])),
            "cancer_means": _cancer_means(code, tissue_of, parents), "source": "oncotree",
        })
    for g in groups:
        rows.append({"code": g["key"], "name": g["name"], "parents": g["parents"], "tissue": "", "main_type": "",
                     "ncit": "", "umls": "", "synonyms": "|".join(filter(None, [g["synonyms"], *syn.get(g["key"], [])])),
                     "site_words": "", "cancer_means": "", "source": "curated"})
    return rows


def _cancer_means(code: str, tissue_of: dict[str, str], parents: dict[str, set[str]]) -> str:
    """``CARCINOMA`` for a tissue most of whose tumour types are carcinomas."""
    if tissue_of.get(code) != code:
        return ""
    members = [c for c, t in tissue_of.items() if t == code and c != code]
    if not members:
        return ""
    carcinomas = sum(1 for c in members if _under(c, "CARCINOMA", parents))
    return "CARCINOMA" if carcinomas / len(members) > CARCINOMA_SHARE else ""


def _under(code: str, target: str, parents: dict[str, set[str]]) -> bool:
    seen, todo = set(), [code]
    while todo:
        c = todo.pop()
        if c == target:
            return True
        if c not in seen:
            seen.add(c)
            todo.extend(parents.get(c, ()))
    return False


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parents[3] / "ontology" / "reference"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("oncotree", type=Path)
    ap.add_argument("--reference", type=Path, default=here, help="folder with disease_groups.tsv and disease_synonyms.tsv")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    rows = compile_rows(read_oncotree(args.oncotree), _read_tsv(args.reference / "disease_groups.tsv"),
                        _read_tsv(args.reference / "disease_synonyms.tsv"))
    out = args.out or args.reference / "diseases.tsv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{out}: {len(rows)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
