"""The fault suite: real processes failing on purpose. Its figures are printed at the end of the
run as the "Faults" table (the same rows as in bench/RESULTS.md)."""

from __future__ import annotations

import httpx
import pytest

from tests.faults.stack import FIGURES


@pytest.fixture(scope="module")
def http(stack):
    """An HTTP client of the module's `stack` (its Envoy)."""
    with httpx.Client(base_url=stack.rest, timeout=60) as client:
        yield client


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FIGURES:
        return
    terminalreporter.section("Faults")
    width = max(len(s) for s, _ in FIGURES)
    for scenario, text in FIGURES:
        terminalreporter.write_line(f"{scenario:<{width}}  {text}")
