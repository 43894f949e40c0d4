"""The ``judge`` metric: a model of the suite grades each answer (model as judge).

The metric itself only reads verdicts: the runner's judging stage
(:mod:`nlpbench.running.judging`) renders :meth:`JudgeMetric.prompt` for every answer
(or :meth:`JudgeMetric.pair_prompt` for both orders of two models' answers), asks the
judge model, and hands the verdicts to :meth:`JudgeMetric.stats` as the metric's
"predictions". So the grade a verdict gives is parsed the same way in a run, in a
rescore of stored verdicts and in the metric's own example.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from nlpbench.contracts.components import MetricExample, StatsArray
from nlpbench.contracts.errors import ConfigError
from nlpbench.contracts.hookspecs import Register, hookimpl
from nlpbench.contracts.options import Options, parse_options
from nlpbench.contracts.prompts import PromptTemplate

#: A rubric in the style of MT-Bench's single-answer grading (Zheng et al., 2023).
POINTWISE_TEMPLATE = """\
Please act as an impartial judge and evaluate the quality of the response provided by an \
AI assistant to the user input displayed below. Consider helpfulness, relevance, accuracy, \
depth and level of detail.{% if reference %} A reference answer is given; use it to judge \
correctness.{% endif %} Be as objective as possible. After a short explanation, rate the \
response on a scale of 1 to 10 by strictly following this format: "Rating: [[5]]".

