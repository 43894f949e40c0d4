"""Prompt templates and few-shot examples, for every task that prompts.

A template is Jinja2 text (``{{ question }}``, ``{% for shot in shots %}``), rendered
in a sandbox with strict undefined variables, so a typo in a suite fails
``nlpbench validate`` instead of silently producing an empty prompt. A suite may give
one template, or one per model type or model name (``{t5: "translate German to
English: {{ source }}", default: ...}``): T5 expects a task prefix, a GPT a few-shot
prompt. Few-shot examples come from the task's train split, drawn per example with a
seed, never the example itself.

Jinja2 is imported when a template is compiled, not when this module is: task
plugins import it while nlpbench lists plugins, which must stay instant.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import Field

from nlpbench.contracts.components import Example, Message, ModelSpec
from nlpbench.contracts.errors import ConfigError, TaskError
from nlpbench.contracts.seeds import derived_seed
from nlpbench.plugins.suggest import did_you_mean

#: The variable every template may use: the few-shot examples, each a mapping of fields.
SHOTS = "shots"

#: The most few-shot examples a prompt may show. Many-shot prompting goes to a few hundred
#: (Agarwal et al. 2024 tried up to 2,048); more is a typo such as ``1e6``, which
#: ``nlpbench validate`` reports before any model loads.
MAX_SHOTS = 2048
#: The most new tokens a task may ask a model to generate for one answer: 32,768 covers
#: the longest contexts of today's models; more is a typo such as ``1e8``.
MAX_NEW_TOKENS = 32768

#: ``params.shots`` in a task's option schema: how many solved examples each prompt shows.
Shots = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_SHOTS,
        strict=True,
        description=f"Solved examples from the train split shown before each question (0 to {MAX_SHOTS}); "
        "drawn per example with the suite's seed, never the example itself. Needs data.train or data.train_split.",
    ),
]
#: ``params.max_new_tokens`` in a task's option schema: the generation budget of one answer.
MaxNewTokens = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_NEW_TOKENS,
        strict=True,
        description=f"The most tokens a model may generate for one answer (1 to {MAX_NEW_TOKENS}).",
    ),
]
#: ``params.prompt`` in a task's option schema: one template, or one per model name or type.
PromptParam = Annotated[
    str | dict[str, str] | None,
    Field(
        description="A Jinja2 prompt template, or a mapping of model name or type to template with a "
        "'default' for the other models; unset: the task's built-in prompts.",
    ),
]


class PromptTemplate:
    """A compiled Jinja2 template that may use only ``variables`` (and ``shots``).

    ``where`` names the suite field it came from, for errors (``params.prompt``).
    """

    def __init__(self, source: str, *, where: str, variables: Collection[str]) -> None:
        import jinja2

        if not isinstance(source, str) or not source.strip():
            raise ConfigError(f"{where} must be a non-empty template, not {source!r}")
        self.source = source
        self.where = where
        self.variables = frozenset(variables) | {SHOTS}
        try:
            self._template, undeclared = _compiled(source)
        except jinja2.TemplateSyntaxError as error:
            raise ConfigError(f"{where}: template error on its line {error.lineno}: {error.message}") from None
        for name in undeclared:
            if name not in self.variables:
                raise ConfigError(
                    f"{where}: unknown variable '{name}'{did_you_mean(name, self.variables)}; "
                    f"a template may use {', '.join(sorted(self.variables))}"
                )

    @property
    def uses_shots(self) -> bool:
        """Whether the template shows few-shot examples (if not, asking for shots is a mistake)."""
        return SHOTS in self.source

    def render(self, values: Mapping[str, Any], shots: Sequence[Mapping[str, Any]] = ()) -> str:
        """The prompt for ``values``, with ``shots``; TaskError naming the field on failure."""
        import jinja2

        try:
            return str(self._template.render({**values, SHOTS: list(shots)}))
        except jinja2.TemplateError as error:
            raise TaskError(f"{self.where}: {error}") from None

    def conversation(
        self, values: Mapping[str, Any], shots: Sequence[Mapping[str, Any]], answer: str
    ) -> tuple[Message, ...]:
        """The prompt as alternating turns (lm-evaluation-harness's ``--fewshot_as_multiturn``),
        for a chat model: each shot's question a user turn and its answer (the shot's
        ``answer`` field) the assistant's, then the question itself a user turn. Empty
        without shots: such a prompt is one user turn already.

        The template is rendered once with a marker in place of each shot's answer and cut
        at the markers, so the turns hold exactly the prompt's text (what precedes the
        first shot, an instruction, opens the first turn), stripped of the whitespace that
        separated them. A template that changes an answer as it shows it (``| upper``) or
        shows it elsewhere is rendered per shot instead: the shot alone, then the question
        alone."""
        if not shots:
            return ()
        answers = [str(shot[answer]).strip() for shot in shots]
        marks = [f"\ue000{index}\ue001" for index in range(len(shots))]
        text = self.render(values, [{**shot, answer: mark} for shot, mark in zip(shots, marks, strict=True)])
        if all(text.count(mark) == 1 for mark in marks) and _in_order(text, marks):
            questions: list[str] = []
            for mark in marks:
                before, _, text = text.partition(mark)
                questions.append(before)
            last = text
        else:
            questions = [self.render({**values, **shot}) for shot in shots]
            last = self.render(values)
        turns: list[Message] = []
        for question, said in zip(questions, answers, strict=True):
            turns += [Message("user", question.strip()), Message("assistant", said)]
        return (*turns, Message("user", last.strip()))

    def __repr__(self) -> str:
        return f"PromptTemplate({self.source!r})"


def _in_order(text: str, marks: Sequence[str]) -> bool:
    places = [text.find(mark) for mark in marks]
    return places == sorted(places)


#: The key of a per-model mapping of templates used when no model name or type matches.
DEFAULT = "default"


@dataclass(frozen=True)
class PromptTemplates:
    """One template per model name or type, and the default: what ``params.prompt`` gives."""

    by_model: Mapping[str, PromptTemplate]
    default: PromptTemplate
    #: Where each key's template came from: ``params.prompt``, ``params.prompt.t5`` or ``built-in``.
    origins: Mapping[str, str] = field(default_factory=dict)

    def key_for(self, model: ModelSpec | None) -> str:
        """Which template ``model`` gets: its name, else its type, else ``default``."""
        if model is not None:
            for key in (model.name, model.type):
                if key in self.by_model:
                    return key
        return DEFAULT

    def for_model(self, model: ModelSpec | None) -> PromptTemplate:
        """The template for ``model``: by its name, else its type, else the default."""
        key = self.key_for(model)
        return self.default if key == DEFAULT else self.by_model[key]

    def origin(self, key: str) -> str:
        """Where the template under ``key`` came from (for results)."""
        return self.origins.get(key, "built-in")

    @property
    def uses_shots(self) -> bool:
        return self.default.uses_shots or any(t.uses_shots for t in self.by_model.values())


def prompt_templates(
    value: Any,
    *,
    where: str,
    variables: Collection[str],
    default: str | Mapping[str, str],
) -> PromptTemplates:
    """``params.prompt`` (a template, or ``{model name or type: template, default: ...}``)
    compiled over the task's defaults (``default``: a template or such a mapping);
    ConfigError naming the field for a bad template."""
    defaults: Mapping[str, str] = {DEFAULT: default} if isinstance(default, str) else default
    given: Mapping[str, Any]
    if value is None:
        given = {}
    elif isinstance(value, str):
        given = {DEFAULT: value}  # one template for every model replaces the per-model defaults
        defaults = {}
    elif isinstance(value, Mapping) and value:
        given = value
    else:
        raise ConfigError(f"{where} must be a template or a mapping of model type or name to template, not {value!r}")
    merged = {**defaults, **{str(k): v for k, v in given.items()}}
    if DEFAULT not in merged:
        raise ConfigError(f"{where}: give a '{DEFAULT}' template for the models the mapping does not name")
    single = isinstance(value, str)
    compiled = {
        key: PromptTemplate(text, where=where if single else f"{where}.{key}", variables=variables)
        for key, text in merged.items()
    }
    default_template = compiled.pop(DEFAULT)
    origins = {key: (where if single else f"{where}.{key}") for key in given}
    return PromptTemplates(compiled, default_template, origins)


@dataclass(frozen=True)
class Prompting:
    """``params.prompt`` and ``params.shots`` of a task, checked together."""

    templates: PromptTemplates
    shots: int


def prompting(
    params: Mapping[str, Any],
    *,
    variables: Collection[str],
    default: str | Mapping[str, str],
    has_train: bool,
) -> Prompting:
    """The templates (``params.prompt`` over the task's ``default``) and the number of
    shots (``params.shots``); ConfigError when shots are asked for without a train split
    or with no template that shows them."""
    templates = prompt_templates(params.get("prompt"), where="params.prompt", variables=variables, default=default)
    shots = shot_count(params)
    no_shots_without_train(shots, has_train)
    if shots and not templates.uses_shots:
        raise ConfigError(
            f"params.shots: {shots} shots, but no template of params.prompt shows them "
            "(loop over them with {% for shot in shots %})"
        )
    return Prompting(templates, shots)


def check_keys(params: Any, known: Sequence[str], where: str = "params") -> Mapping[str, Any]:
    """``params`` as a mapping whose keys are all ``known``; ConfigError naming the first
    unknown one, with a suggestion."""
    if not isinstance(params, Mapping):
        raise ConfigError(f"{where} must be a mapping, not {type(params).__name__}")
    for key in params:
        if key not in known:
            raise ConfigError(f"{where}: unknown key '{key}'{did_you_mean(str(key), known)}; known: {', '.join(known)}")
    return params


def shot_count(params: Mapping[str, Any], where: str = "params.shots") -> int:
    """``params.shots``: how many few-shot examples each prompt shows (default 0)."""
    value = params.get("shots", 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SHOTS:
        raise ConfigError(f"{where} must be a whole number of examples from 0 to {MAX_SHOTS}, not {value!r}")
    return value


class FewShotSampler:
    """Draws ``k`` examples from ``pool`` for each example, seeded by ``seed`` and the
    example's id: the same shots on every run and for every model (so comparisons are
    paired), different shots for different examples (so no one shot biases them all),
    and never the example itself (by id or by identical input)."""

    def __init__(self, pool: Sequence[Example], k: int, seed: int, *, where: str = "params.shots") -> None:
        if k and len(pool) < k:
            raise ConfigError(f"{where}: {k} shots need a train split of at least {k} examples; it has {len(pool)}")
        self.pool = list(pool)
        self.k = k
        self.seed = seed

    def draw(self, example: Example) -> list[Example]:
        """The shots for ``example``, in the order they are shown."""
        if not self.k:
            return []
        rng = random.Random(derived_seed(self.seed, example.id, "shots"))
        chosen: list[Example] = []
        tried: set[int] = set()
        # draw without replacement until k fit; a few draws suffice even for a huge pool
        while len(chosen) < self.k and len(tried) < len(self.pool):
            index = rng.randrange(len(self.pool))
            if index in tried:
                continue
            tried.add(index)
            candidate = self.pool[index]
            if candidate.id != example.id and candidate.input != example.input:
                chosen.append(candidate)
        return chosen


def no_shots_without_train(k: int, has_train: bool, where: str = "params.shots") -> None:
    """ConfigError when shots are asked for but the task has no train split to draw them from."""
    if k and not has_train:
        raise ConfigError(f"{where}: {k} shots need a train split; set data.train (or data.train_split)")


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> tuple[Any, tuple[str, ...]]:
    """``source`` compiled in the sandbox, with the variables it uses (sorted). Compiled
    once per process: a task builds its templates for every model it meets, and Jinja2's
    compiler took 0.17 s of a 1.6 s cached rerun of the quick suite (70 compilations)."""
    import jinja2
    from jinja2 import meta
    from jinja2.sandbox import SandboxedEnvironment

    environment = SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    parsed = environment.parse(source)
    return environment.from_string(parsed), tuple(sorted(meta.find_undeclared_variables(parsed)))
