"""Why a cell could not be measured. ``str()`` is the line the report prints."""

from __future__ import annotations


class BenchError(Exception):
    """Something the benchmark needs did not work; the cells that depend on it fail."""


class ToolMissing(BenchError):
    """A program the benchmark runs (wrk, moto_server, keygraph) is not installed."""


class TargetDidNotStart(BenchError):
    """A server under test exited or never became ready; the message ends with its log."""


class SetupFailed(BenchError):
    """Preparing a target (keys, ciphertexts, the large deployment) was refused or failed."""


class LoadFailed(BenchError):
    """The load generator failed, or too many requests under load were errors."""
