"""Reading conversations: rows of a file or HF dataset, or the built-in sample, each
expanded into one example per assistant turn. Every problem is a DataError naming the
file and line (or the dataset and row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from nlpbench import DataError, Example, Row, TaskData, column, read_rows

from .config import DataConfig
from .conversations import MessageKeys, read_conversation
from .turns import turns_of

#: The built-in sample: 20 short conversations written for this package, JSONL with
#: ``id`` and ``messages`` (``role`` and ``content``).
SAMPLE = "data/sample.jsonl"


@dataclass(frozen=True)
class History:
    """How each turn's history is shaped (the task's params)."""

    max_turns: int | None = None
    system: str | None = None


def read_examples(
    rows: Sequence[Row],
    label: str,
    messages_column: str,
    keys: MessageKeys,
    id_column: str | None,
    id_prefix: str,
    history: History = History(),
    keep: TaskData | None = None,
) -> list[Example]:
    """One example per assistant turn of each row's conversation, with id
    ``<conversation>/turn-<k>``; the input is the messages the model is given (as
    ``{role, content}``), the reference the assistant's turn. A conversation's id comes
    from ``id_column``, else from an ``id`` column when the row has one, else
    ``{id_prefix}-{line}``. ``history_cut`` in the fields says whether earlier exchanges
    were left out of the history."""
    examples = []
    lines: dict[str, int] = {}
    for row in rows:
        where = f"{label}:{row.line}"
        raw = column(row, messages_column, label, "messages")
        messages = read_conversation(raw, keys, f"{where}: column '{messages_column}' (mapped by data.messages)")
        conversation = _conversation_id(row, label, id_column, f"{id_prefix}-{row.line}")
        if conversation in lines:
            raise DataError(f"{where}: id '{conversation}' is already used on line {lines[conversation]}")
        lines[conversation] = row.line
        kept = keep.kept(row, label) if keep else {}
        for turn in turns_of(messages, history.max_turns, history.system):
            examples.append(
                Example(
                    f"{conversation}/turn-{turn.number}",
                    [{"role": m.role, "content": m.content} for m in turn.history],
                    (turn.reply,),
                    {"conversation": conversation, "turn": turn.number, "history_cut": turn.cut, **kept},
                )
            )
    return examples


def _conversation_id(row: Row, label: str, id_column: str | None, fallback: str) -> str:
    if id_column is not None:
        value: Any = column(row, id_column, label, "id")
    else:
        value = row.values.get("id")
        if value is None or (isinstance(value, str) and not value.strip()):
            return fallback
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DataError(f"{label}:{row.line}: an id must be text or a whole number, not {type(value).__name__}")
    return str(value)


def read_data(config: DataConfig, history: History) -> list[Example]:
    """The examples of the suite's data (with its ``data.keep`` columns), or of the built-in sample."""
    rows = config.rows
    if rows.source is None:
        with resources.as_file(resources.files(__package__).joinpath(SAMPLE)) as path:
            return read_examples(
                read_rows(path), f"built-in {SAMPLE}", "messages", MessageKeys(), "id", path.stem, history, rows
            )
    source = rows.source
    prefix = source.path.stem if source.path is not None else str(source.split)
    return read_examples(
        source.read(), source.label, rows.columns["messages"], config.keys, config.id_column, prefix, history, rows
    )
