"""SHACL shapes compiled to SPARQL SELECT queries that run over the whole store.

- ``compiler``: targets, paths and the core constraint components (one registry of
  the supported ones), nested shapes, and ``compile_shapes``;
- ``sparql_constraints``: SPARQL-based constraints (``sh:sparql``) and SPARQL-based
  constraint components (``sh:validator``, ``sh:nodeValidator``, ``sh:propertyValidator``);
- ``prebinding``: how ``$this``, ``$value`` and parameters are pre-bound in those queries;
- ``literals``: well-formed literals of every XSD datatype (``sh:datatype``);
- ``check``: one compiled check and ``run_checks``.
"""

from trialkg.shacl.check import Check, UnsupportedShapeError, run_checks
from trialkg.shacl.compiler import compile_shapes

__all__ = ["Check", "UnsupportedShapeError", "compile_shapes", "run_checks"]
