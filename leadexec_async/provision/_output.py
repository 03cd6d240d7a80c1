"""What ``leadexec provision`` prints: a progress bar on a terminal, plain lines otherwise, and a summary.

Imported only when the command runs (it needs rich, from the ``cli`` extra).
"""

from __future__ import annotations

import errno
import os
import sys
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from ._diff import change_lines
from .plan import KIND_LABEL, Plan
from .runner import NOT_SENT_STOPPED, RecordResult, RunSummary

__all__ = ["Output", "SafeStream"]

_STYLE = {
    "created": "green",
    "updated": "cyan",
    "unchanged": "dim",
    "failed": "bold red",
    "unknown": "bold yellow",
    "skipped": "yellow",
    "create": "green",
    "update": "cyan",
}
_SHOWN_PROBLEMS = 20


class SafeStream:
    """A text stream that never raises: the first failed write or flush gives the stream up.

    Output is a courtesy; the ledger is the record. A closed pipe
    (``leadexec provision plan.yaml | head``), a full disk or a terminal that
    went away must never stop the run from recording answers, so every write
    to stdout and stderr goes through one of these. Once a write fails,
    ``failed`` holds the error and later writes are dropped. When the stream is
    a process's own stdout or stderr, its file descriptor is pointed at the
    null device too, so that Python's own flush at exit cannot fail either.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.failed: OSError | ValueError | None = None

    def _give_up(self, error: OSError | ValueError) -> None:
        self.failed = error
        if self.stream in (sys.__stdout__, sys.__stderr__):
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                try:
                    os.dup2(devnull, self.stream.fileno())
                finally:
                    os.close(devnull)
            except (OSError, ValueError):
                pass

    def write(self, text: str) -> int:
        """Write ``text``; nothing happens once the stream has failed."""
        if self.failed is None:
            try:
                self.stream.write(text)
            except (OSError, ValueError) as error:  # ValueError: the stream was closed
                self._give_up(error)
        return len(text)

    def flush(self) -> None:
        """Flush the stream; a failure gives it up."""
        if self.failed is None:
            try:
                self.stream.flush()
            except (OSError, ValueError) as error:
                self._give_up(error)

    def isatty(self) -> bool:
        """True when the stream is a terminal that still works."""
        try:
            return self.failed is None and self.stream.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        """The stream's file descriptor (rich reads the terminal size from it)."""
        return self.stream.fileno()

    @property
    def encoding(self) -> str:
        """The stream's encoding."""
        return getattr(self.stream, "encoding", None) or "utf-8"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    @property
    def broken_pipe(self) -> bool:
        """True when the reader went away (a closed pipe) rather than the stream failing otherwise."""
        return isinstance(self.failed, OSError) and self.failed.errno == errno.EPIPE


