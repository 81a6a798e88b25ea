"""The guides show code that runs: each Python example in docs/ADAPTERS.md
and docs/NEW_CONNECTOR.md names the source file it comes from (``<!--
example from PATH -->`` on the line before it) and is found there line for
line; that file's tests exercise it."""

import re
import shlex
import shutil
import subprocess
import sys
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


# The README's commands -------------------------------------------------------
#
# Every command the README shows (in ``sh`` blocks, or inline) is either run
# here, or listed with the file that exercises it and a string of that file
# that shows it does. A command added to the README without an entry here
# fails ``test_every_readme_command_is_covered``.

README = REPO_ROOT / "README.md"
SH_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
INLINE = re.compile(r"`((?:make|bash|curl|python|git) [^`]*)`")
SANDBOX_URL = "http://127.0.0.1:8070"

RUN_HERE = "run by tests/test_docs.py"
COVERAGE = [
    # (command pattern, where it is exercised: RUN_HERE or (file, evidence))
    (r"make (run|test|lint|pytest|bench|soak)", RUN_HERE),  # make -n, below
    (r"make odoo-test .*", RUN_HERE),
    (r"curl .*", RUN_HERE),
    (r"python -m sandbox --help", RUN_HERE),
    (
        r"python -m sandbox --port 8070 --seed-records 250",
        ("setup/run.sh", "-m sandbox --port"),
    ),
    (
        r"bash setup/test\.sh --only pytest -- .*",
        ("Makefile", "setup/test.sh --only pytest"),
    ),
    (r"bash setup/screenshots\.sh", ("setup/screenshots.sh", "setup/screenshots.py")),
    (
        r"git clone --branch 17\.0 .* ~/\.cache/myconnector-suite/odoo-17\.0",
        ("setup/common.sh", 'ODOO_DEFAULT_SRC="$MYCONNECTOR_CACHE/odoo-17.0"'),
    ),
]


def readme_commands():
    """The README's commands, in order, once each: the lines of its ``sh``
    blocks (continuations joined, comments dropped) and its inline ones."""
    text = README.read_text()
    commands = []
    for block in SH_BLOCK.findall(text):
        for line in re.sub(r"\\\n\s*", "", block).splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command:
                commands.append(command)
    commands += [" ".join(span.split()) for span in INLINE.findall(text)]
    return list(dict.fromkeys(commands))


def coverage_of(command):
    return [how for pattern, how in COVERAGE if re.fullmatch(pattern, command)]


def test_every_readme_command_is_covered():
    commands = readme_commands()
    assert any(c.startswith("curl ") for c in commands), "no command found"
    for command in commands:
        matches = coverage_of(command)
        assert len(matches) == 1, f"README command not covered once: {command}"
        if matches[0] != RUN_HERE:
            path, evidence = matches[0]
            assert (
                evidence in (REPO_ROOT / path).read_text()
            ), f"{path} does not show that it exercises: {command}"
    for pattern, _how in COVERAGE:
        assert any(
            re.fullmatch(pattern, c) for c in commands
        ), f"COVERAGE entry for a command no longer in the README: {pattern}"


def test_readme_make_commands_name_real_targets():
    """``make -n``: the target exists and its arguments are taken (nothing
    runs); the whole targets run in ``make test``, CI and the benchmarks."""
    for command in readme_commands():
        if command.startswith("make "):
            done = subprocess.run(
                ["make", "-n", *shlex.split(command)[1:]],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            assert done.returncode == 0, f"{command}: {done.stderr}"
            assert "setup/" in done.stdout, f"{command} runs: {done.stdout}"


@pytest.mark.skipif(not shutil.which("curl"), reason="curl is not installed")
def test_readme_curl_commands_against_a_sandbox_like_make_runs(platform):
    """The walkthrough's and the sandbox section's ``curl`` commands, in the
    README's order, against a sandbox seeded as ``make run`` seeds it: each
    answers 2xx (``--fail``), and order 251 (step 11) exists."""
    server = platform(seed_records=250)
    for command in readme_commands():
        if command.startswith("curl "):
            command = "curl --fail " + command[5:].replace(SANDBOX_URL, server.url)
            done = subprocess.run(
                ["bash", "-c", command],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            assert done.returncode == 0, f"{command}: {done.stdout} {done.stderr}"


def test_readme_sandbox_help_runs():
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--seed-records" in done.stdout


def test_readme_is_a_front_door():
    """Short, with the history and the deep explanations in docs/, every
    relative link and picture of it pointing at a file that exists."""
    text = README.read_text()
    assert len(text.splitlines()) <= 260, "README.md grew: move details to docs/"
    for page in ("PERFORMANCE.md", "RELIABILITY.md", "RATE_BUDGET.md", "SETUP.md"):
        assert f"(docs/{page})" in text, f"README.md does not link docs/{page}"
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (REPO_ROOT / target).exists(), f"README.md links a missing {target}"