[User input]
{{ input }}
{% if reference %}
[Reference answer]
{{ reference }}
{% endif %}
[The assistant's response]
{{ prediction }}
"""

#: Pairwise comparison in the style of MT-Bench's pairwise prompt.
PAIRWISE_TEMPLATE = """\
Please act as an impartial judge and evaluate the responses provided by two AI assistants \
to the user input displayed below. Choose the assistant that follows the user's \
instructions and answers the user's input better. Do not let the order in which the \
responses were presented, their length or the assistants' names influence your \
evaluation. After a short explanation, output your final verdict by strictly following \
this format: "[[A]]" if assistant A is better, "[[B]]" if assistant B is better, and \
"[[C]]" for a tie.

[User input]
{{ input }}
{% if reference %}
[Reference answer]
{{ reference }}
{% endif %}
[Assistant A's answer]
{{ answer_a }}

[Assistant B's answer]
{{ answer_b }}
"""

POINTWISE_PATTERN = r"Rating:\s*\[\[\s*(\d+(?:\.\d+)?)\s*\]\]"
PAIRWISE_PATTERN = r"\[\[\s*([ABC])\s*\]\]"
#: What a pairwise verdict's group means: the first answer, the second, or a tie.
PAIRWISE_CHOICES = {"A": "a", "B": "b", "C": "tie"}

#: What a pointwise template may use, and a pairwise one.
POINTWISE_VARIABLES = ("input", "prediction", "reference", "references")
PAIRWISE_VARIABLES = ("input", "answer_a", "answer_b", "reference", "references")


class JudgeOptions(Options):
    model: str | None = Field(
        default=None, description="The judge: the name of a model of the suite (any model that can generate)."
    )
    mode: Literal["pointwise", "pairwise"] = Field(
        default="pointwise",
        description="pointwise: grade each answer on `scale`; pairwise: which of two models' answers is "
        "better, asked in both orders (results.json `judgements`).",
    )
    template: str | None = Field(
        default=None,
        description="A Jinja2 template of the judge's prompt. pointwise: `input`, `prediction`, `reference`, "
        "`references`; pairwise: `input`, `answer_a`, `answer_b`, `reference`, `references`. Unset: an "
        "MT-Bench-style rubric.",
    )
    pattern: str | None = Field(
        default=None,
        description="A regular expression whose first group is the grade (pointwise: a number) or the choice "
        "(pairwise: A, B or C for a tie); the last match in the verdict counts. Unset: the default "
        "template's format.",
    )
    scale: tuple[float, float] = Field(default=(1.0, 10.0), description="The lowest and highest grade (pointwise).")
    max_new_tokens: int = Field(default=256, ge=1, description="The longest verdict the judge may write.")
    system: str | None = Field(default=None, description="A system prompt for the judge (chat models).")

    @field_validator("pattern")
    @classmethod
    def _one_group(cls, pattern: str | None) -> str | None:
        if pattern is None:
            return None
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from None
        if compiled.groups < 1:
            raise ValueError("needs a group, (...), around the grade")
        return pattern

    @field_validator("scale")
    @classmethod
    def _ordered(cls, scale: tuple[float, float]) -> tuple[float, float]:
        if not scale[0] < scale[1]:
            raise ValueError(f"must be [lowest, highest], not {list(scale)}")
        return scale


class JudgeMetric:
    """The mean grade a judge model gives the answers (pointwise), with its interval.

    Statistics per example: ``[grade, 1]`` when the verdict gives a grade within
    ``scale``, ``[0, 0]`` when it does not (said in the score's ``info`` as
    ``unparsed``); the score is the mean of the parsed grades."""

    options: ClassVar[type[Options]] = JudgeOptions
    higher_is_better: ClassVar[bool] = True
    scale: ClassVar[tuple[float, float]] = (1.0, 10.0)
    example: ClassVar[MetricExample] = MetricExample(
        predictions=("Clear and correct. Rating: [[8]]", "Off topic. Rating: [[3]]", "I cannot decide."),
        references=(("",), ("",), ("",)),
        value=5.5,
    )

    def __init__(self, **options: Any) -> None:
        self.settings = parse_options(JudgeOptions, options)
        self.judge_model = self.settings.model
        self.mode = self.settings.mode
        self.scale = self.settings.scale  # type: ignore[misc]  # this instance's grades
        self._template  # noqa: B018  (compiled now: a bad template is the suite's error, said at validate)

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        default = POINTWISE_PATTERN if self.mode == "pointwise" else PAIRWISE_PATTERN
        return re.compile(self.settings.pattern or default)

    @cached_property
    def _template(self) -> PromptTemplate:
        pointwise = self.mode == "pointwise"
        source = self.settings.template or (POINTWISE_TEMPLATE if pointwise else PAIRWISE_TEMPLATE)
        variables = POINTWISE_VARIABLES if pointwise else PAIRWISE_VARIABLES
        return PromptTemplate(source, where="metric 'judge'.template", variables=variables)

    # -- prompts (the runner's judging stage renders them) -------------------------

    def prompt(self, input_text: Any, prediction: Any, references: Sequence[Any]) -> str:
        return self._template.render(
            {"input": as_text(input_text), "prediction": answer_text(prediction), **_references(references)}
        )

    def pair_prompt(self, input_text: Any, answer_a: Any, answer_b: Any, references: Sequence[Any]) -> str:
        return self._template.render(
            {
                "input": as_text(input_text),
                "answer_a": answer_text(answer_a),
                "answer_b": answer_text(answer_b),
                **_references(references),
            }
        )

    # -- verdicts --------------------------------------------------------------------

    def grade(self, verdict: Any) -> float | None:
        """The grade a pointwise verdict gives (its last match), None when it gives none on the scale."""
        found = self._pattern.findall(str(verdict))
        if not found:
            return None
        last = found[-1][0] if isinstance(found[-1], tuple) else found[-1]
        try:
            value = float(last)
        except ValueError:
            return None
        low, high = self.settings.scale
        return value if math.isfinite(value) and low <= value <= high else None

    def choice(self, verdict: Any) -> str | None:
        """A pairwise verdict's choice: ``a`` (the first answer shown), ``b`` or ``tie``; None when unparsed."""
        found = self._pattern.findall(str(verdict))
        if not found:
            return None
        last = found[-1][0] if isinstance(found[-1], tuple) else found[-1]
        return PAIRWISE_CHOICES.get(str(last).strip().upper())

    def stats(self, predictions: Sequence[Any], references: Sequence[Sequence[Any]]) -> StatsArray:
        import numpy as np  # not on the listing path: the core registers this metric on every command

        rows = []
        for verdict in predictions:
            grade = self.grade(verdict)
            rows.append([grade, 1.0] if grade is not None else [0.0, 0.0])
        return np.asarray(rows, dtype=np.float64).reshape(len(rows), 2)

    def aggregate(self, stats: StatsArray) -> float:
        import numpy as np

        parsed = float(np.sum(stats[:, 1]))
        return float(np.sum(stats[:, 0]) / parsed) if parsed else math.nan

    def aggregate_resamples(self, stats: StatsArray, indices: Any) -> Any:
        import numpy as np

        grades, parsed = stats[indices, 0].sum(axis=1), stats[indices, 1].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(parsed > 0, grades / np.where(parsed > 0, parsed, 1.0), np.nan)

    def example_score(self, row: Sequence[float]) -> float | None:
        return float(row[0]) if row[1] else None

    def describe(self) -> dict[str, Any]:
        return {
            "judge": self.judge_model,
            "mode": self.mode,
            "pattern": self._pattern.pattern,
            "template": "default" if self.settings.template is None else "custom",
        }


def as_text(input_value: Any) -> Any:
    """An example's input as the judge reads it: a conversation (a dialogue's history, a
    list of ``{role, content}``) as ``Role: content`` lines; anything else as it is."""
    if (
        isinstance(input_value, (list, tuple))
        and input_value
        and all(isinstance(turn, Mapping) and {"role", "content"} <= set(turn) for turn in input_value)
    ):
        return "\n".join(f"{str(turn['role']).capitalize()}: {turn['content']}" for turn in input_value)
    return input_value


def answer_text(prediction: Any) -> Any:
    """What a model wrote, as the judge reads it: a declarative task's prediction keeps the
    generated ``text`` beside the ``answer`` its filters took out; the judge grades the text."""
    if isinstance(prediction, Mapping) and isinstance(prediction.get("text"), str):
        return prediction["text"]
    return prediction


def _references(references: Sequence[Any]) -> Mapping[str, Any]:
    given = [r for r in references if r not in (None, "")]
    return {"reference": given[0] if given else "", "references": given}


def judge_model_of(metric: Any) -> str | None:
    """The suite model a metric asks for its verdicts (its ``judge_model``), if it is a judge."""
    name = getattr(metric, "judge_model", None)
    return name if isinstance(name, str) and name else None


def is_judge(metric: Any) -> bool:
    """Whether the runner's judging stage scores ``metric`` (it declares ``judge_model``, even unset)."""
    return hasattr(metric, "judge_model")


@hookimpl
def register_metrics(register: Register) -> None:
    register(JudgeMetric, name="judge")


def unset_model_error(where: str) -> ConfigError:
    return ConfigError(f"{where}: metric 'judge' needs `model:`, the name of the suite's model that judges")
