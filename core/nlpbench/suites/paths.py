"""Paths a user gives in a suite: resolved against the suite's folder, and looked at
without the exceptions some of them raise.

``Path.exists()`` and ``is_file()`` answer False for a path that is not there, but raise
``OSError`` for one the file system cannot look up at all (a name longer than it takes,
ENAMETOOLONG; a folder on the way that may not be searched, EACCES), and
``expanduser()`` raises ``RuntimeError`` for ``~someone`` who is no user here. Written
in a suite, each is the user's mistake, to be said in one line like a missing file,
not a crash.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from nlpbench.contracts.errors import one_line


def user_path(value: str | Path, base_dir: Path) -> Path:
    """``value`` with ``~`` expanded, relative to ``base_dir`` unless absolute. A
    ``~someone`` naming no user here is kept as written: a path that is not there."""
    path = Path(value)
    with contextlib.suppress(RuntimeError):
        path = path.expanduser()
    return path if path.is_absolute() else base_dir / path


def unusable(path: Path) -> str | None:
    """Why ``path`` cannot even be looked up (``File name too long``), or None when it
    can, whether or not something is there."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError, ValueError):  # not there (ValueError: a NUL in the name)
        return None
    except OSError as error:
        return error.strerror or one_line(error)
    return None


def is_folder(path: Path) -> bool:
    """``path.is_dir()``, False for a path that cannot be looked up."""
    return unusable(path) is None and path.is_dir()
