"""The ``sentiment`` task type."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from nlpbench import ConfigError, Example, FewShotSampler, ModelSpec, Request, TaskSpec, derived_seed

from . import strategies
from .config import check_labels_known, data_config, sentiment_config
from .loading import load, load_train, no_train_split, train_source_of
from .params import SentimentParams


@dataclass
class _Loaded:
    """What a task reads once and its per-model views share."""

    examples: list[Example] | None = None
    labels: tuple[str, ...] = ()
    train: list[Example] | None = None
    sampler: FewShotSampler | None = None


class SentimentTask:
    """Sentiment classification: label each review or sentence positive or negative (or the data's own labels).

    ``data`` is empty for the built-in sample of 60 reviews, or
    ``{path, text, label, id?, format?, labels?, label_names?, train?}`` for a local
    file, or ``{hub, split, config?, revision?, data_files?, train_split?, text, label, ...}``
    for an HF dataset (``hub: glue, config: sst2``); ``train``/``train_split`` is a train
    split with the same columns, for few-shot prompts and ``nlpbench finetune``.
    ``params`` may set ``prompt`` (Jinja2 with ``{{ text }}``; one, or per model type or
    name), ``shots``, ``verbalizers`` (label → word), ``description`` (Jinja2 with
    ``{{ label }}``, for the encode strategy) and, for the generate strategy,
    ``max_new_tokens`` (5) and ``until`` (stop strings; a newline). The entry's
    ``strategy:`` asks every model one way.
    """

    strategies: ClassVar[tuple[str, ...]] = strategies.STRATEGIES
    options: ClassVar[type[SentimentParams]] = SentimentParams
    default_metrics: ClassVar[tuple[str, ...]] = ("accuracy", "macro-f1", "mcc")

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec
        if spec.strategy is not None:  # the suite's choice (validation checked it is one of ours)
            self.strategies = (spec.strategy,)  # type: ignore[misc]
        self.data = data_config(spec)
        self.config = sentiment_config(spec, has_train=train_source_of(self.data, spec.resolve) is not None)
        self.prompts = self.config.prompting()
        self.template_key = "default"
        self._loaded = _Loaded()

    @classmethod
    def check_spec(cls, spec: TaskSpec) -> None:
        """ConfigError for an unknown or missing key in ``data`` or ``params``, before anything loads."""
        config = data_config(spec)
        prompts = sentiment_config(spec, has_train=train_source_of(config, spec.resolve) is not None)
        if config.labels is not None:
            check_labels_known(prompts, config.labels)
        if config.train is not None and not spec.resolve(config.train).is_file():
            raise ConfigError(f"data.train: {config.train}: no such file")

    def for_model(self, spec: ModelSpec) -> SentimentTask:
        """The task as ``spec``'s model is asked: its template (by model name, then type, then
        the default). The view shares the loaded data with this task."""
        view = copy.copy(self)
        by_model = self.config.templates.by_model
        view.template_key = next((key for key in (spec.name, spec.type) if key in by_model), "default")
        view.prompts = self.config.prompting(self.config.templates.for_model(spec).source)
        return view

    # -- data -------------------------------------------------------------------

    def _load(self) -> list[Example]:
        if self._loaded.examples is None:
            examples, labels = load(self.data, self.spec.resolve)
            check_labels_known(self.prompts, labels)
            self._loaded.examples, self._loaded.labels = examples, labels
        return self._loaded.examples

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels a prediction is chosen from, in order (ties go to the earlier one)."""
        self._load()
        return self._loaded.labels

    def examples(self) -> list[Example]:
        """Every example, in file order. DataError for an empty file or a bad row; with
        ``params.shots``, the train split is read too, and a ConfigError says when it has
        too few examples (so that ``nlpbench validate`` finds it)."""
        examples = self._load()
        if self.config.shots:
            self._sampler()
        return list(examples)

    def train_examples(self) -> list[Example]:
        """The train split (``data.train`` or ``data.train_split``), in order, its labels among
        :attr:`labels`. ConfigError when the suite gives none (the built-in sample has none)."""
        if self._loaded.train is None:
            source = train_source_of(self.data, self.spec.resolve)
            if source is None:
                raise no_train_split(self.data)
            self._loaded.train = load_train(source, self.data, self.labels)
        return list(self._loaded.train)

    # -- asking -----------------------------------------------------------------

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        shots: list[tuple[str, str]] = []
        if self.config.shots and strategy in ("loglikelihood", "generate"):
            shots = [(_text(shot), shot.references[0]) for shot in self._sampler().draw(example)]
        config = self.config
        return strategies.build(
            strategy, _text(example), self.labels, self.prompts, shots, config.max_new_tokens, config.until
        )

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> str | None:
        """The predicted label's name, or None when the answers name no label."""
        return strategies.predict(strategy, answers, self.labels, self.prompts)

    def probabilities(self, example: Example, strategy: str, answers: Sequence[Any]) -> dict[str, float] | None:
        """The model's probability of each label (classify, loglikelihood), else None; kept in
        samples.jsonl and read by bias audits (how far a swap moved the predicted label's probability)."""
        return strategies.probabilities(strategy, answers, self.labels)

    def describe(self) -> dict[str, Any]:
        """Facts for results: the data, and how a prompted model is asked."""
        prompt = self.config.prompt
        if isinstance(prompt, str):
            origin = "params.prompt"
        elif isinstance(prompt, Mapping) and self.template_key in prompt:
            origin = f"params.prompt.{self.template_key}"
        else:
            origin = "built-in"
        facts = self.data.describe()
        facts["prompt"] = {
            "template": self.prompts.prompt,
            "template_from": origin,
            "template_for": self.template_key,
            "shots": self.config.shots,
            "verbalizers": dict(self.config.verbalizers),
            "description": self.config.description,
            "max_new_tokens": self.config.max_new_tokens,
            "until": list(self.config.until),
        }
        if self._loaded.examples is not None:
            facts["labels"] = list(self._loaded.labels)
        return facts

    # -- few-shot ---------------------------------------------------------------

    def _sampler(self) -> FewShotSampler:
        if self._loaded.sampler is None:
            seed = derived_seed(self.spec.seed, self.spec.name, "shots")
            self._loaded.sampler = FewShotSampler(self.train_examples(), self.config.shots, seed)
        return self._loaded.sampler


def _text(example: Example) -> str:
    # the input is what a bias audit rewrites; fall back to the field for other examples
    return example.input if isinstance(example.input, str) else str(example.fields["text"])
