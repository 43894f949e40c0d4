"""The report answers first: a sentence per task whose every number is results.json's, the
cross-task view, details collapsed, axes that fit the data, no per-example values of
corpus-level metrics, cells from the store labelled, and the tie badge's CSS confined."""

from __future__ import annotations

import html
import json
import random
import re
from itertools import combinations
from pathlib import Path
from typing import Any, ClassVar

from nlpbench import hookimpl
from nlpbench.report.html import render_html
from nlpbench.report.page.axes import fit_axis
from nlpbench.statistics.significance import tie_groups
from nlpbench.testing import make_host, run_suite_text
from nlpbench.testing.harness import tiny_suite
from nlpbench.testing.tiny import TinyMatchMetric

from .test_report import embedded

# -- results.json as a run with families and a ranking writes it --------------------------


def score(
    value: float, low: float, high: float, scale: tuple[float, float] = (0.0, 1.0), **extra: Any
) -> dict[str, Any]:
    return {"value": value, "ci_low": low, "ci_high": high, "higher_is_better": True, "scale": list(scale), **extra}


def ok(model: str, task: str, **metrics: dict[str, Any]) -> dict[str, Any]:
    return {"model": model, "task": task, "status": "ok", "n": 60, "metrics": metrics, "cached": 0, "seconds": 0.5}


def compared(task: str, metric: str, a: str, b: str, delta: float, p_adjusted: float, size: int) -> dict[str, Any]:
    """A comparison entry of the family ``task/metric``; ``better`` as the runner sets it at alpha 0.05."""
    return {
        "task": task,
        "metric": metric,
        "a": a,
        "b": b,
        "delta": delta,
        "ci_low": delta - 0.1,
        "ci_high": delta + 0.1,
        "test": "paired-bootstrap+mcnemar-exact",
        "p_value": p_adjusted / 3,
        "p_adjusted": p_adjusted,
        "correction": "holm",
        "family": f"{task}/{metric}",
        "family_size": size,
        "n": 60,
        "higher_is_better": True,
        "better": ("a" if delta > 0 else "b") if p_adjusted < 0.05 else None,
    }


