"""The solver's modules import one way: no cycle, no import hidden in a function.

Read from the source with `ast`, so every import counts: at the top of a module,
inside a function, under `if TYPE_CHECKING`, relative or absolute. `import_cycles`
takes any package directory, so it can be pointed at the whole of crunch/ as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CRUNCH = Path(__file__).resolve().parents[2] / "crunch"
SOLVER = CRUNCH / "solver"

Graph = dict[str, set[str]]


def module_name(path: Path) -> str:
    """The dotted name of a source file, found by climbing the packages that hold it."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def _imported(node: ast.AST, name: str, is_package: bool, known: set[str]) -> list[str]:
    """The modules one import statement of module `name` loads, among `known`."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            package = name.split(".") if is_package else name.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        # `from pkg import mod` loads the module pkg.mod; `from mod import name`, mod
        targets = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
            for alias in node.names
        ]
    else:
        return []
    found = []
    for target in targets:
        # `import a.b.c` of a name that is not a module (a function, say): its package
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target:
            found.append(target)
    return found


def import_graph(package_dir: Path) -> Graph:
    """Module -> the modules it imports, for every module under `package_dir`."""
    paths = {module_name(p): p for p in sorted(Path(package_dir).rglob("*.py"))}
    known = set(paths)
    graph: Graph = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        graph[name] = {
            target
            for node in ast.walk(tree)
            for target in _imported(node, name, is_package, known)
            if target != name
        }
    return graph


def import_cycles(package_dir: Path) -> list[list[str]]:
    """Each set of modules that import one another in a circle, sorted (Tarjan's SCC)."""
    graph = import_graph(package_dir)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


def _in_functions(tree: ast.AST):
    """Every node that runs only when a function is called, not when the module loads."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for inner in node.body if isinstance(node.body, list) else [node.body]:
                yield from ast.walk(inner)


def deferred_imports(package_dir: Path) -> list[str]:
    """Imports of the package's own modules inside a function, where a cycle can hide."""
    known = set(import_graph(package_dir))
    found = set()
    for path in sorted(Path(package_dir).rglob("*.py")):
        name = module_name(path)
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in _in_functions(tree):
            for target in _imported(node, name, path.name == "__init__.py", known):
                found.add(f"{name}:{node.lineno} imports {target}")
    return sorted(found)


def test_the_solver_has_no_import_cycle():
    assert import_cycles(SOLVER) == []


def test_the_solver_imports_its_own_modules_only_at_the_top():
    # a deferred import is how a cycle hides; the solver needs none
    assert deferred_imports(SOLVER) == []


@pytest.mark.parametrize("module", ["solve", "diagnose", "staffing", "rebalance"])
def test_the_engine_is_below_the_entry_points(module):
    graph = import_graph(SOLVER)
    assert "crunch.solver.engine" in graph[f"crunch.solver.{module}"]
    below, todo = set(), ["crunch.solver.engine"]
    while todo:
        for target in graph[todo.pop()] - below:
            below.add(target)
            todo.append(target)
    assert f"crunch.solver.{module}" not in below


def test_the_graph_resolves_relative_and_absolute_imports():
    graph = import_graph(SOLVER)
    assert "crunch.solver.binding" in graph["crunch.solver.placement.model"]  # from .. import
    assert "crunch.solver.solution" in graph["crunch.solver.placement.solve"]  # from ..solution
    assert "crunch.solver.data" in graph["crunch.solver"]  # the package's __init__
    assert not any("mip" in targets for targets in graph.values())  # only the package's own


def _package(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "pkg"


def test_the_check_finds_a_cycle_hidden_in_a_function(tmp_path):
    package = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from .b import g\n\ndef f():\n    return g()\n",
            "pkg/b.py": "def g():\n    from .sub.c import h\n    return h()\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/c.py": "import pkg.a\n\ndef h():\n    return 1\n",
            "pkg/d.py": "from pkg import a\n",  # imports the cycle, is not in it
        },
    )
    assert import_cycles(package) == [["pkg.a", "pkg.b", "pkg.sub.c"]]
    assert deferred_imports(package) == ["pkg.b:2 imports pkg.sub.c"]


def test_the_check_finds_a_two_module_cycle_through_a_package_import(tmp_path):
    package = _package(
        tmp_path,
        {
            "pkg/__init__.py": "from . import a\n",
            "pkg/a.py": "from pkg import helper\n",
            "pkg/helper.py": "from .a import thing\n",
        },
    )
    assert import_cycles(package) == [["pkg.a", "pkg.helper"]]
