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
xone; and SPARQL-based constraints (sh:sparql with sh:select, sh:prefixes), run as
written with $this bound by the target. Anything else in a shape raises
``UnsupportedShapeError`` when the shapes are loaded, never a silent skip.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, SH, XSD, BNode, Literal, URIRef
from rdflib.collection import Collection

from trialkg.errors import InputError

SHAPES_FILE = "shapes.ttl"

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
}
_COUNT_COMPONENTS = {SH.minCount: "MinCountConstraintComponent", SH.maxCount: "MaxCountConstraintComponent"}
_KNOWN = (_TARGETS | _DESCRIPTIVE | set(_VALUE_COMPONENTS) | set(_COUNT_COMPONENTS)
          | {SH.property, SH.hasValue, SH.sparql, SH.flags})

# Datatypes whose lexical forms the store can check with an XPath cast from the
# string: a literal of such a datatype that does not cast is ill-typed (SHACL: not
# conforming to sh:datatype), e.g. "many"^^xsd:integer.
_CASTABLE = {XSD.integer, XSD.decimal, XSD.boolean, XSD.double, XSD.float, XSD.date,
             XSD.dateTime, XSD.time, XSD.duration, XSD.dayTimeDuration,
             XSD.yearMonthDuration, XSD.gYear, XSD.gYearMonth, XSD.gMonthDay,
             XSD.gDay, XSD.gMonth}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_COMPARATORS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
_ILL_TYPED = "<urn:x-trialkg:ill-typed>"
_INSTANCE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_FORBIDDEN_IN_SPARQL = re.compile(r"\b(MINUS|VALUES|SERVICE)\b|\{\s*SELECT\b", re.IGNORECASE)


class UnsupportedShapeError(InputError):
    """A shape uses a SHACL feature the SPARQL compiler cannot check (raised at load time)."""


@dataclass(frozen=True)
class Check:
    """One compiled (shape, constraint component): a SELECT returning the violations.

    The query projects ``?this`` (focus node) and, where the component has one,
    ``?value``; SPARQL-based constraints may also project ``?path``.
    """

    shape: rdflib.term.Node  # the shape that holds the constraint (node or property shape)
    node_shape: rdflib.term.Node  # the node shape it belongs to (== shape for node shapes)
    component: str  # e.g. "sh:MinCountConstraintComponent"
    severity: str  # Violation, Warning, Info
    path: rdflib.term.Node | None
    path_text: str | None
    message: str
    query: str
    targets: str  # the focus-node sub-select inside ``query``

    def restricted(self, focus_filter: str) -> str:
        """The query with its focus nodes further filtered (e.g. to some graphs)."""
        inner = self.targets[:-len("} }")] + focus_filter + " } }"
        return self.query.replace(self.targets, inner)


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