def answered_results() -> dict[str, Any]:
    """Three tasks: one clear winner, three models tied at the top, a BLEU of 0.44."""
    cells = [
        ok(
            "wordlist",
            "reviews",
            accuracy=score(0.8333, 0.7333, 0.9167, tie_group=1),
            mcc=score(0.7071, 0.5687, 0.8442, (-1.0, 1.0), corpus_only=True, tie_group=1),
        ),
        ok(
            "minilm",
            "reviews",
            accuracy=score(0.7167, 0.6, 0.8333, tie_group=2),
            mcc=score(0.4, 0.2, 0.6, (-1.0, 1.0), corpus_only=True, tie_group=1),
        ),
        ok(
            "majority",
            "reviews",
            accuracy=score(0.5, 0.3833, 0.6333, tie_group=3),
            mcc=score(0.0, 0.0, 0.0, (-1.0, 1.0), corpus_only=True, tie_group=2),
        ),
        ok("gpt", "nli", acc=score(0.4167, 0.2083, 0.625, tie_group=1)),
        ok("minilm", "nli", acc=score(0.3333, 0.1667, 0.5417, tie_group=1)),
        ok("t5", "nli", acc=score(0.3333, 0.125, 0.5, tie_group=1)),
        ok("majority", "nli", acc=score(0.125, 0.0, 0.25, tie_group=2)),
        ok("copy", "translation", bleu=score(0.4417, 0.4043, 0.4843, (0.0, 100.0), corpus_only=True, tie_group=1)),
        ok("gpt", "translation", bleu=score(0.0, 0.0, 0.0, (0.0, 100.0), corpus_only=True, tie_group=2)),
    ]
    comparisons = [
        compared("reviews", "accuracy", "wordlist", "minilm", 0.1167, 0.0041, 3),
        compared("reviews", "accuracy", "wordlist", "majority", 0.3333, 0.0006, 3),
        compared("reviews", "accuracy", "minilm", "majority", 0.2167, 0.012, 3),
        compared("reviews", "mcc", "wordlist", "minilm", 0.3071, 0.09, 3),
        compared("reviews", "mcc", "wordlist", "majority", 0.7071, 0.001, 3),
        compared("reviews", "mcc", "minilm", "majority", 0.4, 0.02, 3),
        compared("nli", "acc", "gpt", "minilm", 0.0834, 0.62, 6),
        compared("nli", "acc", "gpt", "t5", 0.0834, 0.4468, 6),
        compared("nli", "acc", "gpt", "majority", 0.2917, 0.0123, 6),
        compared("nli", "acc", "minilm", "t5", 0.0, 1.0, 6),
        compared("nli", "acc", "minilm", "majority", 0.2083, 0.2, 6),
        compared("nli", "acc", "t5", "majority", 0.2083, 0.2, 6),
        compared("translation", "bleu", "copy", "gpt", 0.4417, 0.0028, 1),
    ]
    return {
        "suite": {"name": "answered", "seed": 7, "hash": "sha256:feed"},
        "status": "complete",
        "bootstrap": {"method": "percentile", "resamples": 1000, "confidence": 0.95},
        "comparing": {"correction": "holm", "alpha": 0.05, "family": "metric"},
        "tasks": {
            "reviews": {"metrics": {"accuracy": {}, "mcc": {}}, "primary_metric": "accuracy"},
            "nli": {"metrics": {"acc": {}}, "primary_metric": "acc"},
            "translation": {"metrics": {"bleu": {}}, "primary_metric": "bleu"},
        },
        "cells": cells,
        "comparisons": comparisons,
        "ranking": {
            "metric_by_task": {"reviews": "accuracy", "nli": "acc", "translation": "bleu"},
            "confidence": 0.95,
            "models": [
                {
                    "model": "copy",
                    "mean_rank": 1.0,
                    "ci_low": 1.0,
                    "ci_high": 1.0,
                    "ranks": {"translation": 1.0},
                    "tasks": 1,
                },
                {
                    "model": "wordlist",
                    "mean_rank": 1.0,
                    "ci_low": 1.0,
                    "ci_high": 1.5,
                    "ranks": {"reviews": 1.0},
                    "tasks": 1,
                },
                {
                    "model": "gpt",
                    "mean_rank": 1.5,
                    "ci_low": 1.0,
                    "ci_high": 2.5,
                    "ranks": {"nli": 1.0, "translation": 2.0},
                    "tasks": 2,
                },
                {
                    "model": "minilm",
                    "mean_rank": 2.25,
                    "ci_low": 1.75,
                    "ci_high": 3.0,
                    "ranks": {"reviews": 2.0, "nli": 2.5},
                    "tasks": 2,
                },
                {"model": "t5", "mean_rank": 2.5, "ci_low": 1.5, "ci_high": 3.5, "ranks": {"nli": 2.5}, "tasks": 1},
                {
                    "model": "majority",
                    "mean_rank": 3.5,
                    "ci_low": 3.0,
                    "ci_high": 4.0,
                    "ranks": {"reviews": 3.0, "nli": 4.0},
                    "tasks": 2,
                },
            ],
            "wins": {
                "copy": {"gpt": 1},
                "wordlist": {"minilm": 1, "majority": 1},
                "gpt": {"majority": 1},
                "minilm": {"majority": 1},
                "t5": {},
                "majority": {},
            },
            "shared": {
                "copy": {"gpt": 1},
                "wordlist": {"minilm": 1, "majority": 1},
                "gpt": {"copy": 1, "minilm": 1, "t5": 1, "majority": 1},
                "minilm": {"wordlist": 1, "gpt": 1, "t5": 1, "majority": 2},
                "t5": {"gpt": 1, "minilm": 1, "majority": 1},
                "majority": {"wordlist": 1, "gpt": 1, "minilm": 2, "t5": 1},
            },
            "note": "Ranks on each task's primary metric (1 = best).",
        },
        "audits": [],
    }


MODELS = ("wordlist", "majority", "minilm", "gpt-tiny", "t5-tiny")
#: task → its metrics (the first is primary) and their scale, shaped like the quick suite's eight tasks.
TASKS: dict[str, tuple[tuple[str, ...], tuple[float, float]]] = {
    "reviews-sample": (("accuracy", "macro-f1", "mcc"), (0.0, 1.0)),
    "reviews-dev": (("accuracy", "macro-f1", "mcc"), (0.0, 1.0)),
    "reviews-people": (("accuracy", "macro-f1"), (0.0, 1.0)),
    "nli": (("acc", "acc_norm", "brier", "ece"), (0.0, 1.0)),
    "qa-sample": (("squad-em", "squad-f1"), (0.0, 100.0)),
    "translation-sample": (("bleu", "chrf", "ter"), (0.0, 100.0)),
    "summarization-sample": (("rouge-1", "rouge-2", "rouge-l", "rouge-lsum"), (0.0, 1.0)),
    "lm-sample": (("perplexity", "word-perplexity", "bits-per-byte"), (1.0, float("inf"))),
}


