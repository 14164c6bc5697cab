"""The packages' import graph: areas depend downward only, so no module needs a late import to
dodge a cycle, and a model module imports no verbs, views or queries."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from contest.db import MODEL_MODULES

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("contest", "judging")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8"))
            for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def own(name: str, known: set[str]) -> str | None:
    """The project module an import names (`contest.audit.models`, or `contest.audit` for its package)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports(tree: ast.Module, known: set[str], top_level: bool) -> set[str]:
    """The project modules a module imports at its top level (not under TYPE_CHECKING), or inside
    its functions."""
    found: set[str] = set()
    nodes = tree.body if top_level else [n for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef,
                                                                                   ast.AsyncFunctionDef))
                                            for n in ast.walk(f)]
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
            found |= {m for m in (own(n, known) for n in names) if m}
        elif isinstance(node, ast.Import):
            found |= {m for m in (own(a.name, known) for a in node.names) if m}
    return found


def test_the_top_level_import_graph_has_no_cycle() -> None:
    trees = modules()
    known = set(trees)
    graph = {name: imports(tree, known, top_level=True) - {name} for name, tree in trees.items()}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            pytest.fail("import cycle: " + " -> ".join(path[path.index(name):] + [name]))
        if name in done:
            return
        for child in sorted(graph.get(name, ())):
            visit(child, path + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


@pytest.mark.parametrize("name", MODEL_MODULES)
def test_a_model_module_imports_only_models_and_pure_logic(name: str) -> None:
    trees = modules()
    known = set(trees)
    assert not imports(trees[name], known, top_level=False), f"{name} imports inside a function"
    allowed = set(MODEL_MODULES) | {"contest.db", "contest.errors", "contest.marks", "judging.rubric",
                                    "contest.accounts.naming", "contest.entries.limits"}
    assert imports(trees[name], known, top_level=True) <= allowed
