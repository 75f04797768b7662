"""SPARQL-based constraints (``sh:sparql``) and SPARQL-based constraint components.

A constraint component is any instance of ``sh:ConstraintComponent`` or of a subclass
of it (``rdfs:subClassOf*`` in the shapes graph). A shape uses it when the shape has a
value for each of its non-optional ``sh:parameter`` paths; every combination of the
shape's parameter values is one constraint. The validator is the component's
``sh:nodeValidator`` (node shapes) or ``sh:propertyValidator`` (property shapes), else
its ``sh:validator``:

- an ASK validator (``sh:ask``) is asked once per value node: the compiled SELECT
  returns the (focus, value) pairs for which ``FILTER NOT EXISTS { <the ASK pattern> }``
  holds, with ``$this`` and ``$value`` bound by the enclosing pattern;
- a SELECT validator (``sh:select``) is run like an ``sh:sparql`` constraint.

Parameters are pre-bound to the shape's values, ``$PATH`` is replaced by the shape's
path and ``$currentShape`` by the shape (see ``trialkg.shacl.prebinding``). Prefixes
come from ``sh:prefixes``, following ``owl:imports`` of the prefix owners. A validator
with neither ``sh:ask`` nor ``sh:select`` (JavaScript, ...) is refused, as is a
component used inside ``sh:node``/``sh:or``/... (compiled there as an expression,
which the ASK and SELECT forms are not).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import rdflib
from rdflib import OWL, RDF, RDFS, SH, BNode, Literal, URIRef

from trialkg.shacl.check import Check, UnsupportedShapeError
from trialkg.shacl.prebinding import (
    Unbindable,
    ask_body,
    bind_this,
    refuse_unbindable,
    substitute,
    variables,
)


@dataclass(frozen=True)
class Component:
    """A custom constraint component: its parameters and validators."""

    iri: URIRef
    params: tuple[tuple[URIRef, bool], ...]  # (parameter path, optional)
    validator: rdflib.term.Node | None
    node_validator: rdflib.term.Node | None
    property_validator: rdflib.term.Node | None


def _local(iri: URIRef) -> str:
    return re.split(r"[#/:]", str(iri))[-1]


def custom_components(g: rdflib.Graph) -> dict[URIRef, Component]:
    """Every constraint component the shapes graph declares (typed through ``rdfs:subClassOf*``)."""
    classes = set(g.transitive_subjects(RDFS.subClassOf, SH.ConstraintComponent))
    out = {}
    for cls in classes:
        for comp in g.subjects(RDF.type, cls):
            if not isinstance(comp, URIRef) or str(comp).startswith(str(SH)):
                continue
            params = []
            for param in g.objects(comp, SH.parameter):
                path = g.value(param, SH.path)
                if not isinstance(path, URIRef):
                    raise UnsupportedShapeError("a constraint component parameter without an IRI sh:path",
                                                file="shapes.ttl", record=str(comp), field="sh:parameter")
                params.append((path, g.value(param, SH.optional) == Literal(True)))
            out[comp] = Component(comp, tuple(sorted(params)), g.value(comp, SH.validator),
                                  g.value(comp, SH.nodeValidator), g.value(comp, SH.propertyValidator))
    return out


class SparqlConstraints:
    """The SPARQL-based part of the compiler (mixed into it: uses its ``g``, ``fail``, paths)."""

    g: rdflib.Graph
    compact: Callable[[str], str]
    components: dict[URIRef, Component]
    fail: Callable[..., UnsupportedShapeError]
    path_sparql: Callable[[rdflib.term.Node, rdflib.term.Node], str]
    path_text: Callable[[rdflib.term.Node | None], str | None]
    severity: Callable[[rdflib.term.Node], tuple[str, URIRef]]
    message: Callable[[rdflib.term.Node], str | None]
    messages: Callable[[rdflib.term.Node], tuple[Literal, ...]]

    def prefixes(self, shape: rdflib.term.Node, node: rdflib.term.Node) -> str:
        """PREFIX lines of ``node``'s sh:prefixes, their owners' owl:imports included."""
        seen: dict[str, str] = {}
        todo = list(self.g.objects(node, SH.prefixes))
        done = set()
        while todo:
            owner = todo.pop()
            if owner in done:
                continue
            done.add(owner)
            todo += self.g.objects(owner, OWL.imports)
            for decl in self.g.objects(owner, SH.declare):
                prefix, ns = self.g.value(decl, SH.prefix), self.g.value(decl, SH.namespace)
                if prefix is None or ns is None:
                    raise self.fail(shape, "an sh:declare without sh:prefix and sh:namespace", "sh:declare")
                if seen.get(str(prefix), str(ns)) != str(ns):
                    raise self.fail(shape, f"prefix {prefix}: declared with two namespaces", "sh:declare")
                seen[str(prefix)] = str(ns)
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(seen.items()))

    def bound_terms(self, shape: rdflib.term.Node, text: str, params: dict[str, rdflib.term.Node]) -> dict[str, str]:
        """The constants to pre-bind in ``text``: parameters and $currentShape (N3)."""
        terms = {}
        for name, value in {**params, "currentShape": shape}.items():
            if name not in variables(text):
                continue
            if isinstance(value, BNode):
                raise self.fail(shape, f"${name} is a blank node, which a query cannot name", f"${name}")
            terms[name] = value.n3()
        return terms

    def with_path(self, shape: rdflib.term.Node, text: str, path: rdflib.term.Node | None) -> str:
        if "$PATH" not in text:
            return text
        if path is None:
            raise self.fail(shape, "$PATH in a node shape's SPARQL query", "$PATH")
        return text.replace("$PATH", self.path_sparql(shape, path))

    def select_query(self, shape: rdflib.term.Node, owner: rdflib.term.Node, text: str, targets: str,
                     path: rdflib.term.Node | None, params: dict[str, rdflib.term.Node]) -> str:
        """A SELECT constraint or validator with its pre-bound variables bound."""
        text = self.with_path(shape, text, path)
        terms = self.bound_terms(shape, text, params)
        try:
            refuse_unbindable(text, {"this", "currentShape", *params})
            query = bind_this(substitute(text, terms), targets)
        except Unbindable as err:
            raise self.fail(shape, str(err), err.field) from None
        return self.prefixes(shape, owner) + query

    def ask_query(self, shape: rdflib.term.Node, owner: rdflib.term.Node, text: str, targets: str,
                  path: rdflib.term.Node | None, params: dict[str, rdflib.term.Node]) -> str:
        """An ASK validator as a SELECT of the (focus, value) pairs it answers false for."""
        text = self.with_path(shape, text, path)
        terms = self.bound_terms(shape, text, params)
        try:
            prologue, body = ask_body(text)
            refuse_unbindable(body, {"this", "value", "currentShape", *params})
            body = substitute(body, terms, projection=False)
        except Unbindable as err:
            raise self.fail(shape, str(err), err.field) from None
        values = f"?this {self.path_sparql(shape, path)} ?value ." if path is not None else "BIND(?this AS ?value)"
        return (f"{self.prefixes(shape, owner)}{prologue}SELECT DISTINCT ?this ?value WHERE {{\n  {targets}\n"
                f"  {values}\n  FILTER NOT EXISTS {{ {body} }}\n}}")

    def sparql_checks(self, shape: rdflib.term.Node, node_shape: rdflib.term.Node, targets: str,
                      path: rdflib.term.Node | None) -> list[Check]:
        checks = []
        severity, severity_iri = self.severity(shape)
        for constraint in self.g.objects(shape, SH.sparql):
            if self.g.value(constraint, SH.deactivated) == Literal(True):
                continue
            select = self.g.value(constraint, SH.select)
            if select is None:
                raise self.fail(shape, "an sh:sparql constraint without sh:select", "sh:sparql")
            query = self.select_query(shape, constraint, str(select), targets, path, {})
            owner = constraint if self.message(constraint) else shape
            checks.append(Check(
                shape=shape, node_shape=node_shape, component="sh:SPARQLConstraintComponent",
                severity=severity, path=path, path_text=self.path_text(path),
                message=self.message(owner) or "SPARQL constraint not satisfied", query=query, targets=targets,
                severity_iri=severity_iri, messages=self.messages(owner), value_is_focus=path is None,
            ))
        return checks

    def components_of(self, shape: rdflib.term.Node) -> list[tuple[Component, list[dict[str, rdflib.term.Node]]]]:
        """The custom components ``shape`` uses, each with its parameter-value combinations."""
        out = []
        for comp in sorted(self.components.values(), key=lambda c: str(c.iri)):
            values = {p: sorted(self.g.objects(shape, p)) for p, _ in comp.params}
            mandatory = [p for p, optional in comp.params if not optional]
            if not mandatory or any(not values[p] for p in mandatory):
                continue
            given = [p for p, _ in comp.params if values[p]]
            combos = [dict(zip((_local(p) for p in given), combo, strict=True))
                      for combo in itertools.product(*(values[p] for p in given))]
            out.append((comp, combos))
        return out

    def component_checks(self, shape: rdflib.term.Node, node_shape: rdflib.term.Node, targets: str,
                         path: rdflib.term.Node | None) -> list[Check]:
        checks = []
        severity, severity_iri = self.severity(shape)
        for comp, combos in self.components_of(shape):
            validator = (comp.property_validator if path is not None else comp.node_validator) or comp.validator
            name = self.compact(str(comp.iri))
            if validator is None:
                kind = "property" if path is not None else "node"
                raise self.fail(shape, f"constraint component {name} has no validator for {kind} shapes", name)
            ask, select = self.g.value(validator, SH.ask), self.g.value(validator, SH.select)
            if ask is None and select is None:
                raise self.fail(shape, f"constraint component {name}: a validator with neither sh:ask nor "
                                "sh:select is not supported", name)
            for params in combos:
                build = self.ask_query if ask is not None else self.select_query
                query = build(shape, validator, str(ask if ask is not None else select), targets, path, params)
                messages = tuple(_fill(m, params) for m in self._component_messages(shape, validator, comp))
                checks.append(Check(
                    shape=shape, node_shape=node_shape, component=name, component_iri=comp.iri,
                    severity=severity, path=path, path_text=self.path_text(path),
                    message=_plain(messages) or f"does not satisfy {name}", query=query, targets=targets,
                    severity_iri=severity_iri, messages=messages, value_is_focus=path is None,
                ))
        return checks

    def _component_messages(self, shape: rdflib.term.Node, validator: rdflib.term.Node,
                            comp: Component) -> tuple[Literal, ...]:
        for owner in (shape, validator, comp.iri):
            if self.messages(owner):
                return self.messages(owner)
        return ()


def _fill(message: Literal, params: dict[str, rdflib.term.Node]) -> Literal:
    text = str(message)
    for name, value in params.items():
        text = text.replace("{$" + name + "}", str(value)).replace("{?" + name + "}", str(value))
    return Literal(text, lang=message.language) if message.language else Literal(text)


def _plain(messages: tuple[Literal, ...]) -> str | None:
    plain = [m for m in messages if not m.language] or list(messages)
    return str(plain[0]) if plain else None
