"""The import structure stays a layered graph: no cycles, no upward arrows.

Every ``import`` of a ``scheduler`` module counts, including imports inside
functions: a lazy import hides a cycle from the interpreter, not from a reader.
A new cycle fails this test with the modules that form it; an import from a
package to one in a higher layer (``LAYERS``) fails with the offending pairs.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _modules(root: Path, package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _resolve(target: str, modules: dict[str, Path]) -> str | None:
    """The longest known module a dotted import names (``a.b.func`` -> ``a.b``)."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            resolved = _resolve(candidate, modules)
            if resolved and resolved != name:
                targets.add(resolved)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = _modules(REPO, "scheduler") | _modules(REPO, "dashboard")
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    # A package's __init__ is imported by every import of its submodules; an
    # edge from a package to its own submodule is how packages re-export.
    return {
        name: {t for t in targets if not t.startswith(name + ".")}
        for name, targets in graph.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_library_never_reaches_a_front_end() -> None:
    graph = import_graph()
    offending = {
        (source, target)
        for source, targets in graph.items()
        if source.startswith("scheduler")
        and not source.startswith(("scheduler.cli", "scheduler.__main__"))
        for target in targets
        if target.startswith(("dashboard", "scheduler.cli"))
    }
    assert offending == set()


LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("scheduler", "settings", "clock"),
    ("data",),
    ("store",),
    ("access", "draw"),
    ("sampling", "matching"),
    ("publication",),
    ("simulation",),
    ("views",),
    ("dashboard",),
    ("cli",),
    ("__main__",),
)
"""Lowest first. A package may import its own modules and those of any lower layer;
packages of one layer do not import each other. ``scheduler`` is the root package
(``__version__``); ``sampling`` is SPEC section 5's re-export of ``draw.sampling``; the
CLI is above the dashboard because ``scheduler dashboard`` starts it; ``__main__``
(``python -m scheduler``) runs the CLI."""


def package_of(module: str) -> str:
    """``scheduler.draw.frame`` -> ``draw``; ``dashboard.app_pages.x`` -> ``dashboard``."""
    parts = module.split(".")
    if parts[0] == "dashboard":
        return "dashboard"
    return parts[1] if len(parts) > 1 else "scheduler"


def upward_imports(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Every ``(importer, imported)`` pair that points to the same or a higher layer."""
    rank = {package: k for k, layer in enumerate(LAYERS) for package in layer}
    found = set()
    for source, targets in graph.items():
        for target in targets:
            a, b = package_of(source), package_of(target)
            if a != b and rank[b] >= rank[a]:
                found.add((source, target))
    return found


def test_every_package_has_a_layer() -> None:
    rank = {package for layer in LAYERS for package in layer}
    assert {package_of(m) for m in import_graph()} <= rank


def test_no_upward_import() -> None:
    assert upward_imports(import_graph()) == set()


def test_the_layer_rule_catches_an_upward_lazy_import() -> None:
    graph = {
        "scheduler.store.loader": {"scheduler.views.overview_store"},
        "scheduler.draw.plans": {"scheduler.store.engine"},
        "scheduler.access.policy": {"scheduler.draw.frame"},
    }
    assert upward_imports(graph) == {
        ("scheduler.store.loader", "scheduler.views.overview_store"),
        ("scheduler.access.policy", "scheduler.draw.frame"),
    }


DASHBOARD = REPO / "dashboard"
TRANSACTIONS = ("session_scope", "Session", "begin", "connect")


def _opened_transactions(path: Path) -> list[str]:
    """Calls in ``path`` that open a session or connection (``session_scope(...)``, ...)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in TRANSACTIONS:
                found.append(f"{path.name}:{node.lineno} {name}")
    return found


def _page_files() -> list[Path]:
    return sorted((DASHBOARD / "app_pages").glob("*.py")) + sorted(DASHBOARD.glob("*_view.py"))


def test_no_dashboard_page_opens_a_transaction() -> None:
    """Pages and their sections write through ``dashboard.workflow`` or library actions."""
    assert [hit for path in _page_files() for hit in _opened_transactions(path)] == []


def test_the_transaction_scan_sees_one(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text("with session_scope(engine()) as session:\n    pass\n", encoding="utf-8")
    assert _opened_transactions(page) == ["page.py:1 session_scope"]


def test_every_dashboard_page_is_at_most_300_lines() -> None:
    long = {p.name: n for p in _page_files() if (n := len(p.read_text().splitlines())) > 300}
    assert long == {}
