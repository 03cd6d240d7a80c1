"""What ``leadexec provision`` prints: a progress bar on a terminal, plain lines otherwise, and a summary.

Imported only when the command runs (it needs rich, from the ``cli`` extra).
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from ._diff import change_lines
from .plan import KIND_LABEL, Plan
from .runner import RecordResult, RunSummary

__all__ = ["Output"]

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


class Output:
    """Progress and summary of one run. ``mode`` is ``auto``, ``bar``, ``lines`` or ``none``."""

    def __init__(self, mode: str = "auto") -> None:
        self.console = Console()
        self.err = Console(stderr=True)
        if mode == "auto":
            mode = "bar" if sys.stdout.isatty() else "lines"
        self.mode = mode
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self._counts: dict[str, int] | None = None

    def error(self, message: str) -> None:
        """A problem that ends the command (the progress bar, if any, is stopped first)."""
        if self.progress is not None:
            self.progress.stop()
        self.err.print(
            f"[bold red]leadexec provision:[/] {message}", highlight=False, markup=True, soft_wrap=True
        )

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
            ident = f" id {result.id}" if result.id is not None else ""
            error = f": {result.error}" if result.error and result.outcome != "unchanged" else ""
            print(f"{result.outcome:<9} {KIND_LABEL[result.kind]:<16} {result.key}{ident}{error}", flush=True)

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
        self._summary(summary, "Summary")

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
        problems = [r for r in summary.results if r.outcome in ("failed", "unknown", "skipped")]
        for r in problems[:_SHOWN_PROBLEMS]:
            what = f"{KIND_LABEL[r.kind]} {escape(r.key)}: {escape(r.error or '')}"
            self.console.print(
                f"[{_STYLE[r.outcome]}]{r.outcome}[/] {what}",
                highlight=False,
                soft_wrap=True,
            )
        if len(problems) > _SHOWN_PROBLEMS:
            self.console.print(f"… and {len(problems) - _SHOWN_PROBLEMS} more (see --report)")
        if summary.stopped:
            self.console.print("[yellow]Stopped before the end; run again to resume.[/]")
        elif not summary.dry_run and summary.all_in_place:
            self.console.print("[green]Every record is in place.[/]")
