"""The ``replay`` model type: answers with predictions saved earlier, looked up by example id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from nlpbench import (
    ClassifyRequest,
    ConfigError,
    ExtractSpanRequest,
    GenerateRequest,
    ModelError,
    ModelSpec,
    Span,
    parse_options,
)

from .params import ReplayParams, check_sources, choice_param, string_param
from .predictions import FORMATS, SavedPredictions, check_id_format, format_of, misalignment, read_predictions

#: The params each format takes beyond the file (``id`` and ``prediction`` name JSONL's columns).
FORMAT_PARAMS = {"jsonl": ("id", "prediction"), "json": (), "text": ("id_format",)}
HINT = "point params.predictions or path at the saved predictions"

Answerable = GenerateRequest | ClassifyRequest | ExtractSpanRequest


class ReplayModel:
    """Answers from saved predictions: a JSONL file keyed by example id, a JSON object of
    id → prediction (SQuAD's prediction files), or text aligned by line.

    params: ``predictions`` (the file; or give it as the model's ``path``), ``format``
    ("jsonl", "json" or "text"; by default a .jsonl or .ndjson file is JSONL, a .json
    file JSON, anything else text), for JSONL ``id`` and ``prediction`` (the columns,
    default "id" and "prediction"), for text ``id_format`` (the id of each line, default
    "{line}", 1-based; "{index}" counts from 0: "tiny-{index}"). Before answering a
    task, the saved ids are checked against the task's (:meth:`check_examples`).
    Generate answers the saved text; classify puts probability 1.0 on the saved label;
    extract_span finds the saved answer in the context, and when it is not there answers
    it with offsets -1.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"generate", "classify", "extract_span"})
    options: ClassVar[type[ReplayParams]] = ReplayParams

    def __init__(self, spec: ModelSpec) -> None:
        self.check_spec(spec)
        where, path = _source(spec)
        self.saved: SavedPredictions = read_predictions(
            path,
            _format(spec),
            where,
            id_column=string_param(spec, "id") or "id",
            prediction_column=string_param(spec, "prediction") or "prediction",
            id_format=string_param(spec, "id_format") or "{line}",
        )
        self.not_in_context = 0

    @classmethod
    def check_spec(cls, spec: ModelSpec) -> None:
        """ConfigError unless exactly one of ``params.predictions`` and ``path`` names the file,
        and the params suit its format."""
        check_sources(spec, HINT, loads=("path",))
        parse_options(ReplayParams, spec.params, "params")
        for key in ("predictions", "id", "prediction", "id_format"):
            string_param(spec, key)
        given = string_param(spec, "predictions") is not None
        if given and spec.path is not None:
            raise ConfigError("the replay model takes params.predictions or path, not both")
        if not given and spec.path is None:
            raise ConfigError(f"the replay model needs its saved predictions: {HINT}")
        format = _format(spec)
        for key in ("id", "prediction", "id_format"):
            if key not in FORMAT_PARAMS[format] and spec.params.get(key) is not None:
                raise ConfigError(f"params.{key} does not apply to {format} predictions")
        if format == "text":
            check_id_format(string_param(spec, "id_format") or "{line}")

    def check_examples(self, task: str, ids: Sequence[str], selected: Sequence[str]) -> None:
        """ModelError (one line, with how many ids matched and which numbering would match)
        unless every selected example of ``task`` has its prediction by id and the file is
        not off by one against the task's ``ids`` (all its examples): an example is never
        scored against its neighbour's prediction."""
        problem = misalignment(self.saved, task, ids, selected)
        if problem is not None:
            raise ModelError(problem)

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        """The saved text of each request's example."""
        return [self._saved(r) for r in requests]

    def classify(self, requests: list[ClassifyRequest]) -> list[dict[str, float]]:
        """Probability 1.0 on the saved label (matched exactly, else ignoring case if that is
        unambiguous); ModelError when it is not one of the request's labels."""
        answers = []
        for request in requests:
            saved = self._saved(request)
            label = saved if saved in request.labels else _unique_caseless(saved, request.labels)
            if label is None:
                raise ModelError(
                    f"the saved prediction '{saved}' for example '{request.example_id}' is not one of the labels "
                    f"asked for ({', '.join(request.labels)}); {self._where(request)}"
                )
            answers.append({name: 1.0 if name == label else 0.0 for name in request.labels})
        return answers

    def extract_span(self, requests: list[ExtractSpanRequest]) -> list[Span]:
        """The saved answer where it occurs in the context (exactly, else ignoring case, the first
        time), with the context's spelling; where it doesn't occur, the saved answer with start
        and end -1: its place is unknown, but its text is what EM and F1 score."""
        answers = []
        for request in requests:
            saved = self._saved(request)
            span = locate(saved, request.context)
            if span.start < 0:
                self.not_in_context += 1
            answers.append(span)
        return answers

    def describe(self) -> dict[str, Any]:
        return {
            "predictions": str(self.saved.path),
            "format": self.saved.format,
            "saved": len(self.saved),
            # counted since the model was built: answers whose offsets are unknown
            "spans_not_in_context": self.not_in_context,
        }

    def _saved(self, request: Answerable) -> str:
        """The prediction saved for the request's example; ModelError naming the id and the file."""
        if request.example_id is None:
            raise ModelError("the replay model looks answers up by example id, but a request came without one")
        try:
            return self.saved.by_id[request.example_id]
        except KeyError:
            first = next(iter(self.saved.by_id))
            raise ModelError(
                f"no saved prediction for example '{request.example_id}' in {self.saved.path} "
                f"(its ids look like '{first}'{_id_hint(self.saved.format)})"
            ) from None

    def _where(self, request: Answerable) -> str:
        assert request.example_id is not None
        if self.saved.format == "json":  # one object: its entries have no lines of their own
            return f"saved in {self.saved.path} under '{request.example_id}'"
        return f"saved at {self.saved.path}:{self.saved.lines[request.example_id]}"


def locate(answer: str, context: str) -> Span:
    """``answer`` as a span of ``context``: exactly, else ignoring case; else at offsets -1."""
    start = context.find(answer)
    if start >= 0:
        return Span(answer, start, start + len(answer))
    # a regex keeps the context's own offsets, which lowercasing may shift ("İ" lowers to two characters)
    match = re.search(re.escape(answer), context, re.IGNORECASE)
    if match:
        return Span(match.group(), match.start(), match.end())
    return Span(answer, -1, -1)


def _unique_caseless(saved: str, labels: tuple[str, ...]) -> str | None:
    matches = [label for label in labels if label.casefold() == saved.casefold()]
    return matches[0] if len(matches) == 1 else None


def _source(spec: ModelSpec) -> tuple[str, Path]:
    """Which suite field names the predictions file, and the file."""
    predictions = string_param(spec, "predictions")
    if predictions is not None:
        return "params.predictions", spec.resolve(predictions)
    assert spec.path is not None  # check_spec insists on one of the two
    return "path", spec.path


def _format(spec: ModelSpec) -> str:
    """The predictions' format: params.format, else from the file's extension."""
    declared = choice_param(spec, "format", FORMATS) if spec.params.get("format") is not None else None
    where, path = _source(spec)
    return format_of(path, declared, where)


def _id_hint(format: str) -> str:
    if format == "text":
        return "; set params.id_format to build the task's ids from line numbers"
    if format == "json":
        return "; the object's keys must be the task's ids"
    return "; set params.id to the column that holds the task's ids"
