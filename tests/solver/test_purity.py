"""The solver package is pure: stdlib and mip only (GUIDE: no Flask, SQLAlchemy or crunch.*)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOLVER = Path(__file__).resolve().parents[2] / "crunch" / "solver"
FORBIDDEN_ROOTS = {
    "flask",
    "flask_sqlalchemy",
    "flask_wtf",
    "flask_migrate",
    "sqlalchemy",
    "wtforms",
}


def imports(path: Path) -> list[tuple[str, int]]:
    """(absolute module name, level) of every import in a module, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


MODULES = sorted(SOLVER.rglob("*.py"))


def test_there_are_modules_to_check():
    assert {"__init__.py", "data.py", "solution.py"} <= {p.name for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_solver_module_imports_nothing_of_the_web_app(path):
    for module, level in imports(path):
        root = module.split(".")[0]
        assert root not in FORBIDDEN_ROOTS, f"{path.name} imports {module}"
        if level == 0 and root == "crunch":
            assert module == "crunch.solver" or module.startswith("crunch.solver."), (
                f"{path.name} imports {module}"
            )
        if level > 1:
            # `from .. import x` climbs out of crunch/solver into crunch
            depth = len(path.relative_to(SOLVER).parts) - 1
            assert level - 1 <= depth, f"{path.name} imports from outside the solver package"


def test_the_check_itself_catches_a_web_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom flask import Flask\nfrom crunch.models import School\n")
    roots = [m.split(".")[0] for m, _ in imports(bad)]
    assert "flask" in roots and "crunch" in roots