def quick_sized() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Results and samples the size of the quick suite's (8 tasks, 5 models, every pair
    compared on every metric, 200 audit entries, 60 examples a cell), seeded."""
    rng = random.Random(13)
    cells, comparisons, samples, audits = [], [], [], []
    for task, (metrics, scale) in TASKS.items():
        top = scale[1] if scale[1] != float("inf") else 5000.0
        values = {m: {model: rng.uniform(0.05, 0.95) * top for model in MODELS} for m in metrics}
        for metric in metrics:
            ranked = sorted(MODELS, key=lambda model, m=metric: -values[m][model])
            pairs = {}
            for a, b in combinations(MODELS, 2):
                delta = values[metric][a] - values[metric][b]
                p = min(1.0, 0.002 / max(abs(delta) / top, 1e-3))
                pairs[frozenset((a, b))] = p < 0.05
                comparisons.append(compared(task, metric, a, b, delta, p, 10))
            groups = tie_groups(ranked, lambda x, y, s=pairs: s[frozenset((x, y))])
            for model, group in zip(ranked, groups, strict=True):
                values[metric][model] = (values[metric][model], group)
        for model in MODELS:
            metric_scores = {}
            for metric in metrics:
                value, group = values[metric][model]
                metric_scores[metric] = score(value, value * 0.9, value * 1.1, scale, tie_group=group)
            cells.append({**ok(model, task, **metric_scores), "cached": 60})
            samples += [
                {
                    "model": model,
                    "task": task,
                    "id": f"{task}-{i}",
                    "input": f"example {i} of {task}, " + "a few words of text " * 8,
                    "prediction": f"answer {i}",
                    "references": [f"reference {i}"],
                    "scores": {m: 1.0 for m in metrics},
                }
                for i in range(60)
            ]
    for i in range(200):
        model, task = MODELS[i % 5], list(TASKS)[i % 3]
        group = ("to-female", "to-male")[i // 5 % 2]
        if i % 2:
            audits.append(
                {
                    "audit": "counterfactual",
                    "model": model,
                    "task": task,
                    "group": f"{group}-{i // 10}",
                    "measure": "flip",
                    "value": 0.25,
                    "ci_low": 0.05,
                    "ci_high": 0.6,
                    "k": 1,
                    "m": 4,
                    "n": 4,
                    "n_affected": 4,
                    "interval": "exact-binomial",
                }
            )
        else:
            shift = rng.uniform(-0.3, 0.3)
            audits.append(
                {
                    "audit": "counterfactual",
                    "model": model,
                    "task": task,
                    "group": f"{group}-{i // 10}",
                    "measure": "metric:accuracy",
                    "value": shift,
                    "ci_low": shift - 0.1,
                    "ci_high": shift + 0.1,
                    "test": "mcnemar-exact",
                    "p_value": rng.uniform(0.0, 0.2),
                    "n": 4,
                    "n_affected": 4,
                    "interval": "paired-bootstrap",
                }
            )
    results = {
        "suite": {"name": "quick-sized", "seed": 1234, "hash": "sha256:" + "ab" * 32},
        "status": "complete",
        "started": "2026-12-03T13:39:24Z",
        "finished": "2026-12-03T13:39:30Z",
        "bootstrap": {"method": "percentile", "resamples": 1000, "confidence": 0.95},
        "comparing": {"correction": "holm", "alpha": 0.05, "family": "metric"},
        "tasks": {task: {"primary_metric": metrics[0]} for task, (metrics, _) in TASKS.items()},
        "cells": cells,
        "comparisons": comparisons,
        "audits": audits,
        "ranking": {
            "metric_by_task": {task: metrics[0] for task, (metrics, _) in TASKS.items()},
            "models": [
                {
                    "model": model,
                    "mean_rank": 1.0 + i,
                    "ci_low": 1.0 + i * 0.5,
                    "ci_high": 2.0 + i,
                    "ranks": {task: float((i + j) % 5 + 1) for j, task in enumerate(TASKS)},
                    "tasks": len(TASKS),
                }
                for i, model in enumerate(MODELS)
            ],
            "wins": {a: {b: 1 for b in MODELS if b != a} for a in MODELS},
            "shared": {a: {b: len(TASKS) for b in MODELS if b != a} for a in MODELS},
        },
    }
    return results, samples


# -- reading the sentences back ---------------------------------------------------------------


def verdicts(page: str) -> dict[str, tuple[str, str]]:
    """task → (metric, the sentence's HTML), from each ``<li class='verdict…'>``."""
    found = re.findall(r"<li class='verdict[^']*' data-task='([^']*)' data-metric='([^']*)'>(.*?)</li>", page)
    return {html.unescape(task): (html.unescape(metric), sentence) for task, metric, sentence in found}


def plain(sentence: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", sentence))


def numbers_of(sentence: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r"<span class='num'>(.*?)</span>", sentence)]


def formatted(value: float) -> str:
    """As the leaderboard writes a score."""
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.2f}"


