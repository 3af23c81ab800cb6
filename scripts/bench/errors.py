"""The benchmark's one exception: raised when the benchmark itself cannot run."""


class BenchError(RuntimeError):
    """The benchmark could not run (as opposed to a target missed, which is a result)."""
