"""The declarative task: a benchmark as templates over rows of data.

:class:`DeclarativeTask` does the work for both file formats; :class:`TemplateTask`
(the ``template`` task type) is built from a suite's entry or an nlpbench task file,
and ``lm-eval`` (:mod:`nlpbench_tasks.lmeval`) from lm-evaluation-harness's files.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from nlpbench import (
    ConfigError,
    DataError,
    DataSource,
    Example,
    Message,
    ModelSpec,
    NlpbenchError,
    Request,
    TaskError,
    TaskSpec,
    derived_seed,
    no_shots_without_train,
    task_data,
)

from .fewshot import LM_EVAL_SEED, LmEvalDraws, Shots
from .fields import NLPBENCH, Compiled, Conventions, Renderer, check_unique, compile_params, example_of
from .filters import Filters, parse_pipelines
from .kinds import DEFAULT_METRICS, OUTPUTS
from .outputs import Asked, Asking, choice_prediction, choice_probabilities, likelihood_prediction, text_prediction
from .params import TemplateParams, parse_params

#: What an example's fields hold beside its row: the rendered choices and continuation.
INTERNAL_FIELDS = ("_choices", "_continuation")
#: How many examples ``nlpbench validate`` renders to find a template's mistakes.
CHECKED_EXAMPLES = 5
#: How many examples whose target could not be resolved results name.
NAMED_UNRESOLVED = 10


Rows = list[dict[str, Any]]


@dataclass
class TaskSetup:
    """Everything that defines a declarative task, whichever file it came from."""

    params: TemplateParams
    compiled: Compiled
    test: DataSource
    train: DataSource | None = None
    conventions: Conventions = NLPBENCH
    keep: Mapping[str, str] = field(default_factory=dict)
    #: rows → rows, applied to every split (lm-evaluation-harness's ``process_docs``)
    process_rows: Callable[[Rows], Rows] | None = None
    #: the seed and rules of lm-evaluation-harness's few-shot sampler, for its files
    lm_eval_draws: LmEvalDraws | None = None
    #: what results say about where the task came from
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _Loaded:
    """What a task reads once and its per-model views share."""

    examples: list[Example] | None = None
    train: list[Example] | None = None
    shots: Shots | None = None
    unresolved: list[tuple[str, str]] = field(default_factory=list)


class DeclarativeTask:
    """A benchmark as templates: every row of data becomes an example whose input,
    choices and target the templates render, asked as its ``output`` says."""

    strategies: ClassVar[tuple[str, ...]] = tuple(dict.fromkeys(s for o in OUTPUTS.values() for s in o))
    default_metrics: ClassVar[tuple[str, ...]] = ("acc", "acc_norm")

    def __init__(self, spec: TaskSpec, setup: TaskSetup) -> None:
        self.spec = spec
        self.setup = setup
        self.params = setup.params
        self.renderer = Renderer(setup.compiled, digit_strings=setup.conventions.digit_strings)
        # the output's strategies, or only the suite entry's ``strategy:`` (validated as one of them)
        offered = OUTPUTS[self.params.output]
        self.strategies = tuple(s for s in offered if spec.strategy in (None, s))  # type: ignore[misc]
        self.filters: dict[str, Filters] = parse_pipelines(self.params.filters)
        self.asking = Asking(
            output=self.params.output,
            target_delimiter=self.params.target_delimiter,
            generate=self.params.generate,
            mutual_info=_wants_mutual_info(spec),
            rolling_windows=setup.conventions.rolling_windows,
        )
        self.template_key = "default"
        self._loaded = _Loaded()
        if self.params.shots:
            no_shots_without_train(self.params.shots, setup.train is not None)

    # -- views -----------------------------------------------------------------

    def for_model(self, spec: ModelSpec) -> DeclarativeTask:
        """The task as ``spec``'s model is asked: its input template (by model name, then
        type, then the default). The view shares the loaded data with this task."""
        view = copy.copy(self)
        view.template_key = self.setup.compiled.input_key(spec)
        return view

    # -- data ------------------------------------------------------------------

    def _rows(self, source: DataSource) -> Rows:
        rows = [dict(row.values) for row in source.read()]
        if self.setup.process_rows is not None:
            rows = self.setup.process_rows(rows)
        return rows

    def _render_rows(
        self, source: DataSource, rows: Rows, *, keep: bool
    ) -> tuple[list[Example], list[tuple[str, str]]]:
        examples, unresolved = [], []
        for position, row in enumerate(rows):
            try:
                rendered = self.renderer.render(row, position)
            except NlpbenchError as error:  # past the rows validation renders: the task's cells fail, with this
                raise TaskError(f"{error} ({source.label}, row {position + 1})") from None
            kept = {name: row.get(column) for name, column in self.setup.keep.items()} if keep else {}
            if rendered.problem is not None:
                unresolved.append((rendered.id, rendered.problem))
                if self.setup.conventions.unresolved == "exclude":
                    continue
            examples.append(example_of(rendered, row, kept, self.params.output))
        return examples, unresolved

    def _load(self) -> list[Example]:
        if self._loaded.examples is None:
            source = self.setup.test
            examples, unresolved = self._render_rows(source, self._rows(source), keep=True)
            if not examples:
                reason = f": every target is unresolved ({unresolved[0][1]})" if unresolved else ""
                raise DataError(f"{source.label}: no examples{reason}")
            check_unique(examples, source.label)
            self._loaded.examples, self._loaded.unresolved = examples, unresolved
        return self._loaded.examples

    def examples(self) -> list[Example]:
        """Every example whose target resolves, in the data's order (the others are
        counted in results, see :meth:`describe`)."""
        return list(self._load())

    def train_pool(self) -> list[Example]:
        """The examples few-shot prompts draw from (the train split), rendered the same way."""
        if self._loaded.train is None:
            source = self.setup.train
            if source is None:
                raise ConfigError("no train split to draw shots from: set data.train (or data.train_split)")
            if source == self.setup.test:  # lm-evaluation-harness: shots from the split under evaluation
                pool = list(self._load())
            else:  # ids of their own, so that no train row is taken for the example of the same number
                rendered, _ = self._render_rows(source, self._rows(source), keep=False)
                pool = [dataclasses.replace(example, id=f"train:{example.id}") for example in rendered]
            self._loaded.train = [example for example in pool if example.references]
        return self._loaded.train

    def _shots(self) -> Shots:
        if self._loaded.shots is None:
            seed = derived_seed(self.spec.seed, self.spec.name, "shots")
            draws = self.setup.lm_eval_draws
            if draws is None and self.params.sampler == "lm-eval":
                draws = LmEvalDraws(LM_EVAL_SEED, same_split=self.setup.train == self.setup.test)
            self._loaded.shots = Shots(
                self.params.shots, self.train_pool(), seed, draws, self._load(), first=self.params.sampler == "first"
            )
        return self._loaded.shots

    # -- asking ----------------------------------------------------------------

    def _row(self, example: Example) -> dict[str, Any]:
        return {key: value for key, value in example.fields.items() if key not in INTERNAL_FIELDS}

    def _input(self, example: Example) -> str:
        # the default template's text is the example's input (which a bias audit may have
        # rewritten); another model's template renders the row again
        if self.template_key == "default":
            return str(example.input)
        return self.renderer.input_text(self._row(example), self.template_key)

    def _shot_turn(self, shot: Example) -> tuple[str, str]:
        """A shot's question and its answer, which the target delimiter joins in a prompt."""
        row, choices = self._row(shot), list(shot.fields.get("_choices", ()))
        continuation = shot.fields.get("_continuation")
        if continuation is not None and choices:
            return choices[shot.references[0]], str(continuation)
        if choices and self.params.output not in ("generate", "extract_span"):
            answer = choices[shot.references[0]]
        else:
            answer = str(shot.references[0])
        return self.renderer.input_text(row, self.template_key), answer

    def _asked(self, example: Example) -> Asked:
        params, compiled, row = self.params, self.setup.compiled, self._row(example)
        description = prefix = self.renderer.description(row)
        turns = [self._shot_turn(shot) for shot in self._shots().draw(example)] if params.shots else []
        prefix += "".join(q + params.target_delimiter + a + params.fewshot_delimiter for q, a in turns)
        choices = tuple(example.fields.get("_choices", ()))
        text = self._input(example)
        target = _continuation_target(example) if params.output == "loglikelihood" else ""
        return Asked(
            context=prefix + text,
            choices=choices,
            continuation=example.fields.get("_continuation"),
            prefix=prefix,
            target=target,
            classify_text=compiled.classify_text.text(row) if compiled.classify_text is not None else text,
            classify_pair=compiled.classify_pair.text(row) if compiled.classify_pair is not None else None,
            labels=tuple(params.labels or ()),
            span_question=compiled.span_question.text(row) if compiled.span_question is not None else "",
            span_context=compiled.span_context.text(row) if compiled.span_context is not None else "",
            rolling_text=text,
            messages=_conversation(description, turns, text),
        )

    def build_requests(self, example: Example, strategy: str) -> Sequence[Request]:
        return self.asking.requests(strategy, self._asked(example))

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        output, choices = self.params.output, tuple(example.fields.get("_choices", ()))
        if output in ("multiple_choice", "classify"):
            return choice_prediction(
                strategy, answers, choices, tuple(self.params.labels or ()), self.asking.mutual_info
            )
        if len(answers) != 1:
            raise TaskError(f"{strategy}: expected one answer, got {len(answers)}")
        (answer,) = answers
        if output in ("generate", "extract_span"):
            text = answer if isinstance(answer, str) else str(getattr(answer, "text", answer))
            return text_prediction(text, self.filters, choices)
        count = self.setup.conventions.count_words
        if output == "loglikelihood":
            return likelihood_prediction(answer, _continuation_target(example), count, greedy=True)
        return likelihood_prediction(answer, self._input(example), count, greedy=False)

    def probabilities(self, example: Example, strategy: str, answers: Sequence[Any]) -> dict[str, float] | None:
        """Each choice's probability (keyed by its index as text), where the strategy gives
        one: what ``brier`` and ``ece`` score."""
        if self.params.output not in ("multiple_choice", "classify"):
            return None
        return choice_probabilities(strategy, self.process_answers(example, strategy, answers))

    def describe(self) -> dict[str, Any]:
        """Facts for results: the data, the templates, the conventions, and how many
        examples' targets could not be resolved (with the first few ids and why)."""
        params = self.params
        facts: dict[str, Any] = {
            **self.setup.facts,
            "data": self.setup.test.describe(),
            "output": params.output,
            "conventions": self.setup.conventions.name,
            "prompt": {
                "input": _source(self.setup.compiled.input[self.template_key].source),
                "template_for": self.template_key,
                "description": params.description,
                "target_delimiter": params.target_delimiter,
                "fewshot_delimiter": params.fewshot_delimiter,
                "shots": params.shots,
            },
        }
        if self.setup.train is not None:
            facts["train"] = self.setup.train.describe()
        if params.output == "generate":
            facts["generate"] = params.generate.model_dump(mode="json")
            facts["filters"] = _plain(params.filters)
        if self._loaded.unresolved:
            handled = "left out" if self.setup.conventions.unresolved == "exclude" else "kept, scored wrong"
            facts["unresolved_targets"] = {
                "count": len(self._loaded.unresolved),
                "handled": handled,
                "examples": [{"id": i, "problem": p} for i, p in self._loaded.unresolved[:NAMED_UNRESOLVED]],
            }
        return facts

    # -- validation --------------------------------------------------------------

    def check_first_examples(self) -> None:
        """Render the first examples of each local split and ask for their requests, so
        that a template naming a missing column, a target out of range or a choice list
        that renders empty is found before anything runs. ConfigError naming the file,
        the row and the field."""
        for source, is_test in ((self.setup.test, True), (self.setup.train, False)):
            local = source is not None and (
                source.path is not None or bool(source.data_files and all(f.is_file() for f in source.data_files))
            )
            if source is None or not local or (not is_test and not self.params.shots):
                continue
            rows = [dict(row.values) for row in source.read()[:CHECKED_EXAMPLES]]
            if self.setup.process_rows is not None:
                rows = self.setup.process_rows(rows)
            target = self.setup.compiled.name("target")
            keep_unresolved = self.setup.conventions.unresolved == "wrong"
            for position, row in enumerate(rows):
                where = f"({source.label}, row {position + 1})"  # after the field, which errors begin with
                try:
                    rendered = self.renderer.render(row, position)
                except NlpbenchError as error:
                    raise ConfigError(f"{error} {where}") from None
                if rendered.problem is not None and not keep_unresolved:
                    raise ConfigError(f"{target}: {rendered.problem} {where}")
                if is_test and rendered.problem is None:
                    example = example_of(rendered, row, {}, self.params.output)
                    for strategy in self.strategies:
                        try:
                            self.build_requests(example, strategy)
                        except NlpbenchError as error:
                            raise ConfigError(f"{error} {where}") from None


