"""The solver's modules import one way: no cycle, no import hidden in a function.

Read from the source with `ast`, so every import counts: at the top of a module,
inside a function, under `if TYPE_CHECKING`, relative or absolute. `import_cycles`
takes any package directory, so it can be pointed at the whole of crunch/ as well.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_graph import deferred_imports, import_cycles, import_graph

CRUNCH = Path(__file__).resolve().parents[2] / "crunch"
SOLVER = CRUNCH / "solver"


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
