"""The import graph of a package, read from the source with `ast`, so every import
counts: at the top of a module, inside a function, under `if TYPE_CHECKING`, relative
or absolute. Used by tests/test_imports.py (all of crunch/) and
tests/solver/test_layers.py (the solver)."""

from __future__ import annotations

import ast
from pathlib import Path

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