def _conversation(description: str, shots: Sequence[tuple[str, str]], question: str) -> tuple[Message, ...]:
    """The prompt as turns for a chat model (lm-evaluation-harness's ``--fewshot_as_multiturn``):
    each shot's question a user turn and its answer the assistant's, then the question;
    the task's description opens the first user turn. Empty without shots, so that a
    request without them keeps its key."""
    if not shots:
        return ()
    turns: list[Message] = []
    for index, (shot_question, answer) in enumerate(shots):
        opening = description if index == 0 else ""
        turns += [Message("user", opening + shot_question), Message("assistant", answer)]
    return (*turns, Message("user", question))


def _continuation_target(example: Example) -> str:
    """The text a ``loglikelihood`` output scores after the prompt: the first answer
    (read from the example, not by rendering its prompt and shots again)."""
    return str(example.references[0]) if example.references else ""


def _wants_mutual_info(spec: TaskSpec) -> bool:
    """Whether the suite scores ``acc_mutual_info`` (which needs each choice's
    log-likelihood without context too)."""
    names = [m if isinstance(m, str) else m.get("name") for m in spec.metrics]
    return "acc_mutual_info" in names or "acc-mutual-info" in names


def _source(template: Any) -> Any:
    return list(template) if isinstance(template, tuple) else template


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------------
# The ``template`` task type
# ---------------------------------------------------------------------------


