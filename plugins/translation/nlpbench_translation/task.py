"""The ``translation`` task type."""

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

from .config import DataConfig, check_files_exist, data_config, params_config
from .languages import language_name
from .loading import read_line_pairs, read_sample, read_source
from .params import TranslationParams

#: Where a model's translation ends: the few-shot prompt puts one sentence on a line.
STOP = ("\n",)


class TranslationTask:
    """Machine translation: translate each source sentence; scored against one or more reference translations.

    ``data``: nothing (the built-in German→English sample of 25 pairs); ``path`` or
    ``hub`` with the columns ``source`` and ``reference`` (a text or a list of texts);
    or line-aligned files ``source`` and ``references`` (one file or several). Every
    form but the sample declares ``source_lang`` and ``target_lang`` (codes: de, en).
    The train split, for few-shot prompts and fine-tuning: ``train``/``train_split``
    for rows, ``train_source``/``train_references`` for line-aligned files.
    ``params``: ``prompt`` (a Jinja2 template, or one per model type or name),
    ``shots`` (default 0), ``max_new_tokens`` (default 128).
    """

    strategies: ClassVar[tuple[str, ...]] = ("generate",)
    options: ClassVar[type[TranslationParams]] = TranslationParams
    default_metrics: ClassVar[tuple[str, ...]] = ("bleu", "chrf")

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

    @classmethod
    def check_spec(cls, spec: TaskSpec) -> None:
        """ConfigError for a bad key of ``data`` or ``params``, a missing language code, a
        template that does not compile, or a line-aligned file that is not there."""
        data = data_config(spec)
        params_config(spec, data.has_train)
        check_files_exist(data)

    # -- data -------------------------------------------------------------------

    def examples(self) -> list[Example]:
        """Every sentence pair, in file order. DataError for a bad file, line or row; with
        ``params.shots``, the train split is read too, and a ConfigError says when it has
        too few examples (so that ``nlpbench validate`` finds it)."""
        if self._examples is None:
            self._examples = _read(self.data, train=False)
            if self.params.shots and self.params.templates.uses_shots:
                self._sampler()
        return list(self._examples)

    def train_examples(self) -> list[Example]:
        """The train split (the first reference is what a model learns to answer).
        ConfigError when the suite names none."""
        if not self.data.has_train:
            where = (
                "data.train_source and data.train_references" if self.data.lines else "data.train (or data.train_split)"
            )
            raise ConfigError(f"no train split: set {where}")
        return _read(self.data, train=True)

    # -- asking -----------------------------------------------------------------

    def for_model(self, spec: ModelSpec) -> TranslationTask:
        """This task as ``spec``'s model is asked: with its template (T5's prefix, or the few-shot prompt)."""
        view = copy.copy(self)
        view.model = spec
        view.template_key = self.params.templates.key_for(spec)
        view.template = self.params.templates.for_model(spec)
        return view

    def _shots(self, example: Example) -> list[dict[str, Any]]:
        if not self.params.shots or not self.template.uses_shots:
            return []
        return [{"source": shot.input, "reference": shot.references[0]} for shot in self._sampler().draw(example)]

    def _sampler(self) -> FewShotSampler:
        if "shots" not in self._samplers:
            seed = derived_seed(self.spec.seed, self.spec.name, "shots")
            self._samplers["shots"] = FewShotSampler(self.train_examples(), self.params.shots, seed)
        return self._samplers["shots"]

    def prompt(self, example: Example) -> str:
        """The prompt for ``example`` with this view's template and the example's shots."""
        return self.template.render(self._values(example), self._shots(example))

    def conversation(self, example: Example) -> tuple[Message, ...]:
        """The prompt as turns for a chat model (each shot's source and reference, then the
        source); empty without shots."""
        shots = self._shots(example)
        return self.template.conversation(self._values(example), shots, answer="reference") if shots else ()

    def _values(self, example: Example) -> dict[str, Any]:
        return {
            "source": _source(example),
            "source_lang": self.data.source_lang,
            "target_lang": self.data.target_lang,
            "source_language": language_name(self.data.source_lang),
            "target_language": language_name(self.data.target_lang),
        }

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        _check_strategy(strategy)
        return [
            GenerateRequest(
                prompt=self.prompt(example),
                max_new_tokens=self.params.max_new_tokens,
                stop=STOP,
                source=_source(example),
                messages=self.conversation(example),
            )
        ]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> str:
        """The translation: the generated text up to its first line break, stripped."""
        _check_strategy(strategy)
        if len(answers) != 1:
            raise TaskError(f"generate: expected 1 answer, got {len(answers)}")
        return translation(answers[0])

    def describe(self) -> dict[str, Any]:
        """Facts for results: the data, the language pair, the template and where it came from, the shots."""
        return {
            **self.data.describe(),
            "languages": f"{language_name(self.data.source_lang)} → {language_name(self.data.target_lang)}",
            "template": self.template.source,
            "template_for": self.template_key,
            "template_from": self.params.templates.origin(self.template_key),
            "shots": self.params.shots if self.template.uses_shots else 0,
            "max_new_tokens": self.params.max_new_tokens,
            "stop": list(STOP),
        }


def translation(answer: Any) -> str:
    """A generated text as a translation: leading white space dropped, cut at the first
    line break, stripped."""
    return str(answer).lstrip().split("\n", 1)[0].strip()


def _read(data: DataConfig, *, train: bool) -> list[Example]:
    keep = None if train else data.rows  # a train split need not carry the data.keep columns
    if data.builtin:
        return read_sample(train=train, keep=keep)
    if data.lines is not None:
        files = data.train_lines if train else data.lines
        assert files is not None
        return read_line_pairs(files, "train-" if train else "")  # ids apart, so no shot is mistaken for its example
    source = data.rows.train if train else data.rows.source
    assert source is not None
    return read_source(source, data.rows.columns, data.id_column, keep)


def _source(example: Example) -> str:
    # the input is what a bias audit rewrites; fall back to the field for other examples
    return example.input if isinstance(example.input, str) else str(example.fields["source"])


def _check_strategy(strategy: str) -> None:
    if strategy != "generate":
        raise TaskError(f"the translation task has no strategy '{strategy}'; it has: generate")
