"""Fine-tuning: train a model of a suite on one of its tasks' train split, and save a
folder that a suite loads with ``path:``.

The core does what is the same for every model type: it finds the model and task
entries, takes the task's train examples, splits off a seeded held-out part, picks the
strategy (the first of the task's that the model type can both answer and be trained
for), builds one request per example, and hands the pairs to the model type's
``finetune`` classmethod, which trains, evaluates and saves. The core then writes the
card beside it (``nlpbench-finetune.json`` and ``README.md``), since only the core
knows which suite, task and data the pairs came from.
"""

from __future__ import annotations

import dataclasses
import json
import random
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpbench.contracts.components import (
    Example,
    FinetuneReport,
    FinetuneSettings,
    FinetuneStepped,
    ModelSpec,
    TaskSpec,
    TrainingPair,
)
from nlpbench.contracts.errors import ConfigError, DataError, ModelError, NlpbenchError, TaskError, one_line
from nlpbench.plugins.host import PluginHost
from nlpbench.plugins.suggest import did_you_mean
from nlpbench.results.documents import jsonable, utc_now
from nlpbench.running.progress import Progress
from nlpbench.statistics.bootstrap import derived_seed
from nlpbench.suites.planning import declared_strategies
from nlpbench.suites.suite import Suite

#: The card a fine-tuned folder carries, beside the weights.
CARD_FILE = "nlpbench-finetune.json"
README_FILE = "README.md"

#: With this many train examples or more, at least this many are held out.
MIN_HELD_OUT = 8


@dataclass(frozen=True)
class FinetuneOutcome:
    """What ``run_finetune`` did: the model's report, and what the core decided."""

    report: FinetuneReport
    model: ModelSpec
    task: TaskSpec
    strategy: str
    n_train: int
    n_held_out: int
    seconds: float
    out_dir: Path

    @property
    def card(self) -> Path:
        return self.out_dir / CARD_FILE


def find_spec(specs: Sequence[Any], name: str, noun: str, suite: Suite) -> Any:
    """The entry of ``specs`` called ``name``; ConfigError with a suggestion otherwise."""
    names = [spec.name for spec in specs]
    for spec in specs:
        if spec.name == name:
            return spec
    raise ConfigError(
        f"{suite.path}: no {noun} is called '{name}'{did_you_mean(name, names)}; the suite's {noun}s: {', '.join(names)}"
    )


def finetunable_types(host: PluginHost) -> list[tuple[str, frozenset[str]]]:
    """Every registered model type that can be fine-tuned, with the strategies it trains for."""
    return [
        (item.name, frozenset(getattr(item.component, "finetunable", ())))
        for item in host.models
        if can_finetune(item.component)
    ]


def can_finetune(model_type: Any) -> bool:
    """Whether ``model_type`` has a ``finetune`` classmethod and trains for some strategy."""
    return callable(getattr(model_type, "finetune", None)) and bool(getattr(model_type, "finetunable", ()))


def choose_finetune_strategy(preferences: Sequence[str], model_type: Any) -> str | None:
    """The task's most preferred strategy that the model type answers and trains for.

    The type's ``capabilities`` are used, not what one checkpoint declares
    (``capabilities_for``): fine-tuning puts the head on, so a masked-LM checkpoint
    becomes a classifier."""
    have = set(getattr(model_type, "capabilities", ())) & set(getattr(model_type, "finetunable", ()))
    return next((strategy for strategy in preferences if strategy in have), None)