class Output:
    """Progress and summary of one run. ``mode`` is ``auto``, ``bar``, ``lines`` or ``none``.

    ``stdout`` and ``stderr`` default to the process's own; each is wrapped in
    a :class:`SafeStream`, so a failing stream never raises here.
    """

    def __init__(
        self, mode: str = "auto", *, stdout: IO[str] | None = None, stderr: IO[str] | None = None
    ) -> None:
        self.out = SafeStream(stdout if stdout is not None else sys.stdout)
        self.err_stream = SafeStream(stderr if stderr is not None else sys.stderr)
        self.console = Console(file=self.out)  # type: ignore[arg-type]
        self.err = Console(file=self.err_stream, stderr=True)  # type: ignore[arg-type]
        if mode == "auto":
            mode = "bar" if self.out.isatty() else "lines"
        self.mode = mode
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self._counts: dict[str, int] | None = None
        self._noted = False
        self._not_sent = 0  # records a stopped run did not send: one summary line, not one line each

    def error(self, message: str) -> None:
        """A problem that ends the command (the progress bar, if any, is stopped first)."""
        if self.progress is not None:
            self.progress.stop()
        self.err.print(
            f"[bold red]leadexec provision:[/] {message}", highlight=False, markup=True, soft_wrap=True
        )

    def note(self, message: str) -> None:
        """A line of information before the run (e.g. an adoption written to the ledger)."""
        if self.mode != "none":
            self.console.print(message, highlight=False, markup=False, soft_wrap=True)

    def start(self, plan: Plan, base_url: str, ledger: object) -> None:
        """The run begins."""
        total = len(plan.records)
        self.console.print(
            f"Provisioning {total} records from {plan.path} to {base_url} (ledger {ledger})",
            highlight=False,
            soft_wrap=True,
        )
        if self.mode == "bar":
            self.progress = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            )
            self.progress.start()
            self.task = self.progress.add_task("provisioning", total=total, counts="")
        self._counts = {}

    def record(self, result: RecordResult) -> None:
        """One record is settled."""
        counts = self._counts
        if counts is None:  # not started: a dry run prints its list at the end
            return
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
        if self.progress is not None and self.task is not None:
            text = " ".join(f"[{_STYLE[k]}]{k} {v}[/]" for k, v in counts.items())
            self.progress.update(self.task, advance=1, counts=text)
        elif self.mode == "lines":
            if result.outcome == "skipped" and result.error == NOT_SENT_STOPPED:
                self._not_sent += 1
                return
            ident = f" id {result.id}" if result.id is not None else ""
            error = f": {result.error}" if result.error and result.outcome != "unchanged" else ""
            self.out.write(f"{result.outcome:<9} {KIND_LABEL[result.kind]:<16} {result.key}{ident}{error}\n")
            self.out.flush()

    def stopping(self, signal_name: str, grace: float) -> None:
        """A signal asked to stop."""
        message = (
            f"{signal_name}: sending nothing new; waiting up to {grace:g} s for requests in flight "
            "(interrupt again to stop at once)"
        )
        if self.progress is not None:
            self.progress.console.print(f"[yellow]{escape(message)}[/]")
        else:
            self.err.print(message, highlight=False)

    def finish(self, summary: RunSummary) -> None:
        """The run ended: stop the bar and print the summary."""
        if self.progress is not None:
            self.progress.stop()
        if self._not_sent:
            self.out.write(f"{'skipped':<9} {self._not_sent} records not sent: the run was stopped\n")
            self.out.flush()
        self._summary(summary, "Summary")
        self.note_lost_output()

    def note_lost_output(self) -> None:
        """Say on stderr, once, that stdout failed part way (its reader went away, or it broke)."""
        failed = self.out.failed
        if failed is not None and not self._noted:
            self._noted = True
            why = "its reader closed it" if self.out.broken_pipe else f"it failed: {failed}"
            self.err.print(
                f"leadexec provision: standard output was given up ({why}); the run went on, "
                "and the ledger (and --report) hold every outcome",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )

    def dry_run(self, summary: RunSummary) -> None:
        """Print what a run would do."""
        if self.mode != "none":
            for r in summary.results:
                ident = f" id {r.id}" if r.id is not None else ""
                self.console.print(
                    f"[{_STYLE[r.outcome]}]{r.outcome:<9}[/] {KIND_LABEL[r.kind]:<16} {escape(r.key)}{ident}",
                    highlight=False,
                )
                if r.outcome == "update":  # the plan diff: field: old → new
                    for line in change_lines(r.changes):
                        self.console.print(
                            f"            [cyan]~[/] {escape(line)}", highlight=False, soft_wrap=True
                        )
        self._summary(summary, "Dry run: nothing was sent")

    def _summary(self, summary: RunSummary, title: str) -> None:
        table = Table(title=title, show_header=True, header_style="bold")
        table.add_column("outcome")
        table.add_column("records", justify="right")
        for name, count in summary.counts.items():
            table.add_row(f"[{_STYLE[name]}]{name}[/]", str(count))
        table.add_row("total", str(len(summary.results)), end_section=True)
        if not summary.dry_run:
            table.add_row("elapsed", f"{summary.elapsed:.2f} s")
            table.add_row("requests", str(summary.requests))
            table.add_row("requests/s", f"{summary.requests_per_second:.1f}")
        self.console.print(table)
        problems = [
            r
            for r in summary.results
            if r.outcome in ("failed", "unknown", "skipped") and r.error != NOT_SENT_STOPPED
        ]
        not_sent = sum(1 for r in summary.results if r.error == NOT_SENT_STOPPED)
        for r in problems[:_SHOWN_PROBLEMS]:
            what = f"{KIND_LABEL[r.kind]} {escape(r.key)}: {escape(r.error or '')}"
            self.console.print(
                f"[{_STYLE[r.outcome]}]{r.outcome}[/] {what}",
                highlight=False,
                soft_wrap=True,
            )
        if len(problems) > _SHOWN_PROBLEMS:
            self.console.print(f"… and {len(problems) - _SHOWN_PROBLEMS} more (see --report)")
        if not_sent:
            noun = "record was" if not_sent == 1 else "records were"
            self.console.print(
                f"[{_STYLE['skipped']}]skipped[/] {not_sent} {noun} not sent: the run was stopped",
                highlight=False,
            )
        if summary.stopped:
            self.console.print("[yellow]Stopped before the end; run again to resume.[/]")
        elif not summary.dry_run and summary.all_in_place:
            self.console.print("[green]Every record is in place.[/]")
