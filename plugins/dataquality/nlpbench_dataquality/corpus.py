"""Reading a training corpus as a stream of documents' words, one line at a time, so
that memory stays flat whatever its size: a text file (its lines one stream, so an
n-gram may cross a line break), a JSONL file (each record one document, its
``corpus_field``, else its strings), either optionally gzipped, or the task's train
split. A line that is not UTF-8 or not JSON is a DataError naming FILE:LINE."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from nlpbench import ConfigError, DataError, Example

from .options import TRAIN
from .text import text_of, words

#: Suffixes read as JSON Lines (before an optional .gz).
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass(frozen=True)
class Corpus:
    """One corpus the suite names: ``train`` or a file."""

    label: str
    path: Path | None = None

    @property
    def is_train(self) -> bool:
        return self.path is None


def corpora(names: Sequence[str], base_dir: Path | None) -> list[Corpus]:
    """The corpora ``names`` give, files resolved against the suite's folder; ConfigError
    for a file that is not there (checked when the audit is built, before any model loads)."""
    found = []
    for index, name in enumerate(names):
        if name == TRAIN:
            found.append(Corpus(TRAIN))
            continue
        path = Path(name).expanduser()
        path = path if path.is_absolute() or base_dir is None else base_dir / path
        if not path.is_file():
            raise ConfigError(f"corpus[{index}]: {name}: no such file")
        found.append(Corpus(name, path))
    return found


def _open(path: Path) -> IO[bytes]:
    return cast(IO[bytes], gzip.open(path, "rb")) if path.suffix == ".gz" else path.open("rb")


def file_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line of ``path``, decoded one at a time."""
    try:
        with _open(path) as stream:
            for number, raw in enumerate(stream, start=1):
                try:
                    yield number, raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise DataError(
                        f"{path}:{number}: not UTF-8 (byte 0x{raw[error.start]:02x} at column {error.start + 1}); "
                        "save the corpus as UTF-8"
                    ) from None
    except (OSError, EOFError) as error:  # unreadable, or a truncated .gz
        raise DataError(f"{path}: cannot be read: {error}") from None


def _is_jsonl(path: Path) -> bool:
    name = path.name[: -len(".gz")] if path.suffix == ".gz" else path.name
    return name.endswith(JSONL_SUFFIXES)


def documents(corpus: Corpus, field: str, train: Callable[[], Sequence[Example]]) -> Iterator[Iterator[list[str]]]:
    """The corpus as documents, each an iterator of word lists (its lines): an n-gram
    never spans two documents. A text file is one document; a JSONL record, or a train
    example (its input and its string references), is one each."""
    if corpus.path is None:
        for example in train():
            yield iter([words(text_of(example.input)), *(words(text_of(r)) for r in example.references)])
        return
    path = corpus.path
    if not _is_jsonl(path):
        yield (words(line) for _, line in file_lines(path))
        return
    for number, line in file_lines(path):
        if not line.strip():
            continue
        try:
            record: Any = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}:{number}: not JSON ({error.msg})") from None
        text = record.get(field) if isinstance(record, dict) and field in record else record
        yield iter([words(text_of(text))])
