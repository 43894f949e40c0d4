"""The judging stage: once every model has answered, each judge metric of a task asks
its judge (a model of the suite) to grade the answers.

Pointwise, every ok cell's answers are graded one by one and the mean grade becomes one
more score of the cell, with its bootstrap interval, compared between models like any
other. Pairwise, every two models that answered the task are shown side by side, in
both orders (the judge's position bias cancels out), and ``judgements`` in results.json
gives each pair's win rate with its interval and the share of examples whose two
verdicts disagree. The judge's prompts and raw verdicts go to ``samples.jsonl``; its
verdicts are kept in the store like any prediction (under the judge model, the metric's
options and each prompt, so a changed answer is judged again), so an identical rerun
loads no judge.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlpbench.contracts.components import Example, GenerateRequest, Message, ModelSpec, TaskSpec
from nlpbench.contracts.errors import ConfigError
from nlpbench.plugins.builtin.judges import is_judge, judge_model_of
from nlpbench.plugins.host import PluginHost
from nlpbench.results.store import cell_key
from nlpbench.running.asking import Asker
from nlpbench.running.cells import save_cell_rows, score_cell
from nlpbench.running.executors.base import Executor
from nlpbench.running.failures import Failure
from nlpbench.running.models import LazyModel, ModelUnavailable
from nlpbench.running.preparing import PreparedTask, code_of
from nlpbench.running.storing import SharedStore
from nlpbench.statistics.bootstrap import bootstrap, derived_seed
from nlpbench.suites.planning import declared_capabilities
from nlpbench.suites.suite import Suite

#: The judge's options that change what it is asked, so what it answers.
VERDICT_OPTIONS = {"model", "mode", "template", "max_new_tokens", "system"}

#: A cell's answers kept for its task's judges: (the cell's store key, example ids, predictions).
Answers = dict[tuple[str, str], tuple[str, list[Any]]]


def judges_of(task: PreparedTask) -> list[tuple[str, Any]]:
    """The task's judge metrics, each with the label it is scored under."""
    return [(registered.name, metric) for registered, metric in task.metrics if is_judge(metric)]


def judge_problems(
    suite: Suite,
    prepared: Mapping[str, PreparedTask],
    host: PluginHost,
    entry: Callable[[int, TaskSpec], str] = lambda index, spec: f"tasks[{index}] ({spec.name})",
) -> list[str]:
    """One line per judge metric whose judge is not a model of the suite that can
    generate (``entry`` names a task's entry in the suite file)."""
    models = {spec.name: spec for spec in suite.models}
    problems = []
    for index, spec in enumerate(suite.tasks):
        task = prepared.get(spec.name)
        for label, metric in judges_of(task) if task is not None else []:
            where = f"{entry(index, spec)}: metric '{label}'"
            name = judge_model_of(metric)
            if name is None:
                problems.append(f"{where}: needs `model:`, the name of the suite's model that judges")
            elif name not in models:
                known = ", ".join(models) or "none"
                problems.append(f"{where}: model: no model '{name}' in the suite (its models: {known})")
            else:
                judge = models[name]
                capabilities = declared_capabilities(host.models.get(judge.type).component, judge)
                if "generate" not in capabilities:
                    problems.append(f"{where}: model '{name}' ({judge.type}) cannot generate, so it cannot judge")
    return problems


def check_judges(suite: Suite, prepared: Mapping[str, PreparedTask], host: PluginHost) -> None:
    """ConfigError (the first problem) before a run starts: see :func:`judge_problems`."""
    problems = judge_problems(suite, prepared, host)
    if problems:
        raise ConfigError(problems[0])


class JudgePrompts:
    """The judge's "task": each example's input is its prompt (two for a pair, one per
    order); the answer is the judge's verdict as written."""

    strategies = ("generate",)

    def __init__(self, max_new_tokens: int, system: str | None) -> None:
        self.max_new_tokens = max_new_tokens
        self.system = system

    def build_requests(self, example: Example, strategy: str) -> list[GenerateRequest]:
        prompts = example.input if isinstance(example.input, list) else [example.input]
        head = (Message("system", self.system),) if self.system else ()
        return [
            GenerateRequest(
                prompt, max_new_tokens=self.max_new_tokens, temperature=0.0, messages=(*head, Message("user", prompt))
            )
            for prompt in prompts
        ]

    def process_answers(self, example: Example, strategy: str, answers: Sequence[Any]) -> Any:
        return list(answers) if isinstance(example.input, list) else answers[0]


@dataclass
class JudgingContext:
    """What the judging stage needs of the run."""

    suite: Suite
    host: PluginHost
    executor: Executor
    store: SharedStore
    asker: Asker
    run_id: int
    log: Callable[[str], None]
    #: (model, task) → the example ids and each metric's statistics rows (comparisons read them)
    cell_stats: dict[tuple[str, str], tuple[list[str], dict[str, list[list[float]]]]]


@dataclass
class Judged:
    """What the stage adds to the run."""

    lines: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    judgements: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    failed: bool = False