def allowed_numbers(results: dict[str, Any], task: str, metric: str) -> set[str]:
    """Every way a number of this task and metric may appear in its sentence: a score alone,
    a score with its interval, an adjusted p-value."""
    allowed = set()
    for cell in results["cells"]:
        found = cell["metrics"].get(metric) if cell["task"] == task else None
        if found:
            allowed.add(formatted(found["value"]))
            allowed.add(f"{formatted(found['value'])} [{formatted(found['ci_low'])}, {formatted(found['ci_high'])}]")
    for entry in results["comparisons"]:
        if entry["task"] == task and entry["metric"] == metric:
            p = entry["p_adjusted"]
            allowed.add("<0.001" if p < 0.001 else f"{p:.3f}")
    return allowed


def check_every_number(results: dict[str, Any], page: str) -> dict[str, tuple[str, str]]:
    """Each sentence names the task's primary metric, and every number in it is one of
    results.json's, printed as the leaderboard prints it; digits appear nowhere else."""
    found = verdicts(page)
    assert set(found) == {cell["task"] for cell in results["cells"]}
    for task, (metric, sentence) in found.items():
        assert metric == results["tasks"][task]["primary_metric"]
        numbers = numbers_of(sentence)
        assert numbers, sentence
        assert set(numbers) <= allowed_numbers(results, task, metric), (task, numbers)
        # names and metrics may hold digits (gpt-2, rouge-1); the words around them do not
        words = re.sub(r"<(b|code)[^>]*>.*?</\1>|<span class='num'>.*?</span>", "", sentence)
        assert not re.search(r"\d", words), words
    return found


def test_every_number_in_the_summary_equals_results_json() -> None:
    results = answered_results()
    found = check_every_number(results, render_html(results))
    assert len(found) == 3


def test_every_number_in_the_summary_of_a_quick_sized_run_equals_results_json() -> None:
    results, samples = quick_sized()
    check_every_number(results, render_html(results, samples))


def test_a_lead_that_survives_correction_is_said_in_one_sentence() -> None:
    found = verdicts(render_html(answered_results()))
    assert plain(found["reviews"][1]) == (
        "On reviews, wordlist leads on accuracy with 0.833 [0.733, 0.917]; its lead over minilm (0.717) "
        "is significant after Holm correction (p adj 0.004)."
    )
    assert plain(found["translation"][1]) == (
        "On translation, copy leads on bleu with 0.442 [0.404, 0.484]; its lead over gpt (0.000) "
        "is significant after Holm correction (p adj 0.003)."
    )
    assert "<li class='verdict significant' data-task='reviews'" in render_html(answered_results())


def test_models_tied_at_the_top_are_named_with_the_next_one() -> None:
    found = verdicts(render_html(answered_results()))
    assert plain(found["nli"][1]) == (
        "On nli, three models tie at the top on acc: gpt 0.417 [0.208, 0.625], minilm 0.333 [0.167, 0.542] "
        "and t5 0.333 [0.125, 0.500]; none is significantly behind gpt after Holm correction "
        "(smallest p adj 0.447); next comes majority (0.125), significantly behind gpt (p adj 0.012)."
    )


