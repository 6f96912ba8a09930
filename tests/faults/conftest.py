"""The fault suite: real processes failing on purpose. Its figures are printed at the end of the
run as the "Faults" table (the same rows as in bench/RESULTS.md)."""

from __future__ import annotations

from tests.faults.stack import FIGURES


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FIGURES:
        return
    terminalreporter.section("Faults")
    width = max(len(s) for s, _ in FIGURES)
    for scenario, text in FIGURES:
        terminalreporter.write_line(f"{scenario:<{width}}  {text}")
