"""Imports run one way: base -> sources -> knowledge -> criteria -> map -> store ->
services -> cli. Every module of ``src/trialkg`` is read with ``ast``; each import of
another trialkg module (at the top or inside a function) must point to the same layer
or a lower one, and no import of the package's own modules is guarded or done by name.
docs/architecture.md draws this table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "trialkg"

# Layer of each module, lowest first; a package name covers every module under it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("trialkg", "trialkg.errors", "trialkg.records", "trialkg.iris", "trialkg.namespace",
              "trialkg.resources", "trialkg.terms", "trialkg.durations", "trialkg.prefixes",
              "trialkg.textgate", "trialkg.versions", "trialkg.http", "trialkg.limits")),
    ("sources", ("trialkg.sources",)),
    ("knowledge", ("trialkg.knowledge",)),
    ("criteria", ("trialkg.criteria",)),
    ("map", ("trialkg.mapping", "trialkg.trialview")),
    ("store", ("trialkg.store",)),
    ("services", ("trialkg.pipeline", "trialkg.queries", "trialkg.views", "trialkg.validate", "trialkg.shapes",
                  "trialkg.shacl", "trialkg.export", "trialkg.jsonld", "trialkg.push", "trialkg.viz",
                  "trialkg.analyze", "trialkg.match", "trialkg.serve")),
    ("cli", ("trialkg.cli", "trialkg.tools")),
)
RANK = {name: i for i, (name, _) in enumerate(LAYERS)}
# Inside the matcher (a services package), its modules in the same one-way order: the
# package's own ``__init__`` re-exports and sits above all of them.
MATCH_LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("logic", ("trialkg.match.logic",)),
    ("patient", ("trialkg.match.schema", "trialkg.match.patient", "trialkg.match.conditions")),
    ("graph", ("trialkg.match.graph", "trialkg.match.drugs")),
    ("results", ("trialkg.match.rank", "trialkg.match.results")),
    ("decide", ("trialkg.match.decide",)),
    ("criterion", ("trialkg.match.criterion",)),
    ("matcher", ("trialkg.match.matcher", "trialkg.match.output")),
    ("package", ("trialkg.match",)),
)
# Inside the SHACL compiler (a services package), the same: one compiled check and the
# literal table at the bottom, the compiler of shapes above them, the package on top.
SHACL_LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("check", ("trialkg.shacl.check", "trialkg.shacl.literals", "trialkg.shacl.pairs")),
    ("prebinding", ("trialkg.shacl.prebinding",)),
    ("sparql", ("trialkg.shacl.sparql_constraints",)),
    ("compiler", ("trialkg.shacl.compiler",)),
    ("package", ("trialkg.shacl",)),
)
# The one place that loads modules by name: the CLI imports a command only when it runs.
LAZY_LOADER = "trialkg.cli"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str, layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS) -> str | None:
    best: tuple[int, str] | None = None
    for layer, names in layers:
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > best[0]):
                best = (len(name), layer)
    return best[1] if best else None


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def imports(module: str, tree: ast.Module, is_package: bool) -> list[tuple[str, int]]:
    """The trialkg modules ``module`` imports, with their line: ``from X import sub`` of a
    submodule is X.sub (no name of X's own ``__init__`` is used), ``from X import name``
    of any other name is X."""
    base = module.split(".") if is_package else module.split(".")[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "trialkg"]
        elif isinstance(node, ast.ImportFrom):
            name = ".".join(base[:len(base) - node.level + 1] + [node.module or ""]).strip(".") \
                if node.level else (node.module or "")
            if name.split(".")[0] != "trialkg":
                continue
            subs = [f"{name}.{a.name}" for a in node.names]
            subs = [sub for sub in subs if (SRC / (sub.replace(".", "/") + ".py")).exists()
                    or (SRC / sub.replace(".", "/")).is_dir()]
            if len(subs) < len(node.names):  # a name the module itself defines
                out.append((name, node.lineno))
            out += [(sub, node.lineno) for sub in subs]
    return out


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in modules() if layer_of(m) is None]
    assert unplaced == [], f"add these modules to LAYERS in tests/test_architecture.py: {unplaced}"


def test_imports_run_one_way() -> None:
    upward = []
    for module, tree in modules().items():
        is_package = (SRC / module.replace(".", "/") / "__init__.py").exists()
        mine = layer_of(module)
        for target, line in imports(module, tree, is_package):
            theirs = layer_of(target)
            if mine and theirs and RANK[theirs] > RANK[mine]:
                upward.append(f"{module}:{line} ({mine}) imports {target} ({theirs})")
    assert upward == []


@pytest.mark.parametrize("package, layers", [("trialkg.match", MATCH_LAYERS), ("trialkg.shacl", SHACL_LAYERS)])
def test_the_modules_of_a_package_import_one_way(package: str, layers: tuple) -> None:
    rank = {name: i for i, (name, _) in enumerate(layers)}
    upward, unplaced = [], []
    for module, tree in modules().items():
        if module != package and not module.startswith(package + "."):
            continue
        mine = layer_of(module, layers)
        if mine is None:
            unplaced.append(module)
            continue
        is_package = (SRC / module.replace(".", "/") / "__init__.py").exists()
        for target, line in imports(module, tree, is_package):
            theirs = layer_of(target, layers)
            if theirs and rank[theirs] > rank[mine]:
                upward.append(f"{module}:{line} ({mine}) imports {target} ({theirs})")
    assert unplaced == [] and upward == []


def _imports_the_package(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").split(".")[0] == "trialkg"
    return isinstance(node, ast.Import) and any(a.name.split(".")[0] == "trialkg" for a in node.names)


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(getattr(t, "id", None) in ("ImportError", "ModuleNotFoundError") for t in types)


def test_no_guarded_or_by_name_imports_of_the_package() -> None:
    """A missing module of the package is a broken install, never a silent fallback."""
    found = []
    for module, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers) and any(
                    _imports_the_package(n) for stmt in node.body for n in ast.walk(stmt)):
                found.append(f"{module}:{node.lineno} guards an import of the package")
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == \
                    "import_module" and module != LAZY_LOADER:
                found.append(f"{module}:{node.lineno} imports a module by name")
    assert found == []


def test_the_architecture_page_names_every_layer() -> None:
    page = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for layer, _names in LAYERS:
        assert f"| {layer} |" in page, layer


def test_criteria_rules_sit_below_the_parser() -> None:
    """``criteria/rules/`` (one module per constraint type) never imports ``criteria.parse``,
    which runs the rules."""
    rules = {m: t for m, t in modules().items() if m.startswith("trialkg.criteria.rules")}
    assert rules, "criteria/rules/ not found"
    for module, tree in rules.items():
        is_package = module == "trialkg.criteria.rules"
        targets = [t for t, _ in imports(module, tree, is_package)]
        assert "trialkg.criteria.parse" not in targets, module