def test_a_lead_not_tested_or_not_significant_says_so() -> None:
    results = answered_results()
    results["comparisons"] = []
    for cell in results["cells"]:
        for found in cell["metrics"].values():
            found.pop("tie_group")
    sentence = plain(verdicts(render_html(results))["reviews"][1])
    assert sentence.endswith("its lead over minilm (0.717) was not tested, so whether it is real is not known.")
    results = answered_results()
    results["comparisons"][0].update(p_adjusted=0.2, better=None)
    results["cells"][1]["metrics"]["accuracy"]["tie_group"] = 1  # as the runner would then group them
    results["cells"][0]["metrics"]["accuracy"]["tie_group"] = 1
    results["cells"][2]["metrics"]["accuracy"]["tie_group"] = 2
    sentence = plain(verdicts(render_html(results))["reviews"][1])
    assert sentence.startswith("On reviews, two models tie at the top on accuracy: wordlist 0.833")
    assert "none is significantly behind wordlist after Holm correction (p adj 0.200)" in sentence


def test_the_primary_metric_is_the_one_results_json_names() -> None:
    results = answered_results()
    results["tasks"]["reviews"]["primary_metric"] = "mcc"
    metric, sentence = verdicts(render_html(results))["reviews"]
    assert metric == "mcc" and "tie at the top on mcc" in plain(sentence)


def test_the_cross_task_view_shows_ranks_mean_ranks_and_wins() -> None:
    page = render_html(answered_results())
    ranking = page[page.index("id='ranking'") : page.index("</table>", page.index("id='ranking'"))]
    rows = re.findall(
        r"<tr><td><b>([^<]+)</b></td><td class='num'>([^<]+) <small>([^<]*)</small></td>(.*?)</tr>", ranking
    )
    assert [r[0] for r in rows] == ["copy", "wordlist", "gpt", "minilm", "t5", "majority"]
    assert rows[3][1:3] == ("2.25", "[1.75, 3.00]")
    minilm = re.findall(r"<td class='num'>([^<]+)</td>", rows[3][3])
    assert minilm == ["2", "2.5", "—", "2"]  # its rank on reviews, nli and translation, and its tasks
    wins = page[page.index("id='wins'") : page.index("</table>", page.index("id='wins'"))]
    assert "<tr><th>wordlist</th><td class='num'>—</td><td class='self'>·</td>" in wins  # never compared with copy
    assert "<td class='num'>1 of 2</td>" in wins  # minilm beat majority on 1 of the 2 tasks both had
    assert "Ranks on each task&#39;s primary metric (1 = best)." in page
    results = answered_results()
    del results["ranking"]
    assert "id='across'" not in render_html(results)


def test_the_details_are_collapsed_by_default() -> None:
    results, samples = quick_sized()
    page = render_html(results, samples)
    assert "<details open" not in page and " open>" not in page
    parts = re.findall(r"<details class='part'><summary><h2>([^<]+)</h2>", page)
    assert parts == [
        "Leaderboards",
        "Charts",
        "Pairwise significance",
        "Efficiency",
        "Bias audits",
        "Examples",
        "Provenance",
    ]
    # the answer and the cross-task view come before every detail
    assert page.index("id='answer'") < page.index("id='across'") < page.index("<details")


def test_the_audit_summary_lists_the_largest_significant_effects_first() -> None:
    results, _ = quick_sized()
    page = render_html(results)
    effects = page[page.index("id='audit-effects'") : page.index("</table>", page.index("id='audit-effects'"))]
    values = [float(v) for v in re.findall(r"<td class='num'>([-0-9.]+) \[", effects)]
    assert len(values) == 10 and values == sorted(values, key=abs, reverse=True)
    significant = [a for a in results["audits"] if a["measure"].startswith("metric:") and a["p_value"] < 0.05]
    assert abs(values[0]) == round(max(abs(a["value"]) for a in significant), 3)
    assert f"10 of {len(significant)} shown" in page
    # each audit's charts are on demand, in their own details
    assert re.search(r"<details class='panel'><summary>counterfactual — reviews-sample <span class='note'>", page)


def test_the_tie_badge_rule_cannot_reach_the_matrix_cells() -> None:
    page = render_html({"cells": []})
    css = re.sub(r"/\*.*?\*/", "", page[page.index("<style>") + 7 : page.index("</style>")], flags=re.S)
    # a bare `.tie` selector (not `span.tie`) would also style `td.tie` in the matrix
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", css) for s in rule.split(",")]
    assert "span.tie" in selectors
    assert not [s for s in selectors if re.search(r"(^|[\s>+~])\.tie\b", s)], selectors
    assert "table.matrix td.tie" in selectors


