"""Count what `make test` ran and print the closing line.

Reads, from the folder given as argument, pytest's JUnit XML (``pytest.xml``,
and ``pytest-no-odoo.xml`` from the virtualenv without Odoo) and Odoo's log
(``odoo.log`` with its exit code in ``odoo.rc``), then prints
the tours (browser tests) run, passed and skipped among the Odoo tests, and
``N passed, N failed`` (``, N skipped`` when some were); exits non-zero if
anything failed, or if no test ran at all.
"""

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ODOO_RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading")
ODOO_SKIP = re.compile(r"\bINFO \S+ \S+: skipped ")
ODOO_ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
TOUR_STARTED = re.compile(r"Evaluate test code \"odoo\.startTour\('([^']+)'")
TOUR_FAILED = re.compile(r"ERROR \S+ \S+\.browser: Tour (\S+) failed at step")
TOUR_SKIPPED = re.compile(
    r"INFO \S+ \S+: skipped \S+ : [^\n]*(chrom|websocket-client|browser)",
    re.IGNORECASE,
)


def pytest_counts(folder, name="pytest"):
    path = folder / f"{name}.xml"
    if not path.exists():
        if (folder / f"{name}.expected").exists():
            print(f"{name}: no report (pytest did not run to the end)")
            return 0, 1, 0
        return None
    suites = ET.parse(path).getroot()
    suites = [suites] if suites.tag == "testsuite" else list(suites)
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed, skipped


def odoo_counts(folder):
    log = folder / "odoo.log"
    if not log.exists():
        return None
    text = log.read_text(errors="replace")
    rc = int((folder / "odoo.rc").read_text().strip() or 1)
    results = ODOO_RESULT.findall(text)
    skipped = len(ODOO_SKIP.findall(text))
    errors = [line for line in text.splitlines() if ODOO_ERROR.match(line)]
    if not results:
        print("Odoo tests: no result line in the log (the run died early?)")
        return 0, 1, 0
    failures, errs, run = (int(x) for x in results[-1])
    failed = failures + errs
    if rc != 0 or (errors and not failed):
        print(f"Odoo tests: exit code {rc}, {len(errors)} ERROR line(s):")
        print("\n".join(errors[:20]))
        failed = max(failed, 1)
    return run - failed - skipped, failed, skipped


def tour_counts(folder):
    """``(run, failed, skipped)`` Odoo tours (browser tests) in Odoo's log."""
    log = folder / "odoo.log"
    if not log.exists():
        return None
    text = log.read_text(errors="replace")
    started = TOUR_STARTED.findall(text)
    failed = set(TOUR_FAILED.findall(text))
    return len(started), len(failed), len(TOUR_SKIPPED.findall(text))


def main(folder):
    folder = Path(folder)
    totals = [0, 0, 0]
    for name, counts in (
        ("pytest", pytest_counts(folder)),
        ("pytest without Odoo", pytest_counts(folder, "pytest-no-odoo")),
        ("odoo", odoo_counts(folder)),
    ):
        if counts is None:
            continue
        print(f"{name}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped")
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    tours = tour_counts(folder)
    if tours is not None:
        run, failed_tours, skipped_tours = tours
        print(
            f"tours (headless Chromium): {run - failed_tours} passed, "
            f"{failed_tours} failed; {skipped_tours} tour test(s) skipped"
        )
        if skipped_tours or (folder / "tours.skipped").exists():
            print(
                "TOURS SKIPPED: no usable Chrome/Chromium (see the set-up "
                "messages above); the browser tests did not run"
            )
    skipped_note = folder / "odoo.skipped"
    if skipped_note.exists():
        print(f"odoo: NOT RUN ({skipped_note.read_text().strip()})")
    passed, failed, skipped = totals
    line = f"{passed} passed, {failed} failed"
    print(line + (f", {skipped} skipped" if skipped else ""))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
