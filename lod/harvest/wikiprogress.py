"""A progress bar for long harvests, on stderr and only when stderr is a terminal.

Results go to stdout and problems to stderr (cli.md); the bar must disturb
neither pipes nor tests, so it is silent unless a person is watching.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(label: str, *, unit: str = "pages") -> Iterator[Callable[[int, int | None], None]]:
    """Yield ``update(done, total)`` (pages, or bytes of a dump); the bar disappears at the end."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        DownloadColumn() if unit == "bytes" else MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update