def held_out_size(n: int) -> int:
    """How many of ``n`` train examples are held out: 10%, at least 8 once there are 16
    or more, at least 1 below that."""
    return max(MIN_HELD_OUT if n >= 2 * MIN_HELD_OUT else 1, n // 10)


def split_held_out(examples: Sequence[Example], seed: int) -> tuple[list[Example], list[Example]]:
    """``(train, held_out)``: a seeded sample of :func:`held_out_size` examples held out,
    both in their original order. The same examples and seed give the same split."""
    n = len(examples)
    if n < 2:
        raise DataError(f"the train split has {n} example{'s' if n != 1 else ''}: fine-tuning needs at least 2")
    held = set(random.Random(seed).sample(range(n), held_out_size(n)))
    return [e for i, e in enumerate(examples) if i not in held], [e for i, e in enumerate(examples) if i in held]


def build_pairs(task: Any, examples: Sequence[Example], strategy: str, where: str) -> list[TrainingPair]:
    """One :class:`TrainingPair` per example: its only request for ``strategy`` and its
    first reference. TaskError when the task builds other than one request."""
    pairs = []
    for example in examples:
        try:
            requests = list(task.build_requests(example, strategy))
        except NlpbenchError:
            raise
        except Exception as error:
            raise TaskError(f"{where}: building requests for example '{example.id}': {one_line(error)}") from error
        if len(requests) != 1:
            raise TaskError(
                f"{where}: builds {len(requests)} requests for example '{example.id}' with {strategy}; "
                "fine-tuning needs exactly one request per example"
            )
        if not example.references:
            raise DataError(f"{where}: example '{example.id}' has no reference to train on")
        request = requests[0]
        if not request.example_id:
            request = dataclasses.replace(request, example_id=example.id)
        pairs.append(TrainingPair(example.id, request, example.references[0]))
    return pairs


def _train_examples(task: Any, where: str) -> list[Example]:
    try:
        examples = list(task.train_examples())
    except (ConfigError, DataError) as error:
        raise type(error)(f"{where}: {error}") from error
    if not examples:
        raise DataError(f"{where}: the train split has no examples")
    seen: set[str] = set()
    for example in examples:
        if example.id in seen:
            raise DataError(f"{where}: two train examples have the id '{example.id}'")
        seen.add(example.id)
    return examples


def _check_out_dir(out_dir: Path) -> None:
    """The folder must be new or empty: nothing of the user's is overwritten."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ConfigError(f"output folder {out_dir}: is not an empty folder; choose a new --out")


def _make_out_dir(out_dir: Path) -> None:
    """Create the folder before the model loads, so a path that cannot be written costs nothing."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"output folder {out_dir}: cannot create it: {error.strerror or error}") from None


def run_finetune(
    suite: Suite,
    host: PluginHost,
    model_name: str,
    task_name: str,
    out_dir: Path,
    settings: FinetuneSettings,
    log: Callable[[str], None] | None = None,
    *,
    progress: bool | None = None,
) -> FinetuneOutcome:
    """Fine-tune the suite's model ``model_name`` on the train split of its task
    ``task_name`` and save it, with its card, into ``out_dir``.

    ConfigError/DataError/TaskError (one line each) for what the user can fix: an
    unknown name, a model type that cannot be fine-tuned, a task without a train split,
    a folder that is not empty. Everything is checked before the model loads.
    """
    say = log or (lambda message: print(message, file=sys.stderr))
    model_spec: ModelSpec = find_spec(suite.models, model_name, "model", suite)
    task_spec: TaskSpec = find_spec(suite.tasks, task_name, "task", suite)
    model_type = host.models.get(model_spec.type).component
    task_class = host.tasks.get(task_spec.type).component
    model_where = f"model '{model_spec.name}' ({model_spec.type})"
    task_where = f"task '{task_spec.name}' ({task_spec.type})"

    if not can_finetune(model_type):
        others = ", ".join(f"{name} ({', '.join(sorted(kinds))})" for name, kinds in finetunable_types(host))
        raise ConfigError(
            f"{model_where}: model type '{model_spec.type}' cannot be fine-tuned "
            + (f"(fine-tunable: {others})" if others else "(no installed model type can be)")
        )
    preferences = declared_strategies(task_class, task_spec)
    strategy = choose_finetune_strategy(preferences, model_type)
    if strategy is None:
        trains = ", ".join(sorted(getattr(model_type, "finetunable", ())))
        raise ConfigError(
            f"{model_where} cannot be fine-tuned on {task_where}: the task uses "
            f"{', '.join(preferences) or 'nothing'}; {model_spec.type} is fine-tuned for {trains}"
        )
    if not callable(getattr(task_class, "train_examples", None)):
        raise ConfigError(f"{task_where} has no train split: task type '{task_spec.type}' does not provide one")
    _check_out_dir(out_dir)

    try:
        task = task_class(task_spec)
    except (ConfigError, DataError) as error:
        raise type(error)(f"{task_where}: {error}") from error
    examples = _train_examples(task, task_where)
    try:
        # seeded by the suite, not --seed: runs with different seeds are scored on the same examples
        train_examples, held_examples = split_held_out(examples, derived_seed(suite.seed, task_spec.name, "held-out"))
    except DataError as error:
        raise DataError(f"{task_where}: {error}") from error
    for_model = getattr(task, "for_model", None)
    if callable(for_model):  # train on the prompt the model will be evaluated with (a T5 prefix)
        task = for_model(model_spec)
    train = build_pairs(task, train_examples, strategy, task_where)
    held_out = build_pairs(task, held_examples, strategy, task_where)
    _make_out_dir(out_dir)
    total = settings.total_steps(len(train))
    say(
        f"fine-tuning {model_where} on {task_where} via {strategy}: {len(train)} train and "
        f"{len(held_out)} held-out examples, {total} steps"
    )

    started = time.perf_counter()
    with Progress(total=total, label=f"{model_spec.name} on {task_spec.name}", enabled=progress, unit="step") as bar:

        def stepped(event: FinetuneStepped) -> None:
            bar.update(1)
            if event.eval is not None:
                scores = ", ".join(f"{name} {value:.4g}" for name, value in event.eval.items())
                say(f"step {event.step}/{total} (epoch {event.epoch}): train loss {event.loss:.4g}; held-out {scores}")

        try:
            report = model_type.finetune(model_spec, strategy, train, held_out, settings, out_dir, stepped)
        except NlpbenchError as error:
            raise type(error)(f"{model_where}: {error}") from error
    seconds = time.perf_counter() - started
    if not isinstance(report, FinetuneReport):
        raise ModelError(f"{model_where}: finetune returned {type(report).__name__}, not a FinetuneReport")
    outcome = FinetuneOutcome(
        report=report,
        model=model_spec,
        task=task_spec,
        strategy=strategy,
        n_train=len(train),
        n_held_out=len(held_out),
        seconds=seconds,
        out_dir=out_dir,
    )
    write_card(outcome, suite, settings, host.versions())
    say(f"saved {out_dir} ({report.steps} steps in {seconds:.1f} s)")
    return outcome


def card_document(
    outcome: FinetuneOutcome, suite: Suite, settings: FinetuneSettings, versions: Mapping[str, str]
) -> dict[str, Any]:
    """The contents of ``nlpbench-finetune.json``."""
    model, task, report = outcome.model, outcome.task, outcome.report
    base = {
        key: getattr(model, key) for key in ("path", "hub", "revision", "config") if getattr(model, key) is not None
    }
    return jsonable(
        {
            "nlpbench": {"version": versions.get("nlpbench"), "plugins": dict(versions)},
            "created": utc_now(),
            "suite": {"name": suite.name, "path": str(suite.path), "hash": suite.hash},
            "base": {"name": model.name, "type": model.type, **base, "params": dict(model.params)},
            "task": {"name": task.name, "type": task.type, "data": dict(task.data), "params": dict(task.params)},
            "strategy": outcome.strategy,
            "examples": {"train": outcome.n_train, "held_out": outcome.n_held_out},
            "settings": dataclasses.asdict(settings),
            "steps": report.steps,
            "seconds": round(outcome.seconds, 3),
            "train_losses": list(report.train_losses),
            "evals": list(report.evals),
            "model": dict(report.info),
        }
    )


def write_card(outcome: FinetuneOutcome, suite: Suite, settings: FinetuneSettings, versions: Mapping[str, str]) -> None:
    """Write ``nlpbench-finetune.json`` and a ``README.md`` model card into the folder."""
    document = card_document(outcome, suite, settings, versions)
    out_dir = outcome.out_dir
    (out_dir / CARD_FILE).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / README_FILE).write_text(render_readme(document, out_dir), encoding="utf-8")


