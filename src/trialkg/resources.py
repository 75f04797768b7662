"""Data files shipped in the wheel: the ontology, SHACL shapes, reference data, queries.

The build force-includes the repository's ``ontology/`` and ``queries/`` folders as
``trialkg/data/ontology`` and ``trialkg/data/queries``; code reads them through
``importlib.resources`` so an installed wheel works without a checkout.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def data_dir(kind: str) -> Traversable:
    """The shipped folder ``kind`` (``ontology`` or ``queries``)."""
    return files("trialkg").joinpath("data", kind)


def ontology_file(name: str) -> Traversable:
    return data_dir("ontology").joinpath(name)


def query_dir() -> Traversable:
    return data_dir("queries")
