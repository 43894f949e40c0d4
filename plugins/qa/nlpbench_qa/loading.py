"""Reading the task's questions: the built-in sample, a SQuAD JSON file, a flat file
(JSONL, JSON, CSV, TSV) with mapped columns, or an HF dataset split."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from importlib import resources

from nlpbench import DataError, DataSource, Example, Row, TaskData, column, detect_format

from .answers import AnswersProblem, parse_answers
from .examples import qa_example
from .squad import looks_like_squad, read_json, squad_examples

#: The built-in sample (SQuAD v2 JSON): 32 questions over 8 short paragraphs written for
#: this package, 5 of them without an answer in their paragraph.
SAMPLE = "data/sample.json"


def load_sample(keep: TaskData | None = None) -> list[Example]:
    """The built-in sample's questions, in file order, with ``keep``'s keys of each question object."""
    text = resources.files(__package__).joinpath(SAMPLE).read_text(encoding="utf-8")
    return squad_examples(json.loads(text), f"{__package__}/{SAMPLE}", keep.keep if keep is not None else None)


def load_source(
    source: DataSource, columns: Mapping[str, str], explicit: Collection[str], keep: TaskData | None = None
) -> list[Example]:
    """The questions of ``source``, in order. A local file is SQuAD JSON when
    ``data.format`` says ``squad`` or a JSON file has SQuAD's structure; anything else is
    flat rows with the mapped ``columns`` (``explicit``: the fields the suite mapped).
    ``keep``'s columns (of a row, or keys of a SQuAD question object) join the fields."""
    if source.path is None:
        return rows_to_examples(
            source.read(), columns, explicit, source.label, f"{source.split}", json_in_text=False, keep=keep
        )
    kind = "squad" if source.format == "squad" else detect_format(source.path, source.format)
    if kind in ("squad", "json"):
        document = read_json(source.path)
        if kind == "squad" or looks_like_squad(document):
            return squad_examples(document, str(source.path), keep.keep if keep is not None else None)
    rows = source.read()
    return rows_to_examples(
        rows, columns, explicit, str(source.path), source.path.stem, json_in_text=kind in ("csv", "tsv"), keep=keep
    )


def rows_to_examples(
    rows: Sequence[Row],
    columns: Mapping[str, str],
    explicit: Collection[str],
    where: str,
    id_prefix: str,
    *,
    json_in_text: bool,
    keep: TaskData | None = None,
) -> list[Example]:
    """One Example per flat row; DataError naming the file, line and column for a bad one.

    A row without an id (when ``data.id`` is not given) is named ``<prefix>-<line>``.
    """
    examples: list[Example] = []
    lines: dict[str, int] = {}
    for row in rows:
        context = _text(row, columns["context"], where, "context")
        question = _text(row, columns["question"], where, "question").strip()
        raw = column(row, columns["answers"], where, "answers")
        try:
            answers = parse_answers(raw, json_in_text=json_in_text)
        except AnswersProblem as problem:
            raise DataError(
                f"{where}:{row.line}: column '{columns['answers']}' (mapped by data.answers) {problem}"
            ) from None
        example_id = _optional(row, columns["id"], where, "id", explicit)
        example_id = str(example_id) if example_id is not None else f"{id_prefix}-{row.line}"
        if example_id in lines:
            raise DataError(f"{where}:{row.line}: id '{example_id}' is already used on line {lines[example_id]}")
        lines[example_id] = row.line
        title = _optional(row, columns["title"], where, "title", explicit)
        kept = keep.kept(row, where) if keep is not None else {}
        examples.append(qa_example(example_id, question, context, str(title or ""), answers, kept))
    return examples


def _text(row: Row, name: str, where: str, field: str) -> str:
    value = column(row, name, where, field)  # DataError when missing or empty
    if not isinstance(value, str):
        raise DataError(
            f"{where}:{row.line}: column '{name}' (mapped by data.{field}) must hold text, not {type(value).__name__}"
        )
    return value


def _optional(row: Row, name: str, where: str, field: str, explicit: Collection[str]) -> object | None:
    """The column's value; None when it is absent and the suite did not map it."""
    if field in explicit:
        return column(row, name, where, field)
    value = row.values.get(name)
    return None if value is None or (isinstance(value, str) and not value.strip()) else value
