"""SHACL shapes compiled to SPARQL SELECT queries that run over the whole store.

pySHACL walks an in-memory rdflib graph node by node (about 0.3 s per trial graph), so
a 100k-trial store would take hours. Here every (shape, constraint component) pair
becomes one SELECT over the store's union default graph that returns only the focus
nodes (and value nodes) that violate it; the store's indexes do the work. The
queries see every graph at once (trial graphs, reference, entities, ontology), so
facts stated once in a shared graph (organisation labels, subclass axioms) count
exactly as in one whole-graph pySHACL run.

Supported: targets (targetClass with rdfs:subClassOf*, targetNode, targetSubjectsOf,
targetObjectsOf, implicit class targets); property shapes with any SHACL path; the
core components class, datatype, nodeKind, minCount, maxCount, in, hasValue,
pattern, min/maxInclusive, min/maxExclusive, min/maxLength, node, or, and, not,
xone; property shapes inside property shapes (their focus nodes are the outer
shape's value nodes); SPARQL-based constraints and SPARQL-based constraint components
(``trialkg.shacl.sparql_constraints``). Anything else in a shape raises
``UnsupportedShapeError`` when the shapes are loaded, never a silent skip.

Literals are compared as the store holds them. The store rewrites valid literals of
some derived datatypes on load ("5"^^xsd:int is kept as "5"^^xsd:integer, see
``trialkg.shacl.literals``): ``sh:datatype`` of such a datatype is refused on a store,
and checked on the data as written when the data is an in-memory graph
(``data_as_written``).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import rdflib
from rdflib import RDF, RDFS, SH, BNode, Literal, URIRef
from rdflib.collection import Collection

from trialkg.shacl.check import SHAPES_FILE, Check, UnsupportedShapeError
from trialkg.shacl.literals import sparql_condition, store_rewritten
from trialkg.shacl.pairs import closed_query, pair_query, unique_lang_query
from trialkg.shacl.sparql_constraints import SparqlConstraints, custom_components

# The parameters (and the bookkeeping terms) a shape may carry: anything else with the
# sh: namespace is a constraint component this compiler does not know.
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
_DESCRIPTIVE = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group,
                SH.defaultValue, SH.deactivated, SH.path, SH.declare, SH.prefixes}
_VALUE_COMPONENTS = {
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH["not"]: "NotConstraintComponent",
    SH.xone: "XoneConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
}
# Components that compare a value node with the focus node's other triples (trialkg.shacl.pairs).
_PAIR_COMPONENTS = {SH.equals: "EqualsConstraintComponent", SH.disjoint: "DisjointConstraintComponent",
                    SH.lessThan: "LessThanConstraintComponent",
                    SH.lessThanOrEquals: "LessThanOrEqualsConstraintComponent"}
_COUNT_COMPONENTS = {SH.minCount: "MinCountConstraintComponent", SH.maxCount: "MaxCountConstraintComponent"}
# sh:qualifiedValueShape's counts (and the disjointness flag, read with them).
_QUALIFIED = {SH.qualifiedMinCount: "QualifiedMinCountConstraintComponent",
              SH.qualifiedMaxCount: "QualifiedMaxCountConstraintComponent",
              SH.qualifiedValueShape: "", SH.qualifiedValueShapesDisjoint: ""}
_KNOWN = (_TARGETS | _DESCRIPTIVE | set(_VALUE_COMPONENTS) | set(_COUNT_COMPONENTS) | set(_PAIR_COMPONENTS)
          | {SH.property, SH.hasValue, SH.sparql, SH.flags, SH.uniqueLang, SH.closed, SH.ignoredProperties}
          | set(_QUALIFIED))

_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_COMPARATORS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
_INSTANCE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
# Terms of a node that is itself a SPARQL constraint (``ex:S sh:sparql ex:S``).
_CONSTRAINT_TERMS = {SH.select, SH.ask, SH.prefixes, SH.message, SH.deactivated}


@dataclass(frozen=True)
class _Constraint:
    """One constraint parameter of a shape: what kind of check it needs."""

    local: str  # the component's local name, e.g. "MinCountConstraintComponent"
    kind: str  # value, hasValue, minCount, maxCount
    arg: rdflib.term.Node | None = None
    count: int = 0
    condition: Callable[[str], str] | None = None  # value checks: violation expression over a variable


def _term(node: rdflib.term.Node) -> str:
    if isinstance(node, BNode):
        raise UnsupportedShapeError("a blank node used as a value in a shape", file=SHAPES_FILE)
    return node.n3()


class _Compiler(SparqlConstraints):
    def __init__(self, shapes: rdflib.Graph, compact: Callable[[str], str], data_as_written: bool) -> None:
        self.g = shapes
        self.compact = compact
        self.data_as_written = data_as_written
        self.components = custom_components(shapes)
        self._fresh = itertools.count(1)
        self._depth = 0

    # -- variables and terms --------------------------------------------------------
    def var(self, stem: str) -> str:
        return f"?_{stem}{next(self._fresh)}"

    def name(self, shape: rdflib.term.Node) -> str:
        """A shape as a user finds it in shapes.ttl: its IRI, or its node shape and path."""
        if isinstance(shape, URIRef):
            return self.compact(str(shape))
        parent = self.g.value(None, SH.property, shape)
        path = self.g.value(shape, SH.path)
        if parent is None and (ref := self.referrer(shape)) is not None:
            where = f"{self.name(ref[0])} {self.compact(str(ref[1]))} "
        else:
            where = f"{self.name(parent)} " if parent is not None else ""
        return f"{where}property {self.path_text(path)}" if path is not None else f"{where}a blank-node shape"

    def referrer(self, node: rdflib.term.Node) -> tuple[rdflib.term.Node, URIRef] | None:
        """The shape and parameter that point to a blank-node shape (through an RDF list too)."""
        for _ in range(1000):  # climb an rdf:List to its head
            head = self.g.value(None, RDF.first, node) or self.g.value(None, RDF.rest, node)
            if head is None:
                break
            node = head
        for s, p in self.g.subject_predicates(node):
            if isinstance(p, URIRef) and p not in (RDF.first, RDF.rest):
                return s, p
        return None

    def fail(self, shape: rdflib.term.Node, message: str, field: str | None = None) -> UnsupportedShapeError:
        return UnsupportedShapeError(message, file=SHAPES_FILE, record=self.name(shape), field=field)

    def items(self, node: rdflib.term.Node) -> list[rdflib.term.Node]:
        return list(Collection(self.g, node))

    def one(self, shape: rdflib.term.Node, pred: URIRef) -> rdflib.term.Node | None:
        values = list(self.g.objects(shape, pred))
        if len(values) > 1 and pred not in (SH.message,):
            raise self.fail(shape, f"more than one {self.compact(str(pred))} value", self.compact(str(pred)))
        return values[0] if values else None

    def check_known(self, shape: rdflib.term.Node) -> None:
        known = _KNOWN | _CONSTRAINT_TERMS if (None, SH.sparql, shape) in self.g else _KNOWN
        for p in sorted(set(self.g.predicates(shape, None))):
            if str(p).startswith(str(SH)) and p not in known:
                raise self.fail(shape, f"constraint component {self.compact(str(p))} is not supported by the "
                                "SPARQL engine (use --engine pyshacl)", self.compact(str(p)))

    def path_sparql(self, shape: rdflib.term.Node, path: rdflib.term.Node) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(path, URIRef):
            return f"<{path}>"
        if (path, RDF.first, None) in self.g:
            parts = self.items(path)
            return "(" + "/".join(self.path_sparql(shape, p) for p in parts) + ")"
        for pred, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                          (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
            inner = self.g.value(path, pred)
            if inner is not None:
                return "(" + fmt.format(self.path_sparql(shape, inner)) + ")"
        alt = self.g.value(path, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path_sparql(shape, p) for p in self.items(alt)) + ")"
        raise self.fail(shape, "a path this compiler cannot read", "sh:path")

    def path_text(self, path: rdflib.term.Node | None) -> str | None:
        """How reports name a path: ``tkg:enrollment``, ``^tkg:hasArm``."""
        if path is None:
            return None
        if isinstance(path, URIRef):
            return self.compact(str(path))
        inverse = self.g.value(path, SH.inversePath)
        if isinstance(inverse, URIRef):
            return "^" + self.compact(str(inverse))
        return self.path_sparql(path, path)

    def severity(self, shape: rdflib.term.Node) -> tuple[str, URIRef]:
        """The shape's severity: its name in findings and its IRI (custom ones kept)."""
        sev = self.one(shape, SH.severity)
        if sev is None:
            return "Violation", SH.Violation
        if not isinstance(sev, URIRef):
            raise self.fail(shape, "an sh:severity that is not an IRI", "sh:severity")
        if sev in (SH.Violation, SH.Warning, SH.Info):
            return str(sev).rsplit("#", 1)[-1], sev
        return self.compact(str(sev)), sev

    def message(self, shape: rdflib.term.Node) -> str | None:
        msgs = list(self.g.objects(shape, SH.message))
        plain = [m for m in msgs if not getattr(m, "language", None)] or msgs
        return str(plain[0]) if plain else None

    def messages(self, shape: rdflib.term.Node) -> tuple[Literal, ...]:
        return tuple(sorted(m for m in self.g.objects(shape, SH.message) if isinstance(m, Literal)))

    # -- targets -------------------------------------------------------------------
    def target(self, shape: rdflib.term.Node) -> str | None:
        """A group pattern binding ?this to the shape's focus nodes; None: no target."""
        alternatives = []
        for cls in self.g.objects(shape, SH.targetClass):
            alternatives.append(f"?this {_INSTANCE_PATH} {_term(cls)} .")
        if (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, rdflib.OWL.Class) in self.g:
            alternatives.append(f"?this {_INSTANCE_PATH} {_term(shape)} .")
        for node in self.g.objects(shape, SH.targetNode):
            alternatives.append(f"BIND({_term(node)} AS ?this)")
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            alternatives.append(f"?this {_term(p)} ?_t .")
        for p in self.g.objects(shape, SH.targetObjectsOf):
            alternatives.append(f"?_t {_term(p)} ?this .")
        if not alternatives:
            return None
        if len(alternatives) == 1:
            return alternatives[0]
        return " UNION ".join("{ " + a + " }" for a in alternatives)

    # -- constraints as violation patterns ----------------------------------------
    def value_condition(self, shape: rdflib.term.Node, pred: URIRef, arg: rdflib.term.Node, v: str) -> str:
        """A SPARQL expression, true when value node ``v`` violates (pred, arg)."""
        if pred == SH["class"]:
            return f"NOT EXISTS {{ {v} {_INSTANCE_PATH} {_term(arg)} }}"
        if pred == SH.datatype:
            if not isinstance(arg, URIRef):
                raise self.fail(shape, "an sh:datatype that is not an IRI", "sh:datatype")
            if arg in store_rewritten() and (self._depth > 0 or not self.data_as_written):
                raise self.fail(shape, f"sh:datatype {self.compact(str(arg))}: the store keeps valid "
                                f"{self.compact(str(arg))} literals as xsd:integer, so it cannot be checked "
                                "there (validate the data file, or use --engine pyshacl)", "sh:datatype")
            return f"!{sparql_condition(arg, v)}"
        if pred == SH.nodeKind:
            if arg not in _NODE_KINDS:
                raise self.fail(shape, f"unknown node kind {arg}", "sh:nodeKind")
            return "!" + _NODE_KINDS[arg].format(v=v)
        if pred == SH["in"]:
            members = self.items(arg)
            if not members:
                return "true"
            return "!(" + " || ".join(f"sameTerm({v}, {_term(m)})" for m in members) + ")"
        if pred == SH.pattern:
            flags = self.one(shape, SH.flags)
            pattern = Literal(str(arg)).n3()
            extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            return f"(isBlank({v}) || !regex(STR({v}), {pattern}{extra}))"
        if pred in _COMPARATORS:
            return f"!COALESCE({v} {_COMPARATORS[pred]} {_term(arg)}, false)"
        if pred in (SH.minLength, SH.maxLength):
            op = ">=" if pred == SH.minLength else "<="
            return f"(isBlank({v}) || !COALESCE(STRLEN(STR({v})) {op} {int(arg)}, false))"
        if pred == SH.languageIn:
            tags = " || ".join(f"langMatches(lang({v}), {Literal(str(t)).n3()})" for t in self.items(arg))
            return f"!(isLiteral({v}) && lang({v}) != \"\" && ({tags or 'false'}))"
        if pred == SH.node:
            return f"!{self.conforms(arg, v)}"
        if pred == SH["not"]:
            return self.conforms(arg, v)
        members = self.items(arg)
        tests = [self.conforms(m, v) for m in members]
        if pred == SH["or"]:
            return "!(" + " || ".join(tests) + ")" if tests else "true"
        if pred == SH["and"]:
            return "!(" + " && ".join(tests) + ")" if tests else "false"
        if pred == SH.xone:
            return "(" + " + ".join(f"IF({t}, 1, 0)" for t in tests) + ") != 1" if tests else "true"
        raise self.fail(shape, f"{self.compact(str(pred))} is not supported", self.compact(str(pred)))

    def conforms(self, shape: rdflib.term.Node, x: str) -> str:
        """A SPARQL expression, true when node ``x`` conforms to ``shape`` (sh:node, sh:or ...)."""
        self._depth += 1
        try:
            if self._depth > 8:
                raise self.fail(shape, "shapes nested deeper than 8 levels (recursive?)", "sh:node")
            self.check_known(shape)
            if self.g.value(shape, SH.sparql) is not None:
                raise self.fail(shape, "a SPARQL-based constraint inside sh:node/sh:or is not supported",
                                "sh:sparql")
            if self.g.value(shape, SH.deactivated) == Literal(True):
                return "true"
            for component, _params in self.components_of(shape):
                raise self.fail(shape, f"the constraint component {self.compact(str(component))} inside "
                                "sh:node/sh:or/sh:and/sh:not/sh:xone/sh:property is not supported",
                                self.compact(str(component)))
            violations = list(self.nested_violations(shape, x))
            path = self.path_of(shape)
            for prop in self.g.objects(shape, SH.property):
                if path is None:  # a node shape's property shape: about x itself
                    violations.append(f"!{self.conforms(prop, x)}")
                else:  # a property shape's property shape: about each value node
                    v = self.var("v")
                    violations.append(f"EXISTS {{ {x} {path} {v} . FILTER(!{self.conforms(prop, v)}) }}")
            return "!(" + " || ".join(violations) + ")" if violations else "true"
        finally:
            self._depth -= 1

    def nested_violations(self, shape: rdflib.term.Node, x: str) -> list[str]:
        """Expressions, one per constraint of ``shape``, true when ``x`` violates it."""
        path = self.path_of(shape)
        out = []
        for c in self.constraints(shape):
            if c.kind == "value":
                if path is None:
                    out.append(f"({c.condition(x)})")
                else:
                    v = self.var("v")
                    out.append(f"EXISTS {{ {x} {path} {v} . FILTER({c.condition(v)}) }}")
            elif c.kind == "hasValue":
                out.append(f"NOT EXISTS {{ {x} {path} {_term(c.arg)} }}" if path
                           else f"!sameTerm({x}, {_term(c.arg)})")
            elif c.kind == "minCount" and c.count == 1:
                out.append(f"NOT EXISTS {{ {x} {path} {self.var('v')} }}")
            elif c.kind == "minCount" and c.count <= 0:
                continue
            elif c.kind == "maxCount" and c.count == 0:
                out.append(f"EXISTS {{ {x} {path} {self.var('v')} }}")
            elif c.kind == "maxCount" and c.count == 1:
                a, b = self.var("v"), self.var("v")
                out.append(f"EXISTS {{ {x} {path} {a} . {x} {path} {b} . FILTER(!sameTerm({a}, {b})) }}")
            else:
                param = "sh:" + c.local[0].lower() + c.local[1:].removesuffix("ConstraintComponent")
                if c.kind in ("minCount", "maxCount"):
                    param += f" {c.count}"
                raise self.fail(shape, f"{param} inside sh:node/sh:or/sh:and/sh:not/sh:xone is not supported",
                                param.split()[0])
        return out

    def path_of(self, shape: rdflib.term.Node) -> str | None:
        path = self.one(shape, SH.path)
        return self.path_sparql(shape, path) if path is not None else None

    def constraints(self, shape: rdflib.term.Node) -> list[_Constraint]:
        """The constraints ``shape`` itself declares (not those of its property shapes)."""
        out = []
        for pred, local in _VALUE_COMPONENTS.items():
            for arg in self.g.objects(shape, pred):
                out.append(_Constraint(local, "value", arg, 0, functools.partial(self.value_condition, shape, pred, arg)))
        for arg in self.g.objects(shape, SH.hasValue):
            out.append(_Constraint("HasValueConstraintComponent", "hasValue", arg))
        for pred, local in _COUNT_COMPONENTS.items():
            arg = self.one(shape, pred)
            if arg is None:
                continue
            if self.g.value(shape, SH.path) is None:
                raise self.fail(shape, f"{self.compact(str(pred))} on a node shape", self.compact(str(pred)))
            kind = "minCount" if pred == SH.minCount else "maxCount"
            out.append(_Constraint(local, kind, arg, int(arg)))
        for pred, local in _PAIR_COMPONENTS.items():
            for arg in self.g.objects(shape, pred):
                if not isinstance(arg, URIRef):
                    raise self.fail(shape, f"{self.compact(str(pred))} names no property", self.compact(str(pred)))
                if self.g.value(shape, SH.path) is None and pred in (SH.lessThan, SH.lessThanOrEquals):
                    raise self.fail(shape, f"{self.compact(str(pred))} on a node shape", self.compact(str(pred)))
                out.append(_Constraint(local, "pair", arg))
        if self.g.value(shape, SH.uniqueLang) == Literal(True):
            if self.g.value(shape, SH.path) is None:
                raise self.fail(shape, "sh:uniqueLang on a node shape", "sh:uniqueLang")
            out.append(_Constraint("UniqueLangConstraintComponent", "uniqueLang"))
        if self.g.value(shape, SH.closed) == Literal(True):
            out.append(_Constraint("ClosedConstraintComponent", "closed"))
        for pred in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
            count = self.one(shape, pred)
            if count is None:
                continue
            if self.g.value(shape, SH.path) is None or self.one(shape, SH.qualifiedValueShape) is None:
                raise self.fail(shape, f"{self.compact(str(pred))} without a property path and an "
                                "sh:qualifiedValueShape", self.compact(str(pred)))
            out.append(_Constraint(_QUALIFIED[pred], "qualified", self.g.value(shape, SH.qualifiedValueShape),
                                   int(count)))
        return out

    def qualified_query(self, shape: rdflib.term.Node, c: _Constraint, path: str, targets: str) -> str:
        """sh:qualifiedMin/MaxCount: how many value nodes conform to the qualified shape (and,
        with sh:qualifiedValueShapesDisjoint, to none of its siblings' qualified shapes)."""
        v = self.var("q")
        tests = [self.conforms(c.arg, v)]
        if self.g.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
            siblings = {q for parent in self.g.subjects(SH.property, shape)
                        for prop in self.g.objects(parent, SH.property) if prop != shape
                        for q in self.g.objects(prop, SH.qualifiedValueShape)}
            tests += [f"!{self.conforms(q, v)}" for q in sorted(siblings, key=str)]
        cond = " && ".join(tests)
        if c.local.startswith("QualifiedMin"):
            return (f"SELECT ?this WHERE {{\n  {targets}\n  OPTIONAL {{ ?this {path} {v} . FILTER({cond}) }}\n}}\n"
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) < {c.count})")
        return (f"SELECT DISTINCT ?this WHERE {{\n  {{ SELECT ?this WHERE {{ {targets} ?this {path} {v} . "
                f"FILTER({cond}) }} GROUP BY ?this HAVING (COUNT(DISTINCT {v}) > {c.count}) }}\n}}")

    def closed_allowed(self, shape: rdflib.term.Node) -> list[str]:
        """sh:closed: the predicates a value node may have (its property shapes' IRI paths, ignored ones)."""
        allowed = {p for prop in self.g.objects(shape, SH.property)
                   if isinstance(p := self.g.value(prop, SH.path), URIRef)}
        for ignored in self.g.objects(shape, SH.ignoredProperties):
            allowed |= {p for p in self.items(ignored) if isinstance(p, URIRef)}
        return sorted(_term(p) for p in allowed)

    def has_some(self, shape: rdflib.term.Node) -> str | None:
        """For a shape that only says 'has a value on path' (minCount 1, or hasValue):
        the triple pattern for ?this that satisfies it; else None."""
        self.check_known(shape)
        path = self.path_of(shape)
        cs = self.constraints(shape)
        if (path is None or len(cs) != 1 or any(True for _ in self.g.objects(shape, SH.property))
                or self.g.value(shape, SH.deactivated) is not None or self.g.value(shape, SH.sparql) is not None):
            return None
        c = cs[0]
        if c.kind == "minCount" and c.count == 1:
            return f"?this {path} {self.var('v')}"
        if c.kind == "hasValue":
            return f"?this {path} {_term(c.arg)}"
        return None

    # -- whole shapes --------------------------------------------------------------
    def top_level(self, shape: rdflib.term.Node, c: _Constraint, targets: str) -> str:
        """The SELECT for one constraint of a targeted shape.

        Shaped for the store: value checks filter the (few) candidate triples first and
        then join the targets; absence checks are MINUS (hash anti-joins), not per-row
        NOT EXISTS; counts group once. ``targets`` is a DISTINCT sub-select (the union
        default graph repeats a triple stated in several graphs).
        """
        path = self.path_of(shape)
        if c.kind == "pair":
            return pair_query(c.local.removesuffix("ConstraintComponent"), path, _term(c.arg), targets)
        if c.kind == "uniqueLang":
            return unique_lang_query(path or "", targets)
        if c.kind == "closed":
            return closed_query(path, self.closed_allowed(shape), targets)
        if c.kind == "qualified":
            return self.qualified_query(shape, c, path or "", targets)
        if c.kind == "value":
            if path is None:
                return (f"SELECT DISTINCT ?this ?value WHERE {{\n  {targets}\n  BIND(?this AS ?value)\n"
                        f"  FILTER({c.condition('?value')})\n}}")
            if c.arg is not None and c.local == "ClassConstraintComponent":
                candidates = f"?this {path} ?value . MINUS {{ ?value {_INSTANCE_PATH} {_term(c.arg)} }}"
            else:
                candidates = f"?this {path} ?value . FILTER({c.condition('?value')})"
            return (f"SELECT DISTINCT ?this ?value WHERE {{\n"
                    f"  {{ SELECT DISTINCT ?this ?value WHERE {{ {candidates} }} }}\n  {targets}\n}}")
        if c.kind == "hasValue":
            if path is None:
                return f"SELECT DISTINCT ?this WHERE {{\n  {targets}\n  FILTER(!sameTerm(?this, {_term(c.arg)}))\n}}"
            return f"SELECT DISTINCT ?this WHERE {{\n  {targets}\n  MINUS {{ ?this {path} {_term(c.arg)} }}\n}}"
        if c.kind == "minCount":
            if c.count <= 0:
                return "SELECT ?this WHERE { FILTER(false) }"
            if c.count == 1:
                return f"SELECT DISTINCT ?this WHERE {{\n  {targets}\n  MINUS {{ ?this {path} ?v }}\n}}"
            return (f"SELECT ?this WHERE {{\n  {targets}\n  OPTIONAL {{ ?this {path} ?v }}\n}}\n"
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {c.count})")
        return (f"SELECT DISTINCT ?this WHERE {{\n"
                f"  {{ SELECT ?this WHERE {{ ?this {path} ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {c.count}) }}\n"
                f"  {targets}\n}}")

    def or_fast(self, shape: rdflib.term.Node, c: _Constraint, targets: str) -> str | None:
        """A node-level sh:or whose members each only ask for some value on a path:
        the targets MINUS each member's pattern (hash anti-joins instead of per-node EXISTS)."""
        if c.local != "OrConstraintComponent" or self.g.value(shape, SH.path) is not None:
            return None
        members = [self.has_some(m) for m in self.items(c.arg)]
        if not members or any(m is None for m in members):
            return None
        minus = "\n  ".join(f"MINUS {{ {m} }}" for m in members)
        return f"SELECT DISTINCT ?this ?value WHERE {{\n  {targets}\n  {minus}\n  BIND(?this AS ?value)\n}}"

    def compile_shape(self, node_shape: rdflib.term.Node) -> list[Check]:
        """Every check of one targeted node shape (and its property shapes)."""
        if self.g.value(node_shape, SH.deactivated) == Literal(True):
            return []
        self.check_known(node_shape)
        target = self.target(node_shape)
        if target is None:
            return []
        targets = f"{{ SELECT DISTINCT ?this WHERE {{ {target} }} }}"
        return self.shape_checks(node_shape, node_shape, targets, 0, (target, []))

    def shape_checks(self, shape: rdflib.term.Node, node_shape: rdflib.term.Node, targets: str,
                     depth: int, route: tuple[str, list[str]]) -> list[Check]:
        """The checks of ``shape`` on the focus nodes ``targets``, then of its property shapes
        (on the same focus nodes for a node shape, on the value nodes for a property shape).

        ``route``: the pattern and the variables of the outer focus nodes that lead to
        ?this; a node reached from two outer focus nodes is validated (and reported) twice.
        """
        if depth > 8:
            raise self.fail(shape, "property shapes nested deeper than 8 levels (recursive?)", "sh:property")
        path = self.g.value(shape, SH.path)
        severity, severity_iri = self.severity(shape)
        checks = []
        for c in self.constraints(shape):
            query = self.or_fast(shape, c, targets) or self.top_level(shape, c, targets)
            datatype = c.arg if c.local == "DatatypeConstraintComponent" and self.data_as_written else None
            checks.append(Check(
                shape=shape, node_shape=node_shape, component=f"sh:{c.local}",
                severity=severity, path=path, path_text=self.path_text(path),
                message=self.message(shape) or _default_message(c.local, self, shape),
                query=query, targets=targets, severity_iri=severity_iri, messages=self.messages(shape),
                datatype=datatype, values_query=self.values_query(shape, targets) if datatype else None,
                routes_query=_routes_query(route), rows_are_results=c.kind == "uniqueLang" or c.local.startswith("LessThan"),
            ))
        checks += self.sparql_checks(shape, node_shape, targets, path)
        checks += self.component_checks(shape, node_shape, targets, path)
        inner_targets, inner_route = targets, route
        if path is not None:
            inner_targets = self.value_targets(shape, targets)
            parent = self.var("r")
            inner_route = (f"{route[0].replace('?this', parent)} {parent} {self.path_of(shape)} ?this .",
                           [*route[1], parent])
        for prop in self.g.objects(shape, SH.property):
            self.check_known(prop)
            if self.g.value(prop, SH.path) is None:
                raise self.fail(prop, "a property shape without sh:path", "sh:path")
            if self.g.value(prop, SH.deactivated) != Literal(True):
                checks += self.shape_checks(prop, node_shape, inner_targets, depth + 1, inner_route)
        return checks

    def value_targets(self, shape: rdflib.term.Node, targets: str) -> str:
        """The value nodes of property shape ``shape`` on the focus nodes ``targets``, as ?this."""
        parent = self.var("f")
        return (f"{{ SELECT DISTINCT ?this WHERE {{ {targets.replace('?this', parent)} "
                f"{parent} {self.path_of(shape)} ?this }} }}")

    def values_query(self, shape: rdflib.term.Node, targets: str) -> str:
        """Every (?this, ?value) of ``shape`` on ``targets`` (checked outside SPARQL)."""
        path = self.path_of(shape)
        pattern = f"?this {path} ?value ." if path is not None else "BIND(?this AS ?value)"
        return f"SELECT DISTINCT ?this ?value WHERE {{ {targets} {pattern} }}"