class _Compiler:
    def __init__(self, shapes: rdflib.Graph, compact: Callable[[str], str]) -> None:
        self.g = shapes
        self.compact = compact
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
        where = f"{self.name(parent)} " if parent is not None else ""
        return f"{where}property {self.path_text(path)}" if path is not None else f"{where}a blank-node shape"

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
        for p in sorted(set(self.g.predicates(shape, None))):
            if str(p).startswith(str(SH)) and p not in _KNOWN:
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

    def severity(self, shape: rdflib.term.Node) -> str:
        sev = self.one(shape, SH.severity)
        return str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation"

    def message(self, shape: rdflib.term.Node) -> str | None:
        msgs = list(self.g.objects(shape, SH.message))
        plain = [m for m in msgs if not getattr(m, "language", None)] or msgs
        return str(plain[0]) if plain else None

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
            if arg == RDFS.Literal:
                ok = f"isLiteral({v})"
            elif arg == RDF.langString:
                ok = f"(isLiteral({v}) && lang({v}) != \"\")"
            else:
                ok = f"(isLiteral({v}) && datatype({v}) = {_term(arg)})"
                if arg in _CASTABLE:
                    ok = f"({ok} && isLiteral(COALESCE({_term(arg)}(STR({v})), {_ILL_TYPED})))"
            return f"!{ok}"
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
                raise self.fail(shape, "shapes nested deeper than 8 levels (recursive?)")
            self.check_known(shape)
            if self.g.value(shape, SH.sparql) is not None:
                raise self.fail(shape, "a SPARQL-based constraint inside sh:node/sh:or is not supported",
                                "sh:sparql")
            if self.g.value(shape, SH.deactivated) == Literal(True):
                return "true"
            violations = list(self.nested_violations(shape, x))
            for prop in self.g.objects(shape, SH.property):
                self.check_known(prop)
                violations += self.nested_violations(prop, x)
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
                raise self.fail(shape, f"sh:{c.kind} {c.count} inside sh:node/sh:or is not supported",
                                f"sh:{c.kind}")
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
        return out

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
        checks = []
        shapes = [node_shape]
        for prop in self.g.objects(node_shape, SH.property):
            self.check_known(prop)
            if self.g.value(prop, SH.path) is None:
                raise self.fail(prop, "a property shape without sh:path", "sh:path")
            if self.g.value(prop, SH.deactivated) != Literal(True):
                shapes.append(prop)
        for shape in shapes:
            path = self.g.value(shape, SH.path)
            message = self.message(shape)
            for c in self.constraints(shape):
                query = self.or_fast(shape, c, targets) or self.top_level(shape, c, targets)
                checks.append(Check(
                    shape=shape, node_shape=node_shape, component=f"sh:{c.local}",
                    severity=self.severity(shape), path=path, path_text=self.path_text(path),
                    message=message or _default_message(c.local, self, shape),
                    query=query, targets=targets,
                ))
            checks += self.sparql_checks(shape, node_shape, targets, path)
        return checks

    def prefixes(self, shape: rdflib.term.Node, constraint: rdflib.term.Node) -> str:
        lines = []
        for owner in self.g.objects(constraint, SH.prefixes):
            for decl in self.g.objects(owner, SH.declare):
                prefix, ns = self.g.value(decl, SH.prefix), self.g.value(decl, SH.namespace)
                if prefix is None or ns is None:
                    raise self.fail(shape, "an sh:declare without sh:prefix and sh:namespace", "sh:declare")
                lines.append(f"PREFIX {prefix}: <{ns}>")
        return "\n".join(lines)

    def sparql_checks(self, shape: rdflib.term.Node, node_shape: rdflib.term.Node, target: str,
                      path: rdflib.term.Node | None) -> list[Check]:
        checks = []
        for constraint in self.g.objects(shape, SH.sparql):
            if self.g.value(constraint, SH.deactivated) == Literal(True):
                continue
            select = self.g.value(constraint, SH.select)
            if select is None:
                raise self.fail(shape, "an sh:sparql constraint without sh:select", "sh:sparql")
            text = str(select)
            if _FORBIDDEN_IN_SPARQL.search(text):
                raise self.fail(shape, "MINUS, VALUES, SERVICE and sub-selects cannot be pre-bound "
                                "(SHACL 5.3.1)", "sh:select")
            if "$PATH" in text:
                if path is None:
                    raise self.fail(shape, "$PATH in a node shape's SPARQL constraint", "sh:select")
                text = text.replace("$PATH", self.path_sparql(shape, path))
            # Pre-binding $this: the target pattern opens the outermost WHERE group, so
            # every FILTER (NOT) EXISTS of the query sees $this bound.
            where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE) or re.search(r"\{", text)
            if where is None:
                raise self.fail(shape, "an sh:select without a WHERE clause", "sh:select")
            query = f"{text[:where.end()]}\n  {target}\n{text[where.end():]}"
            query = f"{self.prefixes(shape, constraint)}\n{query}"
            message = self.message(constraint) or self.message(shape) or "SPARQL constraint not satisfied"
            checks.append(Check(
                shape=shape, node_shape=node_shape, component="sh:SPARQLConstraintComponent",
                severity=self.severity(shape), path=path, path_text=self.path_text(path),
                message=message, query=query, targets=target,
            ))
        return checks


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
        "MinCountConstraintComponent": lambda: f"fewer than {arg(SH.minCount)} values",
        "MaxCountConstraintComponent": lambda: f"more than {arg(SH.maxCount)} values",
    }
    return texts[local]()


def compile_shapes(shapes: rdflib.Graph, compact: Callable[[str], str] = str) -> list[Check]:
    """One check per (shape, constraint component) of every shape with a target.

    Raises ``UnsupportedShapeError`` for any constraint the compiler cannot express,
    including ones in shapes that are only reached through sh:node or sh:or.
    """
    c = _Compiler(shapes, compact)
    for component in shapes.subjects(RDF.type, SH.ConstraintComponent):
        # Its parameters are not in the sh: namespace, so they would pass unseen.
        raise c.fail(component, "custom constraint components are not supported", "sh:ConstraintComponent")
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    node_shapes |= {s for p in _TARGETS for s in shapes.subjects(p, None)}
    node_shapes |= {s for s in shapes.subjects(RDF.type, SH.PropertyShape)
                    if not any(True for _ in shapes.subjects(SH.property, s))}
    checks: list[Check] = []
    for shape in sorted(node_shapes, key=str):
        checks += c.compile_shape(shape)
    return checks


def run_checks(store: ox.Store, checks: Sequence[Check], focus_filter: str | None = None,
               ) -> Iterator[tuple[int, Any, Any, Any]]:
    """Run checks over the union of the store's graphs: (check index, focus, value, path) per result.

    ``focus_filter`` (a group pattern over ?this) narrows the focus nodes, e.g. to the
    nodes described in some graphs.
    """
    for i, check in enumerate(checks):
        query = check.restricted(focus_filter) if focus_filter else check.query
        for row in store.query(query, use_default_graph_as_union=True):
            yield i, row["this"], _binding(row, "value"), _binding(row, "path")


def _binding(row: ox.QuerySolution, var: str) -> Any:
    try:
        return row[var]
    except KeyError:
        return None
