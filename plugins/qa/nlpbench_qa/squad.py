"""Reading SQuAD JSON, v1.1 and v2.0:
``{"version", "data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question",
"answers": [{"text", "answer_start"}], "is_impossible"?, "plausible_answers"?}]}]}]}``.

Errors name the file and the place: the question's id when it has one, and its JSON
path (``data[2].paragraphs[0].qas[3]``, counted from 0) so that a file without line
numbers per question can still be fixed. ``data.keep`` columns are read from each
question object (a dotted name reaches into a nested one). ``plausible_answers`` (v2's distractors for a
question without an answer) are not gold answers and are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nlpbench import DataError, Example

from .answers import Answers, AnswersProblem, parse_answers
from .examples import qa_example


def looks_like_squad(document: Any) -> bool:
    """Whether a parsed JSON document is SQuAD-shaped: a ``data`` list of articles with paragraphs
    (a ``{"data": [rows]}`` document of flat rows is not)."""
    if not isinstance(document, Mapping) or not isinstance(document.get("data"), list):
        return False
    return any(isinstance(article, Mapping) and "paragraphs" in article for article in document["data"])


def read_json(path: Path) -> Any:
    """The parsed JSON file; DataError naming the file (and line) when it can't be."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot read: {error}") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise DataError(f"{path}:{error.lineno}: invalid JSON: {error.msg}") from None


def squad_examples(document: Any, where: str, keep: Mapping[str, str] | None = None) -> list[Example]:
    """One Example per question of a SQuAD document, in file order; ``where`` names the
    file in errors; ``keep`` (``data.keep``: field → key of the question object) joins
    each example's fields. DataError for anything malformed, a repeated id, a kept key a
    question lacks, or no questions."""
    if not isinstance(document, Mapping) or not isinstance(document.get("data"), list):
        raise DataError(f'{where}: not SQuAD JSON: expected {{"version": ..., "data": [articles]}} at the top')
    examples: list[Example] = []
    seen: dict[str, str] = {}
    for a, article in enumerate(document["data"]):
        at = f"data[{a}]"
        if not isinstance(article, Mapping):
            raise DataError(f"{where}: {at} must be an article object with 'paragraphs', not {_kind(article)}")
        title = article.get("title", "")
        if not isinstance(title, str):
            raise DataError(f"{where}: {at}: 'title' must be text, not {_kind(title)}")
        paragraphs = _list(article, "paragraphs", where, at)
        for p, paragraph in enumerate(paragraphs):
            pat = f"{at}.paragraphs[{p}]"
            if not isinstance(paragraph, Mapping):
                raise DataError(
                    f"{where}: {pat} must be a paragraph object with 'context' and 'qas', not {_kind(paragraph)}"
                )
            context = paragraph.get("context")
            if not isinstance(context, str) or not context.strip():
                problem = (
                    "is missing" if context is None else ("is empty" if isinstance(context, str) else "must be text")
                )
                raise DataError(f"{where}: {pat}: 'context' {problem}")
            for q, qa in enumerate(_list(paragraph, "qas", where, pat)):
                example = _question(qa, f"{pat}.qas[{q}]", where, title, context, keep or {})
                if example.id in seen:
                    raise DataError(
                        f"{where}: question '{example.id}' ({pat}.qas[{q}]): the id is already used at {seen[example.id]}"
                    )
                seen[example.id] = f"{pat}.qas[{q}]"
                examples.append(example)
    if not examples:
        raise DataError(f"{where}: no questions in the file")
    return examples


def _question(qa: Any, at: str, where: str, title: str, context: str, keep: Mapping[str, str]) -> Example:
    if not isinstance(qa, Mapping):
        raise DataError(f"{where}: {at} must be a question object with 'id', 'question' and 'answers', not {_kind(qa)}")
    raw_id = qa.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or not str(raw_id).strip():
        raise DataError(f"{where}: {at}: 'id' is {'missing' if raw_id is None else 'not a usable id: ' + repr(raw_id)}")
    example_id = str(raw_id)
    name = f"{where}: question '{example_id}' ({at})"
    question = qa.get("question")
    if not isinstance(question, str):
        raise DataError(f"{name}: 'question' is {'missing' if question is None else 'not text: ' + _kind(question)}")
    if not question.strip():
        raise DataError(f"{name}: the question is empty")
    impossible = qa.get("is_impossible", None)
    if impossible is not None and not isinstance(impossible, bool):
        raise DataError(f"{name}: 'is_impossible' must be true or false, not {impossible!r}")
    if "answers" not in qa:
        if not impossible:
            raise DataError(f"{name}: 'answers' is missing")
        answers = Answers()
    else:
        if not isinstance(qa["answers"], list):
            raise DataError(f"{name}: 'answers' must be a list of {{text, answer_start}}, not {_kind(qa['answers'])}")
        try:
            answers = parse_answers(qa["answers"])
        except AnswersProblem as problem:
            raise DataError(f"{name}: 'answers': {problem}") from None
    if impossible and answers.texts:
        raise DataError(f"{name}: 'is_impossible' is true but it has answers")
    if impossible is False and not answers.texts:
        raise DataError(f"{name}: it has no answers, but 'is_impossible' is false")
    kept = {field: _kept(qa, key, f"{name}: data.keep.{field}") for field, key in keep.items()}
    return qa_example(example_id, question.strip(), context, title, answers, kept)


def _kept(qa: Mapping[str, Any], key: str, name: str) -> Any:
    """The question object's ``key`` (``a.b`` reaches into a nested object) as
    ``data.keep`` reads a column: an empty value is None, a missing key a DataError."""
    value: Any = qa
    if key in qa:
        value = qa[key]
    else:
        for part in key.split("."):
            if not isinstance(value, Mapping) or part not in value:
                present = ", ".join(sorted(map(str, qa))) or "none"
                raise DataError(f"{name}: the question has no '{key}'; it has: {present}")
            value = value[part]
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _list(container: Mapping[str, Any], key: str, where: str, at: str) -> list[Any]:
    value = container.get(key)
    if value is None:
        raise DataError(f"{where}: {at}: '{key}' is missing")
    if not isinstance(value, list):
        raise DataError(f"{where}: {at}: '{key}' must be a list, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__
