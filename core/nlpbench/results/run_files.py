"""The files reporters write: confined to the run folder, and written atomically.

A reporter option that names a file (``file``, ``comparisons_file``) is typed
:data:`RunFile`: a path relative to the run folder that stays inside it, so a suite
cannot make nlpbench write anywhere else. What the value alone shows (an absolute path,
``~``, ``..`` that climbs out) is refused by the option's schema, so ``nlpbench
validate`` names its file and line. A link in the run folder that leads out is known
only once the folder exists: :func:`run_file_problems` finds it before the first cell
runs, and :func:`run_file` checks again when the reporter writes, hours later.

:func:`write_atomic` writes through a new temporary file beside the target, then renames
it into place: a reader never sees half a file, a failed write leaves the old file as it
was, and a target that is a link is replaced, never written through.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, ValidationError

from nlpbench.contracts.errors import ReporterError
from nlpbench.contracts.options import options_schema_of

__all__ = ["RunFile", "run_file", "run_file_clashes", "run_file_fields", "run_file_problems", "write_atomic"]

#: Files the runner itself keeps in the run folder: a reporter writing over one would
#: destroy the results, the samples or the store (``results.json`` may be written by the
#: ``json`` reporter, which writes exactly what the runner does).
RUNNER_FILES = (
    "results.json",
    "samples.jsonl",
    "store.sqlite",
    "store.sqlite-wal",
    "store.sqlite-shm",
    "store.sqlite-journal",
)
_RESULTS_WRITER = ("json", "results.json")


class _RunFileMark:
    """Marks a field typed :data:`RunFile`, so the runner can find it in any schema."""


_RUN_FILE = _RunFileMark()


def outside_reason(value: str) -> str | None:
    """Why ``value`` does not name a file inside the run folder, judged from the text
    alone (no file system), or None when it does."""
    shown = repr(value)
    if "\0" in value:
        return f"must not contain a NUL character, not {shown}"
    if value.startswith("~"):  # never expanded: the user's home is outside the run folder
        return f"must be relative to the run folder ('~' is not expanded), not {shown}"
    if os.path.isabs(value):
        return f"must be relative to the run folder, not the absolute path {shown}"
    normal = os.path.normpath(value)
    if normal == os.curdir:
        return f"must name a file inside the run folder, not the folder itself: {shown}"
    if normal == os.pardir or normal.startswith(os.pardir + os.sep):
        return f"must stay inside the run folder, not {shown}"
    return None


def _inside_run_folder(value: str) -> str:
    reason = outside_reason(value)
    if reason is not None:
        raise ValueError(reason)
    return value


#: The type of a reporter option that names a file of the run folder.
RunFile = Annotated[str, Field(min_length=1), AfterValidator(_inside_run_folder), _RUN_FILE]


def run_file_fields(schema: type[BaseModel] | None) -> list[str]:
    """The fields of ``schema`` typed :data:`RunFile` (or ``RunFile | None``)."""
    if schema is None:
        return []
    return [name for name, info in schema.model_fields.items() if _marked(info.metadata, info.annotation)]


def _marked(metadata: list[Any], annotation: Any) -> bool:
    if _RUN_FILE in metadata:
        return True
    # ``RunFile | None``: the mark stays inside the union's member
    return any(
        typing.get_origin(member) is Annotated and _RUN_FILE in member.__metadata__
        for member in typing.get_args(annotation)
    )


def escape_reason(out_dir: Path, value: str) -> str | None:
    """Why writing ``value`` in ``out_dir`` would land outside it, or None: its text
    (:func:`outside_reason`), or a link on its way that leads out. The file itself may
    be a link: :func:`write_atomic` replaces it rather than writing through it."""
    reason = outside_reason(value)
    if reason is not None:
        return reason
    root = out_dir.resolve()
    # resolved as the kernel will resolve it: ``link/../x`` follows ``link`` first
    folder = (root / value).parent.resolve()
    if folder != root and not folder.is_relative_to(root):
        return f"must stay inside the run folder, but {value!r} leads through a link to {folder}"
    return None


def run_file_problems(component: Any, options: Mapping[str, Any], out_dir: Path) -> list[str]:
    """One line per :data:`RunFile` option of ``component`` (its default included) whose
    file would land outside ``out_dir``: ``OPTION why``. Options its schema refuses are
    the suite check's to report, not this."""
    schema = options_schema_of(component)
    fields = run_file_fields(schema)
    if schema is None or not fields:
        return []
    try:
        parsed = schema.model_validate(dict(options))
    except ValidationError:
        return []
    problems = []
    for name in fields:
        value = getattr(parsed, name, None)
        if isinstance(value, str):
            reason = escape_reason(out_dir, value)
            if reason is not None:
                problems.append(f"{name} {reason}")
    return problems


def run_file_clashes(reporters: Sequence[tuple[str, str, Any, Mapping[str, Any]]]) -> list[tuple[int, str]]:
    """Reporter files that would overwrite a file the runner keeps or another reporter's
    file: ``(index in reporters, problem)`` for each, judged from the text (the run
    folder may not exist yet). ``reporters`` holds ``(where, name, component, options)``."""
    taken: dict[str, str] = {}
    problems: list[tuple[int, str]] = []
    for index, (where, name, component, options) in enumerate(reporters):
        schema = options_schema_of(component)
        try:
            parsed = schema.model_validate(dict(options)) if schema is not None else None
        except ValidationError:
            continue  # the schema check reports it
        for field in run_file_fields(schema):
            value = getattr(parsed, field, None)
            if not isinstance(value, str):
                continue
            normal = os.path.normpath(value)
            if normal in RUNNER_FILES and (name, normal) != _RESULTS_WRITER:
                problems.append(
                    (index, f"{where}.{field}: {value!r} is a file the run keeps itself; pick another name")
                )
            elif normal in taken:
                problems.append((index, f"{where}.{field}: {value!r} is already written by {taken[normal]}"))
            else:
                taken[normal] = f"{where}.{field}"
    return problems


def run_file(out_dir: Path, value: str, option: str = "file") -> Path:
    """Where a reporter's ``option`` (``value``, relative to the run folder) is written,
    checked again at writing time: ReporterError when it would land outside."""
    reason = escape_reason(out_dir, value)
    if reason is not None:
        raise ReporterError(f"{option} {reason}")
    return out_dir / value


def write_atomic(path: Path, text: str, *, make_folders: bool = True) -> Path:
    """Write ``text`` to ``path`` through a new temporary file in the same folder (its
    name starts with the target's), then rename it into place. ``make_folders`` creates
    the folders above it first. ReporterError (one line) when it cannot be written."""
    temporary: Path | None = None
    try:
        if make_folders:
            path.parent.mkdir(parents=True, exist_ok=True)
        temporary, handle = _create_beside(path)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
        raise ReporterError(f"cannot write {path}: {error.strerror or error}") from error
    return path


def _create_beside(path: Path) -> tuple[Path, int]:
    """A new file ``NAME.RANDOM.partial`` beside ``path``, open for writing. ``O_EXCL``
    refuses a name that exists, a planted link included; the mode is what any new file
    gets (the umask applies), not ``mkstemp``'s owner-only one."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.partial")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(17, "no free name for a temporary file", str(path))
