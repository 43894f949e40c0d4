"""The ``sentiment`` task type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from nlpbench import ConfigError, Example, Request, TaskSpec

from . import strategies
from .config import check_labels_known, data_config, prompting
from .loading import load, load_train, no_train_split


class SentimentTask:
    """Sentiment classification: label each review or sentence positive or negative (or the data's own labels).

    ``data`` is empty for the built-in sample of 60 reviews, or
    ``{path, text, label, id?, format?, labels?, label_names?, train?}`` for a local
    file; ``train`` is a train split with the same columns, for ``nlpbench finetune``.
    ``params`` may set ``prompt`` (with ``{text}``), ``verbalizers`` (label → word)
    and ``description`` (with ``{label}``, for the encode strategy).
    """

    strategies: ClassVar[tuple[str, ...]] = strategies.STRATEGIES
    default_metrics: ClassVar[tuple[str, ...]] = ("accuracy", "macro-f1")

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec
        self.data = data_config(spec)
        self.prompts = prompting(spec)
        self._examples: list[Example] | None = None
        self._labels: tuple[str, ...] = ()

    @classmethod
    def check_spec(cls, spec: TaskSpec) -> None:
        """ConfigError for an unknown or missing key in ``data`` or ``params``, before anything loads."""
        config = data_config(spec)
        prompts = prompting(spec)
        if config.labels is not None:
            check_labels_known(prompts, config.labels)
        if config.train is not None and not spec.resolve(config.train).is_file():
            raise ConfigError(f"data.train: {config.train}: no such file")

    # -- data -------------------------------------------------------------------

    def _load(self) -> list[Example]:
        if self._examples is None:
            examples, labels = load(self.data, self.spec.resolve)
            check_labels_known(self.prompts, labels)
            self._examples, self._labels = examples, labels
        return self._examples

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels a prediction is chosen from, in order (ties go to the earlier one)."""
        self._load()
        return self._labels

    def examples(self) -> list[Example]:
        """Every example, in file order. DataError for an empty file or a bad row."""
        return list(self._load())

    def train_examples(self) -> list[Example]:
        """The train split (``data.train``), in file order, its labels among :attr:`labels`.
        ConfigError when the suite gives none (the built-in sample has none)."""
        if self.data.train is None:
            raise no_train_split(self.data)
        return load_train(self.spec.resolve(self.data.train), self.data, self.labels)

    # -- asking -----------------------------------------------------------------

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        return strategies.build(strategy, _text(example), self.labels, self.prompts)

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> str | None:
        """The predicted label's name, or None when the answers name no label."""
        return strategies.predict(strategy, answers, self.labels, self.prompts)


def _text(example: Example) -> str:
    # the input is what a bias audit rewrites; fall back to the field for other examples
    return example.input if isinstance(example.input, str) else str(example.fields["text"])