class TemplateTask(DeclarativeTask):
    """Declarative task: a benchmark written as templates over rows (multiple choice, generation, log-likelihood, perplexity).

    ``data`` is any local file or HF dataset (``path`` or ``hub``, ``train`` or
    ``train_split`` for shots, ``keep``); ``params`` gives the Jinja2 templates
    ``input``, ``choices``, ``target`` and ``id`` over each row's columns, the
    ``output`` (multiple_choice, classify, generate, loglikelihood, rolling,
    extract_span), ``target_delimiter``, ``fewshot_delimiter``, ``shots``,
    ``description``, ``generate`` options and answer ``filters``; docs/tasks.md has it all.
    """

    options: ClassVar[type[TemplateParams]] = TemplateParams

    def __init__(self, spec: TaskSpec) -> None:
        super().__init__(spec, self.setup_of(spec))

    @staticmethod
    def setup_of(spec: TaskSpec) -> TaskSetup:
        """The task's setup from its suite entry; ConfigError naming the key at fault."""
        params = parse_params(spec.params)
        compiled = compile_params(params)
        data = task_data(spec, {}, reserved_fields=INTERNAL_FIELDS)
        if data.source is None:
            raise ConfigError("data: a declarative task needs data.path (a file) or data.hub (an HF dataset)")
        return TaskSetup(params=params, compiled=compiled, test=data.source, train=data.train, keep=data.keep)

    @classmethod
    def strategies_for(cls, spec: TaskSpec) -> tuple[str, ...]:
        return OUTPUTS[parse_params(spec.params).output]

    @classmethod
    def default_metrics_for(cls, spec: TaskSpec) -> tuple[str, ...]:
        return DEFAULT_METRICS[parse_params(spec.params).output]

    @classmethod
    def check_spec(cls, spec: TaskSpec) -> None:
        """ConfigError for a bad key or template, and for a mistake the first examples of
        a local file show (a missing column, a target out of range, no choices)."""
        setup = cls.setup_of(spec)
        if setup.train is not None and setup.train.path is not None and not setup.train.path.is_file():
            raise ConfigError(f"data.train: {setup.train.path}: no such file")
        DeclarativeTask(spec, setup).check_first_examples()
