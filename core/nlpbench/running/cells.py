"""A cell's result: its entry in results.json, its samples, and its scores with intervals."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nlpbench.contracts.components import Example
from nlpbench.contracts.errors import MetricError, MetricNotComputed, NlpbenchError
from nlpbench.plugins.builtin.judges import is_judge
from nlpbench.results.documents import jsonable
from nlpbench.results.store import Store, digest
from nlpbench.running.failures import Failure, blame, error_line
from nlpbench.running.plugin_output import described
from nlpbench.running.preparing import PreparedTask
from nlpbench.running.scoring import corpus_only_flag, metric_stats, not_computed_entry
from nlpbench.statistics.bootstrap import bootstrap, derived_seed
from nlpbench.suites.planning import Cell
from nlpbench.suites.suite import Suite


def cell_result(cell: Cell, status: str, **extra: Any) -> dict[str, Any]:
    """The cell's entry in results.json (``extra``: what is known of it)."""
    return {
        "model": cell.model.name,
        "task": cell.task.name,
        "model_type": cell.model.type,
        "task_type": cell.task.type,
        "status": status,
        "strategy": extra.get("strategy"),
        "n": extra.get("n", 0),
        "metrics": extra.get("metrics", {}),
        "seconds": extra.get("seconds"),
        "examples_per_second": extra.get("examples_per_second"),
        "peak_memory_mb": extra.get("peak_memory_mb"),
        "error": extra.get("error"),
        "reason": extra.get("reason"),
        "traceback": extra.get("traceback"),
        **({"model_info": extra["model_info"]} if extra.get("model_info") else {}),
        **({"task_info": extra["task_info"]} if extra.get("task_info") else {}),
        **({"peak_gpu_memory_mb": extra["peak_gpu_memory_mb"]} if extra.get("peak_gpu_memory_mb") is not None else {}),
    }


def failed_cell(cell: Cell, failure: Failure, **extra: Any) -> dict[str, Any]:
    """A failed cell: ``error`` (one line) and ``traceback`` (the whole of it)."""
    return cell_result(cell, "failed", error=failure.error, traceback=failure.traceback, **extra)


def sample_lines(
    cell: Cell,
    task: PreparedTask,
    strategy: str,
    predictions: Sequence[Any],
    probabilities: Sequence[Any],
    prompts: Sequence[str | None],
    per_example: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The cell's lines of samples.jsonl: one per example, with what it was asked and scored."""
    return [
        {
            "model": cell.model.name,
            "task": cell.task.name,
            "id": example.id,
            "strategy": strategy,
            "input": example.input,
            "prompt": prompts[i],
            "prediction": predictions[i],
            **({"probabilities": probabilities[i]} if probabilities[i] is not None else {}),
            "references": list(example.references),
            "scores": per_example[i],
        }
        for i, example in enumerate(task.examples)
    ]


def score_cell(
    suite: Suite,
    store: Store | None,
    task: PreparedTask,
    predictions: list[Any],
    probabilities: list[Any],
    key: str | None = None,
    examples_digest: str = "",
    reuse: str | None = None,
    *,
    judging: bool = False,
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, list[list[float]]]]:
    """Each metric's score and interval, each example's scores, and each metric's
    per-example statistics (for the store: rescoring and paired comparisons); a metric
    that cannot score these predictions is recorded as not computed, with why. With
    ``reuse`` (every prediction came from the store under that cell key), a score the
    store has for exactly these examples and bootstrap settings is taken as it is.
    A judge metric is left out (:mod:`nlpbench.running.judging` scores it); with
    ``judging``, only judge metrics are scored, ``predictions`` being their verdicts."""
    references = [example.references for example in task.examples]
    scores: dict[str, Any] = {}
    per_example: list[dict[str, Any]] = [{} for _ in predictions]
    all_stats: dict[str, list[list[float]]] = {}
    seed = derived_seed(suite.seed, task.spec.name, "bootstrap")
    bootstrap_key = digest([suite.resamples, suite.confidence, seed])
    for registered, metric in task.metrics:
        if is_judge(metric) != judging:  # a judge scores its verdicts, in the judging stage
            continue
        metric_key = task.metric_keys.get(registered.name, registered.name)
        stored = None
        if reuse is not None and store is not None:
            stored = store.cached_score(reuse, metric_key, examples_digest, bootstrap_key)
        if stored is not None:
            scores[registered.name], rows = stored
            all_stats[registered.name] = rows
            _example_scores(metric, registered.name, np.asarray(rows, dtype=np.float64), per_example)
            continue
        try:
            stats = metric_stats(metric, registered.name, predictions, references, probabilities)
            _check_statistics(stats, registered.name, task.examples, metric.stats)
            estimate = bootstrap(
                stats,
                metric.aggregate,
                resamples=suite.resamples,
                confidence=suite.confidence,
                seed=seed,
                aggregate_resamples=getattr(metric, "aggregate_resamples", None),
            )
            entry = {
                "value": estimate.value,
                "ci_low": estimate.ci_low,
                "ci_high": estimate.ci_high,
                "higher_is_better": bool(metric.higher_is_better),
                "scale": list(metric.scale),
                **corpus_only_flag(metric),
                **described(metric, f"metric '{registered.name}'", MetricError),
            }
            _example_scores(metric, registered.name, stats, per_example)
        except MetricNotComputed as error:
            scores[registered.name] = not_computed_entry(metric, str(error))
            continue
        except (NlpbenchError, KeyboardInterrupt):
            raise
        except BaseException as error:  # aggregate, describe, example_score: the metric's code all the same
            raise MetricError(f"metric '{registered.name}': {error_line(error)}") from error
        scores[registered.name] = json.loads(json.dumps(jsonable(entry)))  # as the store gives it back
        all_stats[registered.name] = stats.tolist()
        if key is not None and store is not None:
            store.save_score(
                key, metric_key, examples_digest, bootstrap_key, scores[registered.name], all_stats[registered.name]
            )
    return scores, per_example, all_stats


def _example_scores(metric: Any, name: str, stats: Any, per_example: list[dict[str, Any]]) -> None:
    """Each example's own score under ``name`` (the metric's ``example_score``, or the row's only value)."""
    example_score = getattr(metric, "example_score", None)
    for i, row in enumerate(stats):
        if callable(example_score):
            per_example[i][name] = example_score(row)
        else:
            per_example[i][name] = float(row[0]) if len(row) == 1 else None


def _check_statistics(stats: Any, name: str, examples: Sequence[Example], source: Callable[..., Any]) -> None:
    """A metric's statistics hold no NaN: a row that does is a bug, never a score (an
    infinity may be one: perplexity's)."""
    bad = np.isnan(stats).any(axis=1)
    if bad.any():
        example = examples[int(np.argmax(bad))]
        raise blame(MetricError(f"metric '{name}' returned NaN statistics for example '{example.id}'"), source)


def save_cell_rows(
    store: Store,
    run_id: int,
    result: dict[str, Any],
    key: str,
    examples: Sequence[Example],
    predictions: Sequence[Any],
    stats: dict[str, list[list[float]]],
) -> None:
    """The cell's record in the store: its result, and each example's prediction,
    references and every metric's statistics row (what compare and rescore read)."""
    store.save_cell(
        run_id,
        result,
        key,
        [
            (example.id, predictions[i], example.references, {name: rows[i] for name, rows in stats.items()})
            for i, example in enumerate(examples)
        ],
    )
