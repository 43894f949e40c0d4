"""The ``qa`` task type."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from nlpbench import (
    ConfigError,
    Example,
    ExtractSpanRequest,
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

from .config import qa_config
from .examples import context_of, question_of, title_of
from .generation import clean_generation, span_text
from .loading import load_sample, load_source
from .params import QAParams

STRATEGIES = ("extract_span", "generate")


@dataclass
class _Loaded:
    """What a task reads once and its per-model views share."""

    examples: list[Example] | None = None
    train: list[Example] | None = None
    sampler: FewShotSampler | None = None


class QATask:
    """Question answering (SQuAD v1.1/v2): answer each question from its paragraph, by span or generation.

    ``data`` is empty for the built-in sample (32 questions, 5 without an answer), or
    ``{path}`` for SQuAD JSON (found by its structure, or ``format: squad``) or a flat
    JSONL/JSON/CSV/TSV file mapped with ``context``, ``question``, ``answers``, ``id`` and
    ``title``, or ``{hub, split, config?, data_files?}`` for an HF dataset (``hub:
    squad``); ``train`` (a file) or ``train_split`` is the train split for few-shot prompts
    and ``nlpbench finetune``. ``params``: ``prompt`` (Jinja2, one or per model type or
    name), ``shots``, ``max_new_tokens`` (32) and ``no_answer`` ("unanswerable").
    """

    strategies: ClassVar[tuple[str, ...]] = STRATEGIES
    options: ClassVar[type[QAParams]] = QAParams
    default_metrics: ClassVar[tuple[str, ...]] = ("squad-em", "squad-f1")

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec
        self.config = qa_config(spec)
        self.template: PromptTemplate = self.config.templates.default
        self.template_key = "default"
        self._loaded = _Loaded()

    @classmethod
    def check_spec(cls, spec: TaskSpec) -> None:
        """ConfigError for an unknown, missing or bad key in ``data`` or ``params``, before anything loads."""
        qa_config(spec)

    def for_model(self, spec: ModelSpec) -> QATask:
        """The task as ``spec``'s model is asked: its template (by model name, then type, then
        the default). The view shares the loaded data with this task."""
        view = copy.copy(self)
        view.template_key = self.config.templates.key_for(spec)
        view.template = self.config.templates.for_model(spec)
        return view

    # -- data -------------------------------------------------------------------

    def examples(self) -> list[Example]:
        """Every question, in file order. DataError for an empty or malformed file; with
        ``params.shots``, the train split is read too, and a ConfigError says when it has
        too few examples (so that ``nlpbench validate`` finds it)."""
        if self._loaded.examples is None:
            data = self.config.data
            if data.source is None:
                self._loaded.examples = load_sample(data)
            else:
                self._loaded.examples = load_source(data.source, data.columns, self.config.explicit, data)
            if self.config.shots:
                self._sampler()
        return list(self._loaded.examples)

    def _train(self) -> list[Example]:
        """The whole train split (questions without an answer too: they make shots that say so)."""
        if self._loaded.train is None:
            data = self.config.data
            if data.train is None:
                if data.source is None:
                    raise ConfigError(
                        "no train split: the built-in sample has none; set data.path and data.train "
                        "(or data.hub and data.train_split)"
                    )
                raise ConfigError(
                    "no train split: set data.train (a file like data.path) or, with data.hub, data.train_split"
                )
            self._loaded.train = load_source(data.train, data.columns, self.config.explicit)
        return self._loaded.train

    def train_examples(self) -> list[Example]:
        """The train split's questions that have an answer, in order: what a model learns to
        answer (the first gold answer). ConfigError when the suite names no train split."""
        return [example for example in self._train() if example.references]

    # -- asking -----------------------------------------------------------------

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        question, context = question_of(example), context_of(example)
        if strategy == "extract_span":
            return [ExtractSpanRequest(question=question, context=context)]
        if strategy == "generate":
            return [
                GenerateRequest(
                    prompt=self.prompt(example),
                    max_new_tokens=self.config.max_new_tokens,
                    stop=("\n",),
                    source=context,
                    messages=self.conversation(example),
                )
            ]
        raise TaskError(f"the qa task has no strategy '{strategy}'; it has: {', '.join(STRATEGIES)}")

    def prompt(self, example: Example) -> str:
        """The rendered prompt for ``example``, with its shots from the train split."""
        return self.template.render(self._values(example), shots=self._shots(example))

    def conversation(self, example: Example) -> tuple[Message, ...]:
        """The prompt as turns for a chat model (each shot's question and answer, then the
        question); empty without shots."""
        return self.template.conversation(self._values(example), self._shots(example), answer="answer")

    def _values(self, example: Example) -> dict[str, str]:
        return {"question": question_of(example), "context": context_of(example), "title": title_of(example)}

    def _shots(self, example: Example) -> list[dict[str, str]]:
        return [self._shot(shot) for shot in self._sampler().draw(example)] if self.config.shots else []

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> str:
        """The predicted answer text; ``""`` when the model gives none (SQuAD v2's no-answer)."""
        if len(answers) != 1:
            raise TaskError(f"{strategy}: expected 1 answer, got {len(answers)}")
        if strategy == "extract_span":
            return span_text(answers[0])
        if strategy == "generate":
            return clean_generation(str(answers[0]), self.config.no_answer)
        raise TaskError(f"the qa task has no strategy '{strategy}'; it has: {', '.join(STRATEGIES)}")

    def describe(self) -> dict[str, Any]:
        """Facts for results: the data, and how a generating model is prompted."""
        origin = self.config.templates.origin(self.template_key)
        facts = self.config.data.describe()
        facts["generate"] = {
            "template": self.template.source,
            "template_from": origin,
            "template_for": self.template_key,
            "shots": self.config.shots,
            "max_new_tokens": self.config.max_new_tokens,
            "no_answer": self.config.no_answer,
        }
        if self._loaded.examples is not None:
            facts["questions"] = len(self._loaded.examples)
            facts["without_answer"] = sum(1 for example in self._loaded.examples if not example.references)
        return facts

    # -- few-shot ---------------------------------------------------------------

    def _sampler(self) -> FewShotSampler:
        if self._loaded.sampler is None:
            seed = derived_seed(self.spec.seed, self.spec.name, "shots")
            self._loaded.sampler = FewShotSampler(self._train(), self.config.shots, seed)
        return self._loaded.sampler

    def _shot(self, example: Example) -> dict[str, str]:
        """A shot's values: its fields and its answer (the first gold one, or the no-answer phrase)."""
        answer = example.references[0] if example.references else self.config.no_answer
        return {
            "question": question_of(example),
            "context": context_of(example),
            "title": title_of(example),
            "answer": answer,
        }
