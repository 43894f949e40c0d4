"""The ``summarization`` task type."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, ClassVar

from nlpbench import (
    ConfigError,
    Example,
    FewShotSampler,
    GenerateRequest,
    Message,
    ModelSpec,
    PromptTemplate,
    Request,
    TaskError,
    TaskSpec,
    derived_seed,
)

from .config import DataConfig, check_train_exists, data_config, params_config
from .loading import read_sample, read_source
from .params import SummarizationParams
from .text import cut_chars, cut_words

#: Where a model's summary ends: a blank line, which a summary never holds (the few-shot
#: prompt separates a shot's summary from the next article with one).
STOP = ("\n\n",)


class SummarizationTask:
    """Summarization: write a short summary of each document; scored by ROUGE against the reference summaries.

    ``data``: nothing (the built-in sample of 12 short news stories), or ``path`` or
    ``hub`` with the columns ``document`` and ``summary`` (a text or a list of texts),
    ``id`` (a column of ids) and ``sentence_split`` (rewrite the references one
    sentence a line, for ROUGE-Lsum). ``train``/``train_split`` give the train split.
    ``params``: ``prompt`` (a Jinja2 template, or one per model type or name),
    ``shots`` (default 0), ``max_new_tokens`` (default 128), ``max_words`` (cut each
    summary to so many words), ``max_input_words``/``max_input_chars`` (cut each
    document in the prompt).
    """

    strategies: ClassVar[tuple[str, ...]] = ("generate",)
    options: ClassVar[type[SummarizationParams]] = SummarizationParams
    default_metrics: ClassVar[tuple[str, ...]] = ("rouge-1", "rouge-2", "rouge-l", "rouge-lsum")

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec
        self.data = data_config(spec)
        self.params = params_config(spec, self.data.has_train)
        self.model: ModelSpec | None = None
        self.template_key = self.params.templates.key_for(None)
        self.template: PromptTemplate = self.params.templates.default
        self._examples: list[Example] | None = None
        # shared with every model's view (a shallow copy), so the train split is read once
        self._samplers: dict[str, FewShotSampler] = {}
        self._cut_documents: set[str] = set()
        self._cut_predictions: set[str] = set()

    @classmethod
    def check_spec(cls, spec: TaskSpec) -> None:
        """ConfigError for a bad key of ``data`` or ``params``, a bad limit, a template that
        does not compile, or a train file that is not there."""
        data = data_config(spec)
        params_config(spec, data.has_train)
        check_train_exists(data)

    # -- data -------------------------------------------------------------------

    def examples(self) -> list[Example]:
        """Every document, in file order. DataError for a bad file or row; with
        ``params.shots``, the train split is read too, and a ConfigError says when it has
        too few examples (so that ``nlpbench validate`` finds it)."""
        if self._examples is None:
            self._examples = _read(self.data, train=False)
            if self.params.shots and self.params.templates.uses_shots:
                self._sampler()
        return list(self._examples)

    def train_examples(self) -> list[Example]:
        """The train split (the first reference summary is what a model learns to answer).
        ConfigError when the suite names none."""
        if not self.data.has_train:
            raise ConfigError("no train split: set data.train (or data.train_split) to rows with the same columns")
        return _read(self.data, train=True)

    # -- asking -----------------------------------------------------------------

    def for_model(self, spec: ModelSpec) -> SummarizationTask:
        """This task as ``spec``'s model is asked: with its template ("summarize: " for T5,
        "TL;DR:" for the rest), and counters of its own."""
        view = copy.copy(self)
        view.model = spec
        view.template_key = self.params.templates.key_for(spec)
        view.template = self.params.templates.for_model(spec)
        view._cut_documents = set()
        view._cut_predictions = set()
        return view

    def document_for_prompt(self, document: str) -> tuple[str, bool]:
        """``document`` stripped and cut to ``max_input_words``, then ``max_input_chars``;
        and whether it was cut."""
        text, cut = document.strip(), False
        if self.params.max_input_words is not None:
            text, by_words = cut_words(text, self.params.max_input_words)
            cut = cut or by_words
        if self.params.max_input_chars is not None:
            text, by_chars = cut_chars(text, self.params.max_input_chars)
            cut = cut or by_chars
        return text, cut

    def _shots(self, example: Example) -> list[dict[str, Any]]:
        if not self.params.shots or not self.template.uses_shots:
            return []
        return [
            {"document": self.document_for_prompt(_document(shot))[0], "summary": shot.references[0]}
            for shot in self._sampler().draw(example)
        ]

    def _sampler(self) -> FewShotSampler:
        if "shots" not in self._samplers:
            seed = derived_seed(self.spec.seed, self.spec.name, "shots")
            self._samplers["shots"] = FewShotSampler(self.train_examples(), self.params.shots, seed)
        return self._samplers["shots"]

    def prompt(self, example: Example) -> str:
        """The prompt for ``example`` with this view's template, its shots, and the document cut to the limits."""
        return self.template.render(self._values(example), self._shots(example))

    def conversation(self, example: Example) -> tuple[Message, ...]:
        """The prompt as turns for a chat model (each shot's document and summary, then the
        document); empty without shots."""
        shots = self._shots(example)
        return self.template.conversation(self._values(example), shots, answer="summary") if shots else ()

    def _values(self, example: Example) -> dict[str, Any]:
        document, cut = self.document_for_prompt(_document(example))
        if cut:
            self._cut_documents.add(example.id)
        return {"document": document}

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        _check_strategy(strategy)
        return [
            GenerateRequest(
                prompt=self.prompt(example),
                max_new_tokens=self.params.max_new_tokens,
                stop=STOP,
                source=_document(example),  # the whole document, uncut: the lead baseline reads it
                messages=self.conversation(example),
            )
        ]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> str:
        """The summary: the generated text stripped, cut to ``max_words`` words (its line breaks kept)."""
        _check_strategy(strategy)
        if len(answers) != 1:
            raise TaskError(f"generate: expected 1 answer, got {len(answers)}")
        summary = str(answers[0]).strip()
        if self.params.max_words is not None:
            summary, cut = cut_words(summary, self.params.max_words)
            if cut:
                self._cut_predictions.add(example.id)
        return summary

    def describe(self) -> dict[str, Any]:
        """Facts for results: the data, the template and where it came from, the shots, the
        length limits and how many documents and summaries they cut."""
        return {
            **self.data.describe(),
            "template": self.template.source,
            "template_for": self.template_key,
            "template_from": self.params.templates.origin(self.template_key),
            "shots": self.params.shots if self.template.uses_shots else 0,
            "max_new_tokens": self.params.max_new_tokens,
            "stop": list(STOP),
            "max_words": self.params.max_words,
            "max_input_words": self.params.max_input_words,
            "max_input_chars": self.params.max_input_chars,
            "documents_cut": len(self._cut_documents),
            "summaries_cut": len(self._cut_predictions),
        }


def _read(data: DataConfig, *, train: bool) -> list[Example]:
    keep = None if train else data.rows  # a train split need not carry the data.keep columns
    if data.builtin:
        return read_sample(train=train, sentence_split=data.sentence_split, keep=keep)
    source = data.rows.train if train else data.rows.source
    assert source is not None
    return read_source(source, data.rows.columns, data.id_column, data.sentence_split, keep)


def _document(example: Example) -> str:
    # the input is what a bias audit rewrites; fall back to the field for other examples
    return example.input if isinstance(example.input, str) else str(example.fields["document"])


def _check_strategy(strategy: str) -> None:
    if strategy != "generate":
        raise TaskError(f"the summarization task has no strategy '{strategy}'; it has: generate")