def render_readme(card: Mapping[str, Any], out_dir: Path) -> str:
    """A short model card: where the model came from, how it was trained, how it did."""
    base, task, settings = card["base"], card["task"], card["settings"]
    source = next((f"{key} `{base[key]}`" for key in ("path", "hub", "config") if key in base), "?")
    data = task["data"] or "the task's built-in data"
    lines = [
        f"# {base['name']} fine-tuned on {task['name']}",
        "",
        f"Fine-tuned with `nlpbench finetune` on {card['created']}: model type `{base['type']}`, "
        f"from {source}, on the train split of task `{task['name']}` (type `{task['type']}`, "
        f"strategy `{card['strategy']}`) of suite `{card['suite']['name']}` ({card['suite']['path']}).",
        "",
        f"- data: `{json.dumps(data, ensure_ascii=False)}`",
        f"- examples: {card['examples']['train']} train, {card['examples']['held_out']} held out "
        f"(10% of the train split, drawn with the suite's seed)",
        "- settings: " + ", ".join(f"{key} {value}" for key, value in settings.items()),
        f"- {card['steps']} steps in {card['seconds']} s; training loss "
        + (f"{card['train_losses'][0]:.4g} → {card['train_losses'][-1]:.4g}" if card["train_losses"] else "n/a"),
        "",
    ]
    evals = card["evals"]
    if evals:
        scores = [key for key in evals[-1] if key not in ("step", "epoch")]
        lines += ["## Held-out evaluations", "", "| step | epoch | " + " | ".join(scores) + " |"]
        lines.append("| --- | --- | " + " | ".join("---" for _ in scores) + " |")
        for entry in evals:
            values = " | ".join(_number(entry.get(key)) for key in scores)
            lines.append(f"| {entry.get('step')} | {entry.get('epoch')} | {values} |")
        lines.append("")
    if card["model"]:
        lines += ["## Model", ""] + [f"- {key}: {value}" for key, value in card["model"].items()] + [""]
    lines += [
        "## Use it in a suite",
        "",
        "```yaml",
        "models:",
        f"  - name: {base['name']}-{task['name']}",
        f"    type: {base['type']}",
        f"    path: {out_dir}",
        "```",
        "",
        f"Everything above is in `{CARD_FILE}`.",
        "",
    ]
    return "\n".join(lines)


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
