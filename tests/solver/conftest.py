import json
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def example():
    """The decoded JSON of a bundled example, by file stem."""

    def load(stem: str) -> dict:
        return json.loads((EXAMPLES / f"{stem}.json").read_text())

    return load
