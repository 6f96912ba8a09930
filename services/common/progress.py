"""Progress of long start-up work (model loading), reported to the local launcher.

A process prints `LLS_PROGRESS {"task": ..., "completed": ..., "total": ...}` lines on
stdout; `llamastack run` turns them into progress bars. A task named `"<name>: <step>"`
(e.g. `"llama-cpp: loading SmolLM2"`) is one bar per `<name>` whose label shows the step.
"""

from __future__ import annotations

import json
import sys

__all__ = ["PREFIX", "parse", "report"]

PREFIX = "LLS_PROGRESS "


def report(task: str, completed: float, total: float) -> None:
    line = json.dumps({"task": task, "completed": completed, "total": total})
    print(PREFIX + line, file=sys.stdout, flush=True)


def parse(line: str) -> dict | None:
    """The progress event in a line of a process's stdout, if it is one."""
    if not line.startswith(PREFIX):
        return None
    try:
        event = json.loads(line[len(PREFIX) :])
    except ValueError:
        return None
    return event if isinstance(event, dict) and "task" in event else None