class JudgingStage:
    """Runs every judge metric of a run (see the module's docstring)."""

    def __init__(self, context: JudgingContext, prepared: Mapping[str, PreparedTask], answers: Answers) -> None:
        self.context = context
        self.prepared = prepared
        self.answers = answers
        self.models: dict[str, LazyModel] = {}
        self.judged = Judged()

    def run(self, cells: list[dict[str, Any]]) -> Judged:
        try:
            for spec in self.context.suite.tasks:
                task = self.prepared[spec.name]
                ok = [c for c in cells if c["task"] == spec.name and c["status"] == "ok"]
                ok = [c for c in ok if (c["model"], spec.name) in self.answers]
                for label, metric in judges_of(task):
                    if metric.mode == "pairwise":
                        self._pairwise(task, label, metric, ok)
                    else:
                        for cell in ok:
                            self._pointwise(task, label, metric, cell)
        finally:
            for model in self.models.values():
                model.close()
        return self.judged

    # -- asking the judge --------------------------------------------------------------

    def _judge(self, name: str) -> LazyModel:
        if name not in self.models:
            spec = next(spec for spec in self.context.suite.models if spec.name == name)
            self.models[name] = LazyModel(spec, self.context.executor, self.context.log)
        return self.models[name]

    def _verdicts(
        self, label: str, metric: Any, what: str, examples: list[Example]
    ) -> tuple[list[Any], dict[str, float] | None]:
        """The judge's verdicts on ``examples`` (their inputs are its prompts), from the store
        when it has them, and what the judge used for them (its ``usage()``), if it counts."""
        context = self.context
        judge = self._judge(str(metric.judge_model))
        spec: ModelSpec = judge.spec
        plugin = context.host.models.get(spec.type).plugin
        if judge.identity is None:
            judge.identity = context.store.model_identity(spec, plugin, context.host.code_identity(plugin))
        # what decides the verdicts (not how they are parsed: a new pattern or scale reads
        # the stored verdicts again, and so does the same judge under another label)
        options = metric.settings.model_dump(mode="json", include=VERDICT_OPTIONS)
        key = cell_key(judge.identity, "judge", options, "generate", code_of(context.host))
        view = PreparedTask(
            TaskSpec(name=f"judge:{label}", type="judge"),
            instance=JudgePrompts(metric.settings.max_new_tokens, metric.settings.system),
            examples=examples,
        )
        before = judge.usage() or {}
        verdicts = context.asker.predict(what, judge, view, examples, "generate", key).predictions
        after = judge.usage()
        used = {k: round(v - before.get(k, 0.0), 6) for k, v in after.items()} if after is not None else None
        return verdicts, used

    # -- pointwise -----------------------------------------------------------------------

    def _pointwise(self, task: PreparedTask, label: str, metric: Any, cell: dict[str, Any]) -> None:
        context, model_name = self.context, cell["model"]
        key, predictions = self.answers[(model_name, task.spec.name)]
        prompts = [
            Example(f"{model_name}/{example.id}", metric.prompt(example.input, prediction, example.references), ())
            for example, prediction in zip(task.examples, predictions, strict=True)
        ]
        what = f"{metric.judge_model} judging {model_name} × {task.spec.name} ({label})"
        try:
            verdicts, used = self._verdicts(label, metric, what, prompts)
        except ModelUnavailable as error:
            self._failed(cell, label, metric, error.failure)
            return
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            self._failed(cell, label, metric, Failure.of(error))
            return
        only = dataclasses.replace(task, metrics=[(r, m) for r, m in task.metrics if r.name == label])
        scores, per_example, stats = score_cell(
            context.suite, None, only, verdicts, [None] * len(verdicts), judging=True
        )
        entry = scores[label]
        unparsed = sum(1 for row in stats.get(label, []) if not row[1])
        entry["info"] = {**entry.get("info", {}), "judged": len(verdicts), "unparsed": unparsed}
        if used is not None:  # a served judge's tokens and cost for these verdicts (absent when stored)
            cell.setdefault("judge_usage", {})[label] = used
        if verdicts and unparsed == len(verdicts):  # said, never a zero
            entry.update(value=None, ci_low=None, ci_high=None)
            entry["reason"] = f"not computed: no verdict of the judge gave a grade ({unparsed} of {unparsed} unparsed)"
        cell["metrics"][label] = entry
        _, cell_rows = context.cell_stats.setdefault((model_name, task.spec.name), ([e.id for e in task.examples], {}))
        if label in stats:
            cell_rows[label] = stats[label]
        # the store's copy of the cell gets the judge's score and rows too (compare and rescore read them)
        save_cell_rows(context.store, context.run_id, cell, key, task.examples, predictions, cell_rows)
        for example, prompt, verdict, scored in zip(task.examples, prompts, verdicts, per_example, strict=True):
            self.judged.lines.append({
                "model": model_name, "task": task.spec.name, "id": example.id, "judge": label,
                "judge_model": metric.judge_model, "prompt": prompt.input, "verdict": verdict,
                "score": scored.get(label),
            })  # fmt: skip
        context.log(
            f"{label} ({metric.judge_model}) on {model_name} × {task.spec.name}: "
            f"{_shown(entry.get('value'))}" + (f", {unparsed} verdicts unparsed" if unparsed else "")
        )

    def _failed(self, cell: dict[str, Any], label: str, metric: Any, failure: Failure) -> None:
        cell["metrics"][label] = {
            "value": None, "ci_low": None, "ci_high": None, "higher_is_better": True,
            "scale": list(metric.scale), "reason": f"failed: the judge '{metric.judge_model}': {failure.error}",
            "traceback": failure.traceback,
        }  # fmt: skip
        self.judged.failed = True
        self.context.log(f"{label} on {cell['model']} × {cell['task']} failed: {failure.error}")

    # -- pairwise ------------------------------------------------------------------------

    def _pairwise(self, task: PreparedTask, label: str, metric: Any, cells: list[dict[str, Any]]) -> None:
        names = [cell["model"] for cell in cells]
        for first, a in enumerate(names):
            for b in names[first + 1 :]:
                self._pair(task, label, metric, a, b)

    def _pair(self, task: PreparedTask, label: str, metric: Any, a: str, b: str) -> None:
        context, name = self.context, task.spec.name
        answers_a, answers_b = self.answers[(a, name)][1], self.answers[(b, name)][1]
        prompts = [
            Example(
                f"{a}|{b}/{example.id}",
                [
                    metric.pair_prompt(example.input, x, y, example.references),
                    metric.pair_prompt(example.input, y, x, example.references),
                ],
                (),
            )
            for example, x, y in zip(task.examples, answers_a, answers_b, strict=True)
        ]
        entry: dict[str, Any] = {"task": name, "judge": label, "judge_model": metric.judge_model, "a": a, "b": b}
        try:
            verdicts, used = self._verdicts(
                label, metric, f"{metric.judge_model} judging {a} vs {b} on {name}", prompts
            )
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            failure = error.failure if isinstance(error, ModelUnavailable) else Failure.of(error)
            self.judged.judgements.append({
                **entry, "win_rate": None, "ci_low": None, "ci_high": None, "n": 0,
                "reason": f"failed: the judge '{metric.judge_model}': {failure.error}", "traceback": failure.traceback,
            })  # fmt: skip
            self.judged.failed = True
            context.log(f"{label} on {a} vs {b} × {name} failed: {failure.error}")
            return
        scores: list[float] = []
        wins_a = wins_b = ties = inconsistent = unparsed = 0
        for example, prompt, (shown_ab, shown_ba) in zip(task.examples, prompts, verdicts, strict=True):
            first, second = metric.choice(shown_ab), metric.choice(shown_ba)
            # a's share of each verdict: a shown first, then a shown second
            as_first, as_second = _share(first, "a"), _share(second, "b")
            score = None
            if as_first is None or as_second is None:
                unparsed += 1
            else:
                score = (as_first + as_second) / 2
                scores.append(score)
                inconsistent += as_first != as_second
                wins_a += score == 1.0
                wins_b += score == 0.0
                ties += 0 < score < 1
            self.judged.lines.append({
                "model": a, "task": name, "id": example.id, "judge": label, "judge_model": metric.judge_model,
                "against": b, "prompts": prompt.input, "verdicts": [shown_ab, shown_ba], "choices": [first, second],
                "score": score,
            })  # fmt: skip
        settings = context.suite
        if scores:
            estimate = bootstrap(
                np.asarray(scores, dtype=np.float64)[:, None], lambda s: float(np.mean(s[:, 0])),
                resamples=settings.resamples, confidence=settings.confidence,
                seed=derived_seed(settings.seed, name, "judge", label, a, b),
                aggregate_resamples=lambda s, idx: s[idx, 0].mean(axis=1),
            )  # fmt: skip
            low, high = estimate.ci_low, estimate.ci_high
            value: float | None = estimate.value
        else:
            value = low = high = None
        entry.update({
            "win_rate": value, "ci_low": low, "ci_high": high, "n": len(scores), "wins_a": wins_a,
            "wins_b": wins_b, "ties": ties, "inconsistent": inconsistent / len(scores) if scores else None,
            "unparsed": unparsed,
            "reason": None if scores else "not computed: no pair of verdicts could be parsed",
            **({"usage": used} if used is not None else {}),
        })  # fmt: skip
        self.judged.judgements.append(entry)
        context.log(
            f"{label} ({metric.judge_model}) on {name}: {a} beats {b} in {_shown(value)} "
            f"({len(scores)} examples, {_shown(entry['inconsistent'])} inconsistent)"
        )


def _share(choice: str | None, winner: str) -> float | None:
    """What one verdict gives the model shown in position ``winner``: 1, 0, or ½ for a tie."""
    if choice is None:
        return None
    return 0.5 if choice == "tie" else float(choice == winner)


def _shown(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.3f}"
