"""The gold answers of one question, in any of the shapes data files give them.

- a list of strings: ``["Denver Broncos", "Broncos"]``
- a list of SQuAD answer objects: ``[{"text": "Denver Broncos", "answer_start": 177}]``
- the HF ``datasets`` shape of SQuAD: ``{"text": ["Denver Broncos"], "answer_start": [177]}``
- one answer object, or one string: ``"Denver Broncos"``

In a CSV or TSV cell, a list or object is written as JSON (``["a", "b"]``, ``[]``).
Answers that are empty (or only whitespace) do not count, so ``[]``, ``[""]`` and
``{"text": [], "answer_start": []}`` all mean the question has no answer (SQuAD v2).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SHAPES = 'a list of strings, a list of {"text", "answer_start"}, {"text": [...], "answer_start": [...]} or a string'


class AnswersProblem(ValueError):
    """Answers of the wrong shape; the loader adds the file, line and column."""


@dataclass(frozen=True)
class Answers:
    """The texts of the gold answers that count, and where each starts in the context
    (None when the data does not say). Empty: the question has no answer."""

    texts: tuple[str, ...] = ()
    starts: tuple[int | None, ...] = ()


def parse_answers(value: Any, *, json_in_text: bool = False) -> Answers:
    """``value`` as :class:`Answers`; AnswersProblem saying what is wrong.

    With ``json_in_text`` (a CSV or TSV cell), text that holds a JSON list or object is
    read as one; any other text is a single answer.
    """
    if isinstance(value, str):
        stripped = value.strip()
        if json_in_text and stripped[:1] in ("[", "{"):
            try:
                decoded = json.loads(stripped)
            except ValueError:
                decoded = None  # "[sic]" and the like: a plain answer that happens to start with a bracket
            if isinstance(decoded, (list, dict)):
                return parse_answers(decoded)
        return _kept([(value, None)])
    if isinstance(value, Mapping):
        return _kept(_from_object(value, "the answers object"))
    if isinstance(value, (list, tuple)):
        pairs: list[tuple[Any, Any]] = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                pairs.append((item, None))
            elif isinstance(item, Mapping):
                pairs.extend(_from_object(item, f"answer {index}"))
            else:
                raise AnswersProblem(
                    f"answer {index} must be a string or a {{text, answer_start}} object, not {_kind(item)}"
                )
        return _kept(pairs)
    raise AnswersProblem(f"must hold the answers ({SHAPES}), not {_kind(value)}")


def _from_object(value: Mapping[str, Any], what: str) -> list[tuple[Any, Any]]:
    """The (text, start) pairs of one answer object, or of an HF-style object of lists."""
    if "text" not in value:
        keys = ", ".join(map(str, value)) or "none"
        raise AnswersProblem(f"{what} has no 'text' (its keys: {keys})")
    text, start = value["text"], value.get("answer_start")
    if isinstance(text, (list, tuple)):  # {"text": [...], "answer_start": [...]}, as HF datasets gives SQuAD
        if start is None:
            return [(t, None) for t in text]
        if not isinstance(start, (list, tuple)) or len(start) != len(text):
            raise AnswersProblem(
                f"{what}: 'answer_start' must be a list as long as 'text' ({len(text)}), not {start!r}"
            )
        return list(zip(text, start, strict=True))
    return [(text, start)]


def _kept(pairs: list[tuple[Any, Any]]) -> Answers:
    texts: list[str] = []
    starts: list[int | None] = []
    for index, (text, start) in enumerate(pairs):
        if not isinstance(text, str):
            raise AnswersProblem(f"answer {index}: the text must be a string, not {_kind(text)}")
        if not text.strip():
            continue  # no answer, whatever its offset says (some files give -1)
        if start is not None and (isinstance(start, bool) or not isinstance(start, int) or start < 0):
            raise AnswersProblem(f"answer {index}: answer_start must be a character offset (0 or more), not {start!r}")
        texts.append(text)
        starts.append(start)
    return Answers(tuple(texts), tuple(starts))


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__