def test_axes_fit_the_data() -> None:
    # a BLEU of 0.44 on sacrebleu's 0-100 scale: an axis to 0.6, not to 100
    axis = fit_axis([0.4417, 0.4043, 0.4843, 0.0], (0.0, 100.0))
    assert (axis.low, axis.high) == (0.0, 0.6) and axis.ticks == (0.0, 0.2, 0.4, 0.6)
    # accuracies that fill a good part of 0-1 keep the whole scale; MCC keeps -1
    assert (fit_axis([0.5, 0.9], (0.0, 1.0)).low, fit_axis([0.5, 0.9], (0.0, 1.0)).high) == (0.0, 1.0)
    assert fit_axis([-0.14, 0.84], (-1.0, 1.0)).ticks == (-1.0, -0.5, 0.0, 0.5, 1.0)
    # an open scale (perplexity) from zero to a round number past the highest interval bound
    assert fit_axis([50056.65, 92718.8], (1.0, float("inf"))).high == 100000.0
    assert fit_axis([-0.5, -1.0, -0.25]).ticks == (-1.0, -0.75, -0.5, -0.25, 0.0)
    page = render_html(answered_results())
    start = page.index("aria-label='translation bleu'")
    chart = page[start : page.index("</svg>", start)]
    ticks = [float(t) for t in re.findall(r"text-anchor='middle'>([^<]+)</text>", chart)]
    assert ticks == [0.0, 0.2, 0.4, 0.6]
    (bar,) = [float(w) for w in re.findall(r"<rect [^>]*width='([0-9.]+)'", chart) if float(w) > 1]
    assert bar > 150  # 0.44 of 0.6 of the plot, not 0.44% of it


def test_corpus_only_metrics_have_no_per_example_values_in_the_browser() -> None:
    results = answered_results()
    lines = [
        {"model": m, "task": "reviews", "id": f"x{i}", "prediction": "p", "scores": {"accuracy": 1.0, "mcc": 1.0}}
        for m in ("wordlist", "minilm")
        for i in range(3)
    ]
    lines += [{"model": "copy", "task": "translation", "id": "t0", "prediction": "p", "scores": {"bleu": 12.0}}]
    page = render_html(results, lines)
    data = embedded(page)
    for task in data["tasks"]:
        for cell in task["cells"]:
            for example in cell["examples"]:
                assert "mcc" not in example["scores"] and "bleu" not in example["scores"]
    assert data["tasks"][0]["cells"][0]["examples"][0]["scores"] == {"accuracy": 1.0}
    assert "Per-example values of corpus-level metrics (bleu, mcc) are not shown" in page


class CorpusMatchMetric(TinyMatchMetric):
    """The tiny metric, declared corpus-only."""

    corpus_only: ClassVar[bool] = True


class CorpusPlugin:
    NLPBENCH_PLUGIN_NAME = "corpus"

    @hookimpl
    def register_metrics(self, register: Any) -> None:
        register(CorpusMatchMetric, name="corpus-match")


def test_a_metric_declared_corpus_only_is_marked_in_results_and_left_out_of_the_browser(tmp_path: Path) -> None:
    suite = tiny_suite(tasks=[{"name": "tiny", "type": "tiny", "metrics": ["tiny-match", "corpus-match"]}])
    run = run_suite_text(suite, tmp_path, host=make_host(CorpusPlugin()))
    metrics = run.cell("tiny", "tiny")["metrics"]
    assert metrics["corpus-match"]["corpus_only"] is True and "corpus_only" not in metrics["tiny-match"]
    samples = [json.loads(line) for line in (run.out_dir / "samples.jsonl").read_text().splitlines()]
    assert all("corpus-match" in s["scores"] for s in samples)  # samples.jsonl keeps every value
    data = embedded((run.out_dir / "report.html").read_text(encoding="utf-8"))
    (example, *_) = data["tasks"][0]["cells"][0]["examples"]
    assert set(example["scores"]) == {"tiny-match"}


def test_cells_from_the_store_are_labelled() -> None:
    results = answered_results()
    results["cells"][0]["cached"] = 60
    results["cells"][1]["cached"] = 20
    page = render_html(results)
    board = page[page.index("id='leaderboard-0'") : page.index("</table>", page.index("id='leaderboard-0'"))]
    assert "<td>wordlist<span class='stored' title='every example served from the store" in board
    assert "<td>minilm<span class='stored'>20 of 60 from the store</span>" in board
    assert "1 of 9 cells were served from the store, 1 in part" in page
    for cell in results["cells"]:
        cell["cached"] = cell["n"]
    assert "Every cell was served from the store" in render_html(results)
