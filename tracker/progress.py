"""Progress of a long command (a backup, a restore, reminders, demo data) on one line of a terminal.

Rewritten in place while the command runs; nothing at all when the output is a file or a pipe (cron
mails, logs, CI), where only the command's own lines matter.
"""

from typing import Any


class TerminalProgress:
    """`progress(step, done, total)` draws "step: done of total rows"; `clear()` wipes the line before
    the command writes one of its own."""

    def __init__(self, stream: Any, unit: str = "rows") -> None:
        self.stream = stream if stream.isatty() else None
        self.unit = unit
        self.width = 0

    def __call__(self, step: str, done: int, total: int) -> None:
        if self.stream and total:
            line = f"{step}: {done:,} of {total:,} {self.unit}"
            self.stream.write("\r" + line.ljust(self.width), style_func=str, ending="")
            self.stream.flush()
            self.width = len(line)

    def clear(self) -> None:
        if self.stream and self.width:
            self.stream.write("\r" + " " * self.width + "\r", style_func=str, ending="")
            self.stream.flush()
            self.width = 0
