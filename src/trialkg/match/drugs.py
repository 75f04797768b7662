"""Drugs and drug classes of the reference graph, to resolve a patient's prior therapies."""

from __future__ import annotations

from typing import Any

from trialkg import iris
from trialkg.knowledge.lexicon import Lexicon
from trialkg.knowledge.normalise import normalise_intervention_name
from trialkg.store.read import select


class DrugKnowledge:
    """Drugs and drug classes from the reference graph, to resolve a patient's prior therapies.

    A patient's drug name goes through the same normaliser as interventions (salts,
    code names, synonyms), then to its ``tkr:drug/...`` IRI; class membership is
    ``tkg:inDrugClass/skos:broader*`` in the graph, so the reason for a catch is a path
    of triples. A drug the store's reference graph does not hold (no trial uses it:
    letrozole, methotrexate for a patient) takes its classes from the lexicon, where the
    reference build derived them from its mechanism or INN stem.
    """

    def __init__(self, store: Any) -> None:
        self._direct: dict[str, set[str]] = {}  # drug IRI -> tkg:inDrugClass
        self._broader: dict[str, set[str]] = {}  # class IRI -> skos:broader
        self._labels: dict[str, str] = {}
        self._drug_names: dict[str, str] = {}  # lower-case name -> drug IRI
        self._class_names: dict[str, str] = {}  # lower-case name/key -> class IRI
        self._names: dict[str, str] = {}  # drug IRI -> the lexicon's name, for drugs resolved by name
        drug_ns, class_ns = iris.TKR + "drug/", iris.TKR + "drugclass/"
        for row in select(store, "SELECT ?d ?c WHERE { ?d tkg:inDrugClass ?c }", text=True):
            self._direct.setdefault(row["d"], set()).add(row["c"])
        for row in select(store, "SELECT ?c ?p WHERE { ?c skos:broader ?p }", text=True):
            if row["c"].startswith(class_ns):
                self._broader.setdefault(row["c"], set()).add(row["p"])
        q = f"""
SELECT ?x ?name ?kind WHERE {{
  {{ ?x rdfs:label ?name BIND("label" AS ?kind) }} UNION {{ ?x skos:prefLabel ?name BIND("label" AS ?kind) }}
  UNION {{ ?x skos:altLabel ?name BIND("alt" AS ?kind) }} UNION {{ ?x tkg:codeName ?name BIND("alt" AS ?kind) }}
  UNION {{ ?x tkg:saltForm ?name BIND("alt" AS ?kind) }} UNION {{ ?x tkg:classKey ?name BIND("key" AS ?kind) }}
  FILTER(STRSTARTS(STR(?x), "{drug_ns}") || STRSTARTS(STR(?x), "{class_ns}"))
}}"""
        for row in select(store, q, text=True):
            x, name = row["x"], row["name"].strip()
            table = self._drug_names if x.startswith(drug_ns) else self._class_names
            table.setdefault(name.lower(), x)
            if row["kind"] == "label":
                self._labels.setdefault(x, name)

    def label(self, iri: str) -> str:
        return self._labels.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1]

    def resolve_drug(self, name: str) -> list[str]:
        """Drug IRIs a written name stands for ('Apatinib Mesylate', 'rivoceranib' -> apatinib)."""
        resolution = normalise_intervention_name(name)
        names = getattr(resolution, "drugs", None) or []
        found = [iris.drug(d) for d in names]
        self._names.update(zip(found, names, strict=True))
        if not found:
            hit = self._drug_names.get(name.strip().lower())
            if hit:
                found = [hit]
        return found

    def lexicon_name(self, drug_iri: str) -> str:
        """The lexicon's name of a drug the patient file names (its IRI's slug otherwise)."""
        return self._names.get(drug_iri) or drug_iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")

    def resolve_class(self, name: str) -> str | None:
        key = name.strip().lower()
        return self._class_names.get(key) or self._class_names.get(iris.slug(name))

    def classes_of(self, drug_iri: str) -> set[str]:
        """The drug's classes and all their ancestors (``tkg:inDrugClass/skos:broader*``)."""
        out: set[str] = set()
        direct = self._direct.get(drug_iri)
        if direct is None and drug_iri in self._names:
            info = Lexicon.default().drug(self._names[drug_iri])
            direct = {iris.drug_class(c) for c in (info.classes if info else ())}
        for c in direct or set():
            out |= self.class_ancestors(c)
        return out

    def class_ancestors(self, class_iri: str) -> set[str]:
        seen = {class_iri}
        todo = [class_iri]
        while todo:
            for parent in self._broader.get(todo.pop(), set()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

