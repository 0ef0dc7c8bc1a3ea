"""The editor form's values as a browser would post them, read from its HTML.

Standard library only: the CI smoke test of production mode (.ci/smoke_serve.py)
reads the form with it too.
"""

from __future__ import annotations

import re
from html import unescape


def editor_fields(page: str) -> list[tuple[str, str]]:
    """(name, value) of each input the editor form would post, in order."""
    start = page.index('<form id="editor"')
    form = page[start : page.index("</form>", start)]
    fields = []
    for match in re.finditer(r"<input([^>]*)>", form):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))
        name = attrs.get("name")
        if not name or name == "combine":
            continue
        if attrs.get("type") == "checkbox" and not re.search(r"\bchecked\b", match.group(1)):
            continue
        fields.append((name, unescape(attrs.get("value", ""))))
    return fields
