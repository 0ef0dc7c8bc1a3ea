"""How the packages of crunch/ may import one another (docs/architecture.md).

- No module imports another that imports it back, however indirectly, counting
  imports inside functions too.
- A blueprint module (one that makes a `Blueprint`) is imported by
  crunch.web.setup alone: what two pages share lives in a service, not a view.
- The foundation (settings, database, tenancy, tables, words, in-request solving,
  web helpers) imports no feature package, so any feature can use it.
"""

from __future__ import annotations

from pathlib import Path

from tests.import_graph import import_cycles, import_graph, module_name

CRUNCH = Path(__file__).resolve().parents[1] / "crunch"

FOUNDATION = {
    "crunch.config",
    "crunch.extensions",
    "crunch.database",
    "crunch.tenancy",
    "crunch.models",
    "crunch.tables",
    "crunch.solving",
    "crunch.pool",
    "crunch.solve_slots",
    "crunch.words",
    "crunch.web",
    "crunch.web.htmx",
    "crunch.web.assets",
    "crunch.web.download",
    "crunch.files.cells",
}
FEATURES = (
    "accounts",
    "schools",
    "editor",
    "history",
    "compare",
    "files",
    "next_year",
    "jobs",
    "rosters",
    "class_lists",
)


def blueprint_modules() -> set[str]:
    return {
        module_name(path)
        for path in CRUNCH.rglob("*.py")
        if "Blueprint(" in path.read_text() and path.name != "setup.py"
    }


def test_crunch_has_no_import_cycle():
    assert import_cycles(CRUNCH) == []


def test_only_the_web_setup_imports_a_blueprint_module():
    views = blueprint_modules()
    assert "crunch.editor.views" in views and "crunch.rosters.views" in views
    importers = {
        module: sorted(targets & views)
        for module, targets in import_graph(CRUNCH).items()
        if targets & views and module != "crunch.web.setup"
    }
    assert importers == {}


def test_the_foundation_imports_no_feature():
    graph = import_graph(CRUNCH)
    assert set(graph) >= FOUNDATION
    features = {f"crunch.{name}" for name in FEATURES}
    reaching = {
        module: sorted(t for t in targets if t.rsplit(".", 1)[0] in features or t in features)
        for module, targets in graph.items()
        if module in FOUNDATION
    }
    assert {module: found for module, found in reaching.items() if found} == {}
