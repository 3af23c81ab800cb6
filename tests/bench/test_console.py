"""Progress is for someone watching a terminal; notices are for every reader, terminal or log."""

import io
import sys

from scripts.bench import console


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_shown_on_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", _Terminal())
    console.progress("followup_bench_1k: serving uncached")
    assert sys.stderr.getvalue().endswith("] followup_bench_1k: serving uncached\n")
    assert sys.stderr.getvalue().startswith("[bench ")


def test_progress_is_silent_in_a_log(capsys):
    console.progress("followup_bench_1k: serving uncached")
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_a_notice_is_shown_in_a_log_too(capsys):
    console.notice("Redis is not answering")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.endswith("] Redis is not answering\n")
