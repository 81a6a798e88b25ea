"""docs/ADAPTERS.md shows code that runs: each Python example in it names
the source file it comes from (``<!-- example from PATH -->`` on the line
before it) and is found there line for line; that file's tests exercise it."""

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = re.compile(r"(?:<!-- example from (\S+) -->\n)?```python\n(.*?)```", re.S)


def test_every_adapters_example_is_in_the_file_it_names():
    text = (REPO_ROOT / "docs" / "ADAPTERS.md").read_text()
    examples = EXAMPLE.findall(text)
    assert examples, "no Python example in docs/ADAPTERS.md"
    for path, block in examples:
        assert path, f"example names no source file:\n{block}"
        source = (REPO_ROOT / path).read_text()
        assert block in source, f"example not found in {path}:\n{block}"
