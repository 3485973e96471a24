"""No import circle in engine/ or nn/: each module's imports, read with ``ast``, form no cycle.

Every ``import`` statement counts, at module level or inside a function (a function-level import
that closes a circle still runs the circle, only later), except those under ``if TYPE_CHECKING:``,
which never run. ``from p import name`` is an edge to the module ``p.name`` when that is a module,
else to ``p``. Importing ``a.b.c`` also runs the packages ``a`` and ``a.b``; that edge is counted
unless the importing module lies inside that package (its package is initialised before it anyway).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "nn")


def module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the checked packages."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in ``tree`` that can run: all but those under TYPE_CHECKING."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _with_parents(target: str, importer: str) -> set[str]:
    """``target`` and each package above it that ``importer`` does not lie inside."""
    parts = target.split(".")
    out = {target}
    for i in range(1, len(parts)):
        package = ".".join(parts[:i])
        if importer != package and not importer.startswith(package + "."):
            out.add(package)
    return out


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the checked packages that it imports at run time (read once)."""
    files = module_files()
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:  # relative: from the importer's package, up level - 1 more
                    package = name.split(".") if is_package else name.split(".")[:-1]
                    package = package[: len(package) - (node.level - 1)]
                    base = ".".join([*package, *([base] if base else [])])
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                    for alias in node.names
                ]
            for target in targets:
                for module in _with_parents(target, name):
                    if module in files and module != name:
                        graph[name].add(module)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan's algorithm,
    iterative), each as a path that returns to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return [_cycle_through(graph, set(c), c[0]) for c in components]


def _cycle_through(graph: dict[str, set[str]], members: set[str], start: str) -> list[str]:
    """A shortest path start -> ... -> start inside one strongly connected component."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{start} is in no cycle")  # pragma: no cover - members form a cycle


def test_the_cycle_finder_finds_and_names_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_are_read_at_every_level_except_type_checking():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import nn.layers\n"
        "if TYPE_CHECKING:\n    from nn import train\n"
        "def f():\n    from nn.module import Module\n"
    )
    names = sorted(
        n.module if isinstance(n, ast.ImportFrom) else n.names[0].name
        for n in _runtime_imports(ast.parse(source))
    )
    assert names == ["nn.layers", "nn.module", "typing"]


def test_the_graph_sees_the_packages_own_imports():
    graph = import_graph()
    assert "engine.value" in graph["engine"]  # engine/__init__.py re-exports Value
    assert "engine" in graph["nn.layers"]  # `from engine import Value` runs engine/__init__.py
    assert "nn.layers" not in graph["engine.value"]


def test_no_runtime_import_circle_in_engine_or_nn():
    found = cycles(import_graph())
    assert not found, "import circles: " + "; ".join(" -> ".join(c) for c in found)


if __name__ == "__main__":  # pragma: no cover - a quick listing while refactoring
    for cycle in cycles(import_graph()):
        print(" -> ".join(cycle))
