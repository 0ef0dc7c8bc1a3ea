"""axe-core in the browser tests: WCAG 2.2 AA, failing on serious and critical violations.

axe-playwright-python bundles axe-core and injects it with `page.evaluate`, which the
page's Content-Security-Policy does not apply to. `assert_accessible` runs it on the
page as it is now (after an htmx swap too) and, on failure, lists each violation with
its rule id, the elements it found and the rule's help text, so the message says what
to fix without opening a browser.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.0, 2.1 and 2.2 at levels A and AA (wcag21a adds 2.1's level-A rules, which
# AA includes).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = {"serious", "critical"}
OPTIONS = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


def violations(page) -> list[dict]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    results = _axe.run(page, options=OPTIONS)
    return [v for v in results.response["violations"] if v.get("impact") in FAILING]


def describe(found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{v.get('helpUrl', '')}]")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    """Fail with a readable list if axe-core finds a serious or critical violation."""
    found = violations(page)
    assert not found, f"{where}: {len(found)} accessibility violation(s)\n{describe(found)}"