def _routes_query(route: tuple[str, list[str]]) -> str | None:
    """How many outer focus nodes lead to each ?this (None: a shape's own focus nodes)."""
    pattern, variables = route
    if not variables:
        return None
    return (f"SELECT ?this (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?this {' '.join(variables)} "
            f"WHERE {{ {pattern} }} }} }} GROUP BY ?this")


def _default_message(local: str, compiler: _Compiler, shape: rdflib.term.Node) -> str:
    """A readable message for a constraint that has no sh:message."""
    g = compiler.g

    def arg(p: URIRef) -> str:
        v = g.value(shape, p)
        if v is None:
            return "?"
        if isinstance(v, URIRef):
            return compiler.compact(str(v))
        if (v, RDF.first, None) in g:
            return ", ".join(str(m) if isinstance(m, Literal) else compiler.name(m) for m in compiler.items(v))
        return str(v) if isinstance(v, Literal) else compiler.name(v)

    texts = {
        "ClassConstraintComponent": lambda: f"value is not an instance of {arg(SH['class'])}",
        "DatatypeConstraintComponent": lambda: f"value is not a valid literal of type {arg(SH.datatype)}",
        "NodeKindConstraintComponent": lambda: f"value is not of node kind {arg(SH.nodeKind)}",
        "InConstraintComponent": lambda: f"value is not one of: {arg(SH['in'])}",
        "PatternConstraintComponent": lambda: f"value does not match the pattern {arg(SH.pattern)}",
        "MinInclusiveConstraintComponent": lambda: f"value is not >= {arg(SH.minInclusive)}",
        "MaxInclusiveConstraintComponent": lambda: f"value is not <= {arg(SH.maxInclusive)}",
        "MinExclusiveConstraintComponent": lambda: f"value is not > {arg(SH.minExclusive)}",
        "MaxExclusiveConstraintComponent": lambda: f"value is not < {arg(SH.maxExclusive)}",
        "MinLengthConstraintComponent": lambda: f"value is shorter than {arg(SH.minLength)}",
        "MaxLengthConstraintComponent": lambda: f"value is longer than {arg(SH.maxLength)}",
        "NodeConstraintComponent": lambda: f"value does not conform to {arg(SH.node)}",
        "OrConstraintComponent": lambda: "conforms to none of the alternatives (sh:or)",
        "AndConstraintComponent": lambda: "does not conform to all of the shapes (sh:and)",
        "NotConstraintComponent": lambda: f"conforms to {arg(SH['not'])}, which it must not",
        "XoneConstraintComponent": lambda: "does not conform to exactly one of the shapes (sh:xone)",
        "HasValueConstraintComponent": lambda: f"does not have the value {arg(SH.hasValue)}",
        "LanguageInConstraintComponent": lambda: f"language tag not one of {arg(SH.languageIn)}",
        "EqualsConstraintComponent": lambda: f"values differ from those of {arg(SH.equals)}",
        "DisjointConstraintComponent": lambda: f"value is also a value of {arg(SH.disjoint)}",
        "LessThanConstraintComponent": lambda: f"value is not less than the values of {arg(SH.lessThan)}",
        "LessThanOrEqualsConstraintComponent":
            lambda: f"value is not less than or equal to the values of {arg(SH.lessThanOrEquals)}",
        "UniqueLangConstraintComponent": lambda: "two values share a language tag",
        "ClosedConstraintComponent": lambda: "a property the closed shape does not allow",
        "QualifiedMinCountConstraintComponent":
            lambda: f"fewer than {arg(SH.qualifiedMinCount)} values conform to the qualified shape",
        "QualifiedMaxCountConstraintComponent":
            lambda: f"more than {arg(SH.qualifiedMaxCount)} values conform to the qualified shape",
        "MinCountConstraintComponent": lambda: f"fewer than {arg(SH.minCount)} values",
        "MaxCountConstraintComponent": lambda: f"more than {arg(SH.maxCount)} values",
    }
    return texts[local]()


def compile_shapes(shapes: rdflib.Graph, compact: Callable[[str], str] = str, *,
                   data_as_written: bool = False) -> list[Check]:
    """One check per (shape, constraint component) of every shape with a target.

    Raises ``UnsupportedShapeError`` for any constraint the compiler cannot express,
    including ones in shapes that are only reached through sh:node or sh:or.
    ``data_as_written``: the data is an in-memory graph, so ``sh:datatype`` checks carry
    a ``values_query`` to check each value as written (``Check.datatype``) rather than
    as the store keeps it.
    """
    c = _Compiler(shapes, compact, data_as_written)
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    node_shapes |= {s for p in _TARGETS for s in shapes.subjects(p, None)}
    node_shapes |= {s for s in shapes.subjects(RDF.type, SH.PropertyShape)
                    if not any(True for _ in shapes.subjects(SH.property, s))}
    checks: list[Check] = []
    for shape in sorted(node_shapes, key=str):
        checks += c.compile_shape(shape)
    return checks
