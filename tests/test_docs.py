"""The guides show code that runs: each Python example in docs/ADAPTERS.md
and docs/NEW_CONNECTOR.md names the source file it comes from (``<!--
example from PATH -->`` on the line before it) and is found there line for
line; that file's tests exercise it."""

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = re.compile(r"(?:<!-- example from (\S+) -->\n)?```python\n(.*?)```", re.S)


@pytest.mark.parametrize("guide", ["ADAPTERS.md", "NEW_CONNECTOR.md"])
def test_every_example_is_in_the_file_it_names(guide):
    text = (REPO_ROOT / "docs" / guide).read_text()
    examples = EXAMPLE.findall(text)
    assert examples, f"no Python example in docs/{guide}"
    for path, block in examples:
        assert path, f"example names no source file:\n{block}"
        source = (REPO_ROOT / path).read_text()
        assert block in source, f"example not found in {path}:\n{block}"


def test_the_new_connector_guide_is_linked():
    for page in ("README.md", "docs/ADAPTERS.md"):
        text = (REPO_ROOT / page).read_text()
        assert "NEW_CONNECTOR.md" in text, f"{page} does not link the guide"
