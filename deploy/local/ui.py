"""What `llamastack run` shows while the stack starts and runs.

On a terminal: a rich live display with a spinner per process until it is SERVING and a
progress bar per `LLS_PROGRESS` task (model loading). Elsewhere (CI, pipes, tests): plain
timestamped lines, with progress reported at 25 % steps. Both take the same events from the
supervisor; `ProgressTracker` (pure logic) turns raw progress events into bar updates.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

__all__ = ["PlainView", "ProgressTracker", "RichView", "TaskUpdate", "View", "make_view"]


@dataclass(frozen=True)
class TaskUpdate:
    """A progress bar's new state."""

    key: tuple[str, str]
    process: str
    task: str
    completed: float
    #: None when the total is unknown (the bar pulses).
    total: float | None
    done: bool
    new: bool

    @property
    def fraction(self) -> float | None:
        return None if not self.total else min(1.0, self.completed / self.total)


class ProgressTracker:
    """Turns `{"task", "completed", "total"}` events into bar updates, ignoring junk.

    A task label `"<name>: <step>"` (e.g. `llama-cpp: loading SmolLM2`, then `llama-cpp:
    models loaded`) moves one bar, `<name>`'s, through its steps; other labels are bars of
    their own.
    """

    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()

    def update(self, process: str, event: dict) -> TaskUpdate | None:
        task = event.get("task")
        if not isinstance(task, str) or not task.strip():
            return None
        completed = _number(event.get("completed"))
        total = _number(event.get("total"))
        if completed is None:
            return None
        total = total if total is not None and total > 0 else None
        completed = max(0.0, completed if total is None else min(completed, total))
        task = task.strip()
        key = (process, task.split(": ", 1)[0] if ": " in task else task)
        new = key not in self._seen
        self._seen.add(key)
        done = total is not None and completed >= total
        return TaskUpdate(key, process, task, completed, total, done, new)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


class View(Protocol):
    def starting(self, name: str, pid: int, start: int) -> None: ...
    def listening(self, name: str, address: str) -> None: ...
    def progress(self, update: TaskUpdate) -> None: ...
    def ready(self, name: str, seconds: float) -> None: ...
    def startup_done(self) -> None:
        """Startup is over (ready or failed): stop live output."""

    def message(self, text: str, style: str = "") -> None: ...
    def failure(self, title: str, tail: str) -> None: ...


class PlainView:
    """Timestamped lines (no terminal needed)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._t0 = time.monotonic()
        self._last_step: dict[tuple[str, str], int] = {}

    def _line(self, name: str, text: str, style: str = "") -> None:
        stamp = f"[{time.monotonic() - self._t0:7.1f}s]"
        body = f"{stamp} {name:<14} {escape(text)}"
        self.console.print(f"[{style}]{body}[/]" if style else body, highlight=False)

    def starting(self, name: str, pid: int, start: int) -> None:
        again = f", restart {start - 1}" if start > 1 else ""
        self._line(name, f"starting (pid {pid}{again})")

    def listening(self, name: str, address: str) -> None:
        self._line(name, f"listening on {address}")

    def progress(self, update: TaskUpdate) -> None:
        frac = update.fraction
        step = 4 if update.done else (int(frac * 4) if frac is not None else -1)
        if not update.new and self._last_step.get(update.key) == step:
            return
        self._last_step[update.key] = step
        if frac is None:
            self._line(update.process, f"{update.task}: {update.completed:g}")
        else:
            self._line(update.process, f"{update.task}: {frac:.0%}")

    def ready(self, name: str, seconds: float) -> None:
        self._line(name, f"SERVING (ready in {seconds:.1f}s)", "green")

    def startup_done(self) -> None:
        pass

    def message(self, text: str, style: str = "") -> None:
        self._line("launcher", text, style)

    def failure(self, title: str, tail: str) -> None:
        self._line("launcher", title, "bold red")
        self.console.print(tail, highlight=False, markup=False)


class _OrderedProgress(Progress):
    """Rows in process order, each process followed by its own progress bars."""

    def get_renderables(self):  # type: ignore[no-untyped-def]
        yield self.make_tasks_table(sorted(self.tasks, key=lambda t: t.fields.get("order", ())))


class RichView:
    """A live display: a spinner per process, a bar per progress task (hidden once the
    process is SERVING)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = _OrderedProgress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("[bold]{task.fields[proc]:<14}"),
            TextColumn("{task.description}"),
            BarColumn(bar_width=28),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._procs: dict[str, TaskID] = {}
        self._tasks: dict[tuple[str, str], TaskID] = {}
        self._live = False

    def _ensure_live(self) -> None:
        if not self._live:
            self._progress.start()
            self._live = True

    def starting(self, name: str, pid: int, start: int) -> None:
        if not self._live and self._procs:  # a restart after startup: one line is enough
            self.message(f"{name}: starting again (pid {pid}, restart {start - 1})", "yellow")
            return
        self._ensure_live()
        desc = f"starting (pid {pid})"
        if name in self._procs:
            self._progress.reset(self._procs[name], total=None, description=desc)
        else:
            order = (len(self._procs), 0)
            self._procs[name] = self._progress.add_task(desc, total=None, proc=name, order=order)

    def listening(self, name: str, address: str) -> None:
        if self._live and name in self._procs:
            self._progress.update(self._procs[name], description=f"listening on {address}")

    def progress(self, update: TaskUpdate) -> None:
        if not self._live:
            return
        task = self._tasks.get(update.key)
        if task is None:
            index = list(self._procs).index(update.process) if update.process in self._procs else 99
            task = self._progress.add_task(
                update.task,
                total=update.total,
                proc=f"  {update.process}",
                order=(index, 1, len(self._tasks)),
            )
            self._tasks[update.key] = task
        self._progress.update(
            task, completed=update.completed, total=update.total, description=update.task
        )

    def ready(self, name: str, seconds: float) -> None:
        if not self._live:
            return
        task = self._procs.get(name)
        if task is not None:
            self._progress.update(task, total=1, completed=1, description="SERVING")
        for key, sub in self._tasks.items():
            if key[0] == name:
                self._progress.update(sub, visible=False)

    def startup_done(self) -> None:
        if self._live:
            self._progress.stop()
            self._live = False

    def message(self, text: str, style: str = "") -> None:
        body = f"[{style}]{escape(text)}[/]" if style else escape(text)
        # printed above the live display while it runs (rich keeps the bars at the bottom)
        self.console.print(f"[dim]{time.strftime('%H:%M:%S')}[/] {body}", highlight=False)

    def failure(self, title: str, tail: str) -> None:
        self.startup_done()
        self.console.print(
            Panel(Text(tail or "(empty log)"), title=escape(title), border_style="red")
        )


def make_view(console: Console) -> View:
    return RichView(console) if console.is_terminal else PlainView(console)
