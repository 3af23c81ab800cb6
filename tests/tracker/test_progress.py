"""Progress of long commands: drawn on a terminal, silent in a file or a pipe."""

import io

from django.core.management.base import OutputWrapper

from tracker.progress import TerminalProgress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_sees_the_line_redrawn_and_wiped():
    terminal = _Terminal()
    progress = TerminalProgress(OutputWrapper(terminal), unit="actions")
    progress("adding", 5000, 1000000)
    progress("adding", 10000, 1000000)
    progress.clear()
    written = terminal.getvalue()
    assert "\radding: 5,000 of 1,000,000 actions" in written and "\radding: 10,000 of 1,000,000 actions" in written
    assert written.endswith("\r")


def test_a_file_or_a_pipe_sees_nothing():
    log = io.StringIO()
    progress = TerminalProgress(OutputWrapper(log))
    progress("writing actions", 1, 2)
    progress.clear()
    assert log.getvalue() == ""
