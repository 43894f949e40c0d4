"""A plugin's failure as a run keeps it: one line for whoever reads the results, and
the full traceback for the plugin's author.

The runner calls plugin code (models, tasks, metrics, audits, reporters) inside
handlers that catch every exception *and* every other ``BaseException`` but
``KeyboardInterrupt``: a plugin that calls ``sys.exit(3)`` or raises its own
``BaseException`` subclass fails its cell like any bug, while Ctrl-C (and SIGTERM,
see :mod:`nlpbench.running.interrupts`) still stops the run. Catch sites read::

    except KeyboardInterrupt:
        raise
    except BaseException as error:
        failure = Failure.of(error)

When the core itself finds a plugin's result wrong (too few answers, NaN
probabilities, a ``for_model`` that gave None), the traceback it raised from points
into the core, not at the plugin: :func:`blame` names the plugin's function, and the
failure's traceback ends with where that function is defined.
"""

from __future__ import annotations

import inspect
import traceback as tb
from dataclasses import dataclass
from typing import Any

from nlpbench.contracts.errors import one_line

#: The attribute :func:`blame` sets on an exception: the plugin callable at fault.
_BLAMED = "__nlpbench_blamed__"


@dataclass(frozen=True)
class Failure:
    """A failure as results keep it: ``error`` (one line) and ``traceback`` (full text)."""

    error: str
    traceback: str

    @classmethod
    def of(cls, error: BaseException, context: str = "") -> Failure:
        """The failure ``error`` stands for; ``context`` (what was being done) goes first."""
        line = error_line(error)
        return cls(f"{context}: {line}" if context else line, traceback_text(error))


def error_line(error: BaseException) -> str:
    """``error`` on one line, saying plainly what a BaseException that is not an
    Exception did (a plugin has no business ending the run)."""
    if isinstance(error, SystemExit):
        code = "" if error.code is None else repr(error.code)
        return f"the plugin called sys.exit({code})"
    if not isinstance(error, Exception):
        return f"the plugin raised {one_line(error)} (a BaseException, not an Exception)"
    return one_line(error)


def traceback_text(error: BaseException) -> str:
    """The full traceback of ``error`` (its causes included), and, when the core found
    a plugin's result wrong, where the plugin function that gave it is defined."""
    text = "".join(tb.format_exception(error))
    cause: BaseException | None = error
    while cause is not None:  # the blame may sit on a cause the runner wrapped
        blamed = getattr(cause, _BLAMED, None)
        if blamed is not None:
            return text + f"The result came from:\n{where_defined(blamed)}\n"
        cause = cause.__cause__
    return text


def blame(error: BaseException, source: Any) -> BaseException:
    """Mark ``error`` (raised by the core about a plugin's result) as caused by the
    plugin callable ``source``; returns ``error``, so ``raise blame(TaskError(...), f)``."""
    setattr(error, _BLAMED, source)
    return error


def where_defined(source: Any) -> str:
    """``  File "...", line N, in Name.method``: where a plugin function or class is
    defined, in the form of a traceback line (editors and terminals link it)."""
    target = inspect.unwrap(getattr(source, "__func__", source))
    name = getattr(target, "__qualname__", None) or getattr(type(target), "__qualname__", repr(target))
    try:
        path = inspect.getsourcefile(target) or inspect.getfile(target)
        line = inspect.getsourcelines(target)[1]
    except (OSError, TypeError):  # a builtin, or source that is gone
        return f"  {name} (source unknown)"
    return f'  File "{path}", line {line}, in {name}'
