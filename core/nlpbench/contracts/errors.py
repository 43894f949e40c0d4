"""Errors that users read.

Every error a user can cause (a bad suite, a missing file, an unknown name) is a
subclass of :class:`NlpbenchError`. The CLI prints its message on one line and exits
with code 2, without a traceback (``--debug`` shows it). Plugins raise these too, so
that their users get the same treatment.
"""

from __future__ import annotations


class NlpbenchError(Exception):
    """Base class for errors whose message is meant for the user."""


class ConfigError(NlpbenchError):
    """The suite file or a command-line option is wrong."""


class DataError(NlpbenchError):
    """A task's data is missing, empty or malformed."""


class PluginError(NlpbenchError):
    """A plugin failed to load or register (raised only in strict mode)."""


class ModelError(NlpbenchError):
    """A model could not be loaded or could not answer."""


class TaskError(NlpbenchError):
    """A task could not build requests or make sense of the answers."""


class MetricError(NlpbenchError):
    """A metric could not score the predictions it was given."""


class MetricNotComputed(MetricError):
    """A metric cannot score these predictions at all (they lack what it reads: a
    classifier's answers have no per-choice log-likelihoods to normalise). The score is
    recorded as not computed, with this message as the reason; the cell stays ok."""


class AuditError(NlpbenchError):
    """A bias audit could not perturb or measure."""


class ReporterError(NlpbenchError):
    """A reporter could not write its output."""


def one_line(error: BaseException) -> str:
    """The error's message squeezed onto one line, with its type when it isn't ours."""
    message = " ".join(str(error).split())
    if isinstance(error, NlpbenchError):
        return message or type(error).__name__
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
