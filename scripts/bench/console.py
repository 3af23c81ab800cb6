"""What the benchmark says while it runs: progress on a terminal only, notices always (on stderr)."""

import sys
import time


def _line(message):
    return f"[bench {time.strftime('%H:%M:%S')}] {message}"


def progress(message):
    """A step of a long run: shown when someone is watching (stderr is a terminal), silent in a log or CI."""
    if sys.stderr.isatty():
        print(_line(message), file=sys.stderr, flush=True)


def notice(message):
    """Something the reader of the results must know (a missing page, no Redis): always shown."""
    print(_line(message), file=sys.stderr, flush=True)
